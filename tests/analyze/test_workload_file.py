"""The workload loader: the example workloads load, the three formats agree, and every error
names the file and the right line."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import yaml

from modelkit.analyze._distributions import Sample, Uniform, Weighted, Zipf
from modelkit.analyze._workload_file import load_workload, parse_workload
from modelkit.errors import LoadError, WorkloadError
from modelkit.schema import TableDesign, load_design

ROOT = Path(__file__).resolve().parents[2]
WORKLOADS = sorted((ROOT / "schemas").glob("**/*.workload.toml"))
OWN = [
    "ecommerce", "iot", "leaderboard", "saas", "sessions",
    "models/device_state_log", "models/online_shop", "models/session_management",
    "models/retail_cart",
]  # fmt: skip


def _schema_of(workload: Path) -> Path:
    return workload.with_name(workload.name.replace(".workload.toml", ".py"))


@pytest.fixture(scope="module")
def shop() -> TableDesign:
    return load_design(str(ROOT / "schemas/ecommerce.py"))


@pytest.fixture(scope="module")
def sessions() -> TableDesign:
    return load_design(str(ROOT / "schemas/sessions.py"))


def test_every_example_schema_has_a_workload() -> None:
    for name in OWN:
        assert (ROOT / f"schemas/{name}.workload.toml").is_file(), name
        assert (ROOT / f"schemas/{name}.py").is_file(), name


@pytest.mark.parametrize("path", WORKLOADS, ids=[str(p.relative_to(ROOT)) for p in WORKLOADS])
def test_example_workload_loads_and_names_every_pattern(path: Path) -> None:
    design = load_design(str(_schema_of(path)))
    workload = load_workload(path, design)
    assert workload.source == str(path)
    assert workload.description
    assert set(workload.patterns) == {p.name for p in design.patterns}
    assert all(load.rate > 0 for load in workload.patterns.values())
    profiles = [load.profile for load in workload.patterns.values() if load.profile]
    assert profiles, "some patterns should have a daily profile"
    assert all(max(p) == 1.0 for p in profiles)
    assert set(workload.entities) <= {e.name for e in design.entities}


def test_device_log_operators_are_few_and_weighted() -> None:
    path = ROOT / "schemas/models/device_state_log.workload.toml"
    workload = load_workload(path, load_design(str(_schema_of(path))))
    put = workload.patterns["log device state"]
    operator = put.keys["operator"]
    assert isinstance(operator, Weighted) and len(operator.values) == 5
    assert put.keys["device_id"] == Uniform(n=2000)  # 10% of 20,000 devices
    assert put.rate == pytest.approx(2000 / 300, rel=0.01)  # every 5 minutes each
    assert 0 < workload.entities["DeviceLog"].indexed["GSI2"] < 0.1  # sparse: escalated only


def _formats(toml_text: str) -> dict[str, str]:
    data = tomllib.loads(toml_text)
    return {"toml": toml_text, "yaml": yaml.safe_dump(data), "json": json.dumps(data, indent=2)}


def test_the_three_formats_agree(shop: TableDesign) -> None:
    text = (ROOT / "schemas/ecommerce.workload.toml").read_text()
    loaded = [
        parse_workload(t, fmt=fmt, design=shop, source=f"w.{fmt}")
        for fmt, t in _formats(text).items()
    ]
    assert loaded[0].patterns == loaded[1].patterns == loaded[2].patterns
    assert loaded[0].entities == loaded[1].entities == loaded[2].entities


def test_suffix_picks_the_format(tmp_path: Path, shop: TableDesign) -> None:
    for suffix, text in [
        (
            ".yml",
            "patterns:\n  customer by id:\n    rate: 1e3\n    keys: {customer_id: zipf(1e6)}\n",
        ),
        (".json", '{"patterns": {"customer by id": {"rate": 1000}}}'),
    ]:
        path = tmp_path / f"w{suffix}"
        path.write_text(text)
        assert load_workload(path, shop).patterns["customer by id"].rate == 1000


def test_yaml_reads_1e6_as_a_number(shop: TableDesign) -> None:
    text = "entities:\n  Order:\n    items: 1e6\n"
    assert parse_workload(text, fmt="yaml", design=shop).entities["Order"].items == 1e6


def test_table_form_of_a_distribution(shop: TableDesign) -> None:
    text = '[patterns."customer by id"]\nrate = 1\nkeys.customer_id = { dist = "zipf", n = 1e3 }\n'
    load = parse_workload(text, fmt="toml", design=shop).patterns["customer by id"]
    assert load.keys == {"customer_id": Zipf(n=1000)}


def test_relative_files_are_read_from_the_workload_folder(
    tmp_path: Path, shop: TableDesign
) -> None:
    (tmp_path / "ids.txt").write_text("a\nb\n")
    (tmp_path / "trace.jsonl").write_text("")
    path = tmp_path / "w.toml"
    path.write_text(
        '[patterns."customer by id"]\nrate = 1\nkeys.customer_id = "file(ids.txt)"\n'
        '[trace]\npath = "trace.jsonl"\n'
    )
    workload = load_workload(path, shop)
    assert workload.patterns["customer by id"].keys["customer_id"] == Sample(
        path=str(tmp_path / "ids.txt")
    )
    assert workload.trace is not None and workload.trace.path == str(tmp_path / "trace.jsonl")


def test_an_empty_file_is_an_empty_workload(shop: TableDesign) -> None:
    assert parse_workload("", fmt="yaml", design=shop).patterns == {}
    assert parse_workload("", fmt="toml", design=shop).patterns == {}


def test_error_shape(shop: TableDesign) -> None:
    with pytest.raises(WorkloadError) as caught:
        parse_workload("[patterns.nope]\nrate = 1\n", fmt="toml", design=shop, source="x.toml")
    error = caught.value
    assert isinstance(error, LoadError)
    assert (error.path, error.line) == ("x.toml", 1)
    assert str(error) == f"x.toml:1: {error.message}"
    assert error.message.startswith("patterns.nope: the schema has no pattern 'nope'")


def test_file_errors(tmp_path: Path, shop: TableDesign) -> None:
    with pytest.raises(WorkloadError, match="no such workload file") as caught:
        load_workload(tmp_path / "missing.toml", shop)
    assert caught.value.line is None
    (tmp_path / "w.txt").write_text("")
    with pytest.raises(WorkloadError, match=r"name it \.toml, \.yaml, \.yml or \.json"):
        load_workload(tmp_path / "w.txt", shop)
    (tmp_path / "bad.toml").write_bytes(b"\xff\xfe")
    with pytest.raises(WorkloadError, match="not UTF-8"):
        load_workload(tmp_path / "bad.toml", shop)
    with pytest.raises(WorkloadError, match="unknown workload format 'ini'"):
        parse_workload("", fmt="ini", design=shop)


def test_a_field_in_no_key_is_accepted_so_one_workload_serves_several_designs() -> None:
    # tests/fixtures/analyze/orders.py: customer_id is a key field of one design only.
    from modelkit.schema import load_design

    root = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "analyze"
    for name in ("by_status", "by_customer"):
        design = load_design(f"{root / 'orders.py'}:{name}")
        workload = load_workload(root / "orders.workload.toml", design)
        assert "customer_id" in workload.patterns["place order"].keys
