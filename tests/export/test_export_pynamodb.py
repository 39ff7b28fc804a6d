"""pynamodb export: the generated module imports, creates each design's table on moto
(in-process) with the design's keys and indexes, and writes and reads items."""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from export_checks import DESIGN_FILES, DESIGN_IDS, assert_table_matches, load
from moto import mock_aws
from services import DUMMY_AWS_ENV

from modelkit.export import model_class_name, pynamodb_module
from modelkit.schema import TableDesign
from modelkit.schema._examples import example_item


@pytest.fixture(autouse=True)
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in DUMMY_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def _import(design: TableDesign, folder: Path) -> ModuleType:
    path = folder / f"{design.name.replace('-', '_')}_models.py"
    path.write_text(pynamodb_module(design))
    spec = importlib.util.spec_from_file_location(f"generated_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _model(design: TableDesign, folder: Path) -> Any:
    return getattr(_import(design, folder), model_class_name(design))


@pytest.mark.parametrize("path", DESIGN_FILES, ids=DESIGN_IDS)
def test_generated_model_creates_the_designed_table(path: Path, tmp_path: Path) -> None:
    design = load(path)
    model = _model(design, tmp_path)
    assert model.Meta.table_name == design.name
    model.create_table(wait=True)
    client = boto3.client("dynamodb", region_name="us-east-1")
    table = client.describe_table(TableName=design.name)["Table"]
    assert_table_matches(table, design, streams=True)
    ttl = client.describe_time_to_live(TableName=design.name)["TimeToLiveDescription"]
    if design.ttl_attribute is None:
        assert ttl["TimeToLiveStatus"] == "DISABLED"
    else:
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": design.ttl_attribute}


@pytest.mark.parametrize("path", DESIGN_FILES, ids=DESIGN_IDS)
def test_generated_source_is_clean(path: Path, tmp_path: Path) -> None:
    source = tmp_path / "models.py"
    source.write_text(pynamodb_module(load(path)))
    ruff = str(Path(sys.executable).parent / "ruff")
    rules = ["--isolated", "--select", "E,F,W,I,UP,B,SIM,RUF"]
    for command in (
        [ruff, "check", *rules, str(source)],
        [ruff, "format", "--check", "--diff", "--isolated", str(source)],
    ):
        done = subprocess.run(command, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    "name", ["ecommerce.py", "design_inventory.py", "design_sessions.py", "design_global.py"]
)
def test_items_round_trip_through_the_generated_model(name: str, tmp_path: Path) -> None:
    design = load(next(p for p in DESIGN_FILES if p.name == name))
    model = _model(design, tmp_path)
    model.create_table(wait=True)
    by_attribute = {a.attr_name: python for python, a in model.get_attributes().items()}
    client = boto3.client("dynamodb", region_name="us-east-1")
    for entity in design.entities:
        item = example_item(design, entity.name, seed=2)
        values: dict[str, Any] = {}
        for attribute, python in by_attribute.items():
            if attribute not in item:
                continue
            value = item[attribute]
            if attribute == design.ttl_attribute:
                value = dt.datetime.fromtimestamp(value, dt.UTC)
            values[python] = value
        model(**values).save()

        keys = [item[design.pk]] + ([item[design.sk]] if design.sk else [])
        found = model.get(*keys)
        for python, value in values.items():
            assert getattr(found, python) == value, (entity.name, python)
        stored = client.get_item(
            TableName=design.name,
            Key={a: {"S": item[a]} for a in (design.pk, design.sk) if a is not None},
        )["Item"]
        assert stored[design.type_attribute] == {"S": entity.type_value}
        ttl = design.ttl_attribute
        if ttl is not None and ttl in item:
            assert stored[ttl] == {"N": str(item[ttl])}, "TTL stored as epoch seconds"

        for index_key in entity.keys:
            index = design.index(index_key.index)
            if index.kind == "table":
                continue
            python_index = next(
                getattr(model, n) for n in dir(model)
                if getattr(getattr(model, n), "Meta", None) is not None
                and getattr(getattr(model, n).Meta, "index_name", None) == index.name
            )  # fmt: skip
            index_pk = design.pk if index.kind == "lsi" else index.pk
            hits = list(python_index.query(item[index_pk]))
            assert any(getattr(h, by_attribute[design.pk]) == item[design.pk] for h in hits), (
                entity.name,
                index.name,
            )
