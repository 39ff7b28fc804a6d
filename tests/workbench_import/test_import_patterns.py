"""The access patterns ``modelkit import`` infers from the keys: the exact patterns of the
published models, every one answered by DynamoDB (moto) with the sample items, and
``modelkit analyze`` running on the module with the placeholder workload written beside it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner
from import_checks import PUBLISHED, finding_codes, run_import
from moto import mock_aws
from services import DUMMY_AWS_ENV

from modelkit.cli import main
from modelkit.dynamo import connect, connect_dynamodb, deploy
from modelkit.schema import PRIMARY, TableDesign
from modelkit.workbench_import._patterns import infer_patterns
from modelkit.workbench_import._read import ReadIndex, ReadModel
from modelkit.workbench_import._render import render_module
from modelkit.workbench_import._templates import EntityPlan, FieldPlan

Row = tuple[str, str, str, tuple[str, ...]]
#: (pattern runs, sample items) per published model.
RUNS = {
    "device-state-log": (34, 11),
    "online-shop": (74, 19),
    "online-shop-facets": (82, 20),
    "retail-cart": (15, 5),
    "session-management": (24, 6),
}


def _patterns(design: TableDesign) -> list[Row]:
    return [(p.name, p.op, p.index, p.given) for p in design.patterns]


def test_online_shop_patterns(tmp_path: Path) -> None:
    _, design = run_import(PUBLISHED["online-shop"], tmp_path)
    assert _patterns(design) == [
        ("Customer by c_id", "get", PRIMARY, ("c_id",)),
        ("Product by p_id", "get", PRIMARY, ("p_id",)),
        ("Warehouse by w_id", "get", PRIMARY, ("w_id",)),
        ("WarehouseItem by p_id and w_id", "get", PRIMARY, ("p_id", "w_id")),
        ("WarehouseItem list by p_id", "query", PRIMARY, ("p_id",)),
        ("WarehouseItem list by w_id on GSI2", "query", "GSI2", ("w_id",)),
        ("OrderItem by o_id and p_id", "get", PRIMARY, ("o_id", "p_id")),
        ("OrderItem list by o_id", "query", PRIMARY, ("o_id",)),
        ("OrderItem list by p_id on GSI1", "query", "GSI1", ("p_id",)),
        ("OrderItem list by c_id on GSI2", "query", "GSI2", ("c_id",)),
        ("Order by o_id and c_id", "get", PRIMARY, ("o_id", "c_id")),
        ("Order list by o_id", "query", PRIMARY, ("o_id",)),
        ("Invoice by o_id and i_id", "get", PRIMARY, ("o_id", "i_id")),
        ("Invoice list by o_id", "query", PRIMARY, ("o_id",)),
        ("Invoice list by i_id on GSI1", "query", "GSI1", ("i_id",)),
        ("Invoice list by c_id on GSI2", "query", "GSI2", ("c_id",)),
        ("Shipment by o_id and sh_id", "get", PRIMARY, ("o_id", "sh_id")),
        ("Shipment list by o_id", "query", PRIMARY, ("o_id",)),
        ("Shipment list by sh_id on GSI1", "query", "GSI1", ("sh_id",)),
        ("Shipment list by w_id on GSI2", "query", "GSI2", ("w_id",)),
        ("ShipmentItem by o_id and shp_id", "get", PRIMARY, ("o_id", "shp_id")),
        ("ShipmentItem list by o_id", "query", PRIMARY, ("o_id",)),
        ("ShipmentItem list by sh_id on GSI1", "query", "GSI1", ("sh_id",)),
        ("Product and WarehouseItem by p_id", "query", PRIMARY, ("p_id",)),
        (
            "OrderItem, Order, Invoice, Shipment and ShipmentItem by o_id",
            "query",
            PRIMARY,
            ("o_id",),
        ),
        ("Shipment and ShipmentItem by sh_id on GSI1", "query", "GSI1", ("sh_id",)),
        ("WarehouseItem and Shipment by w_id on GSI2", "query", "GSI2", ("w_id",)),
        ("OrderItem and Invoice by c_id on GSI2", "query", "GSI2", ("c_id",)),
    ]
    collections = {p.name: p.entities for p in design.patterns if len(p.entities) > 1}
    assert collections["OrderItem, Order, Invoice, Shipment and ShipmentItem by o_id"] == (
        "OrderItem",
        "Order",
        "Invoice",
        "Shipment",
        "ShipmentItem",
    )
    assert collections["Product and WarehouseItem by p_id"] == ("Product", "WarehouseItem")


def test_online_shop_facets_add_payments_to_the_invoice_collection(tmp_path: Path) -> None:
    _, plain = run_import(PUBLISHED["online-shop"], tmp_path / "plain")
    _, facets = run_import(PUBLISHED["online-shop-facets"], tmp_path / "facets")
    before, after = set(_patterns(plain)), set(_patterns(facets))
    assert sorted(after - before) == [
        ("Invoice and Payment by i_id on GSI1", "query", "GSI1", ("i_id",)),
        (
            "OrderItem, Shipment, ShipmentItem, Invoice and Payment by o_id",
            "query",
            PRIMARY,
            ("o_id",),
        ),
        ("Payment by o_id and pmn_id", "get", PRIMARY, ("o_id", "pmn_id")),
        ("Payment list by i_id on GSI1", "query", "GSI1", ("i_id",)),
        ("Payment list by o_id", "query", PRIMARY, ("o_id",)),
    ]
    # The facets model has no Order entity (no facet holds one).
    assert sorted(before - after) == [
        ("Order by o_id and c_id", "get", PRIMARY, ("o_id", "c_id")),
        ("Order list by o_id", "query", PRIMARY, ("o_id",)),
        (
            "OrderItem, Order, Invoice, Shipment and ShipmentItem by o_id",
            "query",
            PRIMARY,
            ("o_id",),
        ),
    ]


def test_device_state_log_patterns(tmp_path: Path) -> None:
    _, design = run_import(PUBLISHED["device-state-log"], tmp_path)
    assert _patterns(design) == [
        (
            "DeviceStateLogItem by device_id, state and date",
            "get",
            PRIMARY,
            ("device_id", "state", "date"),
        ),
        ("DeviceStateLogItem list by device_id", "query", PRIMARY, ("device_id",)),
        ("DeviceStateLogItem list by operator on GSI1", "query", "GSI1", ("operator",)),
        ("DeviceStateLogItem list by escalated_to on GSI2", "query", "GSI2", ("escalated_to",)),
    ]


def test_retail_cart_patterns(tmp_path: Path) -> None:
    _, design = run_import(PUBLISHED["retail-cart"], tmp_path)
    assert _patterns(design) == [
        (
            "CartTableItem by customer_id, status_2 and date",
            "get",
            PRIMARY,
            ("customer_id", "status_2", "date"),
        ),
        ("CartTableItem list by customer_id", "query", PRIMARY, ("customer_id",)),
        ("CartTableItem list by item_sku on GSI-SKU", "query", "GSI-SKU", ("item_sku",)),
    ]


def test_session_management_patterns(tmp_path: Path) -> None:
    _, design = run_import(PUBLISHED["session-management"], tmp_path)
    assert _patterns(design) == [
        ("SuuidChild by suuid_id and suuid_id_2", "get", PRIMARY, ("suuid_id", "suuid_id_2")),
        ("SuuidChild list by suuid_id", "query", PRIMARY, ("suuid_id",)),
        (
            "SuuidChild list by suuid_id_2 on GSI1_inverse",
            "query",
            "GSI1_inverse",
            ("suuid_id_2",),
        ),
        ("SuuidC by suuid_id and c_id", "get", PRIMARY, ("suuid_id", "c_id")),
        ("SuuidC list by suuid_id", "query", PRIMARY, ("suuid_id",)),
        ("SuuidC list by c_id on GSI1_inverse", "query", "GSI1_inverse", ("c_id",)),
        ("SuuidChild and SuuidC by suuid_id", "query", PRIMARY, ("suuid_id",)),
    ]
    assert design.patterns[-1].entities == ("SuuidChild", "SuuidC")


def test_the_module_says_the_patterns_are_inferred(tmp_path: Path) -> None:
    run_import(PUBLISHED["retail-cart"], tmp_path)
    text = (tmp_path / "imported.py").read_text()
    comment, _, patterns = text.partition("# Access patterns inferred from the keys")[2].partition(
        "\ntable.pattern("
    )
    assert "Rename them and keep only the\n# application's real access patterns" in comment
    assert patterns.startswith(
        '\n    "CartTableItem by customer_id, status_2 and date",\n    CartTableItem,\n'
        '    op="get",\n'
    )
    assert text.count("table.pattern(") == 3


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in DUMMY_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def _samples(design: TableDesign, items_file: Path) -> list[tuple[str, Any]]:
    """(entity, instance) for each line of the items file."""
    found = []
    for line in items_file.read_text().splitlines():
        record = json.loads(line)
        struct = design.entity(record["entity"]).struct
        found.append((record["entity"], msgspec.convert(record["item"], struct)))
    return found


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_every_pattern_finds_the_sample_items(name: str, tmp_path: Path, aws_env: None) -> None:
    _, design = run_import(PUBLISHED[name], tmp_path)
    samples = _samples(design, tmp_path / "imported.items.jsonl")
    runs = 0
    with mock_aws():
        client = connect_dynamodb()
        deploy(design, client)
        db = connect(design, dynamodb=client)
        for entity, item in samples:
            db[entity].put(item)
        for pattern in design.patterns:
            for entity, item in samples:
                if entity not in pattern.entities:
                    continue
                values = {f: getattr(item, f) for f in pattern.given}
                if None in values.values():  # not in this sparse index
                    continue
                found = db.query(pattern.name, **values).items
                assert item in found, (pattern.name, item)
                assert {type(i).__name__ for i in found} <= set(pattern.entities)
                if pattern.op == "get":
                    assert found == [item]
                    assert db[entity].get(**values) == item
                runs += 1
    # (pattern, sample item) pairs run: each item by every pattern that reads its entity,
    # but the device logs that were not escalated stay out of the sparse GSI2.
    assert (runs, len(samples)) == RUNS[name]


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_analyze_runs_on_the_module_and_its_workload(name: str, tmp_path: Path) -> None:
    output = tmp_path / "imported.py"
    imported = CliRunner().invoke(main, ["import", str(PUBLISHED[name]), "-o", str(output)])
    assert imported.exit_code == 0, imported.output
    result = CliRunner().invoke(main, ["analyze", str(output), "--json"])
    assert result.exit_code == 0, result.output
    (table,) = json.loads(result.stdout)["tables"]
    _, design = run_import(PUBLISHED[name], tmp_path / "again")
    assert [p["name"] for p in table["patterns"]] == [p.name for p in design.patterns]
    assert all(p["rate"] == 1.0 for p in table["patterns"])
    assert table["workload"] == str(tmp_path / "imported.workload.toml")
    assert not [a for a in table["assumptions"] if "not in the workload" in a]


def _plan(name: str, fields: list[str], **keys: tuple[str, str | None]) -> EntityPlan:
    required = [FieldPlan(f, "str", True) for f in fields]
    return EntityPlan(
        name, None, {k.replace("primary", PRIMARY): v for k, v in keys.items()}, required, []
    )


def test_fixed_keys_unanswerable_queries_and_long_collections(tmp_path: Path) -> None:
    plans = [
        _plan("Config", ["value"], primary=("CONFIG", "v1")),
        # the tenant sits behind kind in the sort key: no query can give only the tenant
        _plan(
            "Odd",
            ["tenant", "kind"],
            primary=("t#{tenant}", "ODD#{kind}#{tenant}"),
            ByKind=("KIND", "{kind}"),
        ),
        *(
            _plan(f"Part{n}", ["tenant", "part"], primary=("t#{tenant}", f"p{n}#{{part}}"))
            for n in range(5)
        ),
    ]
    patterns = infer_patterns(plans, ["ByKind"])
    found = [(p.name, p.entities, p.op, p.index, p.given) for p in patterns]
    parts = tuple(f"Part{n}" for n in range(5))
    assert found == [
        ("Config item", ("Config",), "get", PRIMARY, ()),
        ("Odd by tenant and kind", ("Odd",), "get", PRIMARY, ("tenant", "kind")),
        ("Odd list on ByKind", ("Odd",), "query", "ByKind", ()),
        *(
            pattern
            for n in range(5)
            for pattern in [
                (f"Part{n} by tenant and part", (f"Part{n}",), "get", PRIMARY, ("tenant", "part")),
                (f"Part{n} list by tenant", (f"Part{n}",), "query", PRIMARY, ("tenant",)),
            ]
        ),
        ("Part0, Part1, Part2, Part3 and Part4 by tenant", parts, "query", PRIMARY, ("tenant",)),
    ]
    model = ReadModel("App", "PK", "SK", None, gsis=[ReadIndex("ByKind", "GK", "GS")])
    module = tmp_path / "synthetic.py"
    module.write_text(render_module(model, plans, patterns, None, "m.json", "m.items.jsonl"))
    # The patterns compile and check clean; the warnings are the constant partition keys.
    assert finding_codes(module) == ["warning:constant-partition-key"] * 2
    many = [
        _plan(f"LongEntityName{n}", ["tenant", "id"], primary=("t#{tenant}", f"x{n}#{{id}}"))
        for n in range(6)
    ]
    (collection,) = [p for p in infer_patterns(many, []) if len(p.entities) > 1]
    assert collection.name == (
        "LongEntityName0, LongEntityName1, LongEntityName2 and 3 more by tenant"
    )
    assert len(collection.entities) == 6
