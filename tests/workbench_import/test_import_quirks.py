"""Small synthetic models: inference rules, and each quirk reported as a warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from import_checks import exported_key_schema, finding_codes, key_schema, run_import

from modelkit.errors import LoadError
from modelkit.schema import PRIMARY, OnDemand, Provisioned, TableDesign
from modelkit.workbench_import import read_model, read_model_file


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _table(name: str = "App", **extra: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "TableName": name,
        "KeyAttributes": {
            "PartitionKey": {"AttributeName": "PK", "AttributeType": "S"},
            "SortKey": {"AttributeName": "SK", "AttributeType": "S"},
        },
        "TableData": [
            {"PK": _s("c#123"), "SK": _s("PROFILE"), "customer_id": _s("123"), "age": {"N": "4"}},
            {"PK": _s("c#456"), "SK": _s("PROFILE"), "customer_id": _s("456"), "age": {"N": "5"}},
        ],
    }
    table.update(extra)
    return table


def _model(*tables: dict[str, Any], **extra: Any) -> dict[str, Any]:
    model = {"ModelName": "m", "ModelMetadata": {"Version": "3.0"}, "DataModel": list(tables)}
    model.update(extra)
    return model


def _write(tmp_path: Path, model: dict[str, Any]) -> Path:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model))
    return path


def _import(tmp_path: Path, model: dict[str, Any]) -> tuple[list[str], TableDesign]:
    result, design = run_import(_write(tmp_path, model), tmp_path)
    return result.warnings, design


def _keys(design: TableDesign, entity: int = 0) -> dict[str, tuple[str, str | None]]:
    keys = design.entities[entity].keys
    return {k.index: (k.pk.text, k.sk.text if k.sk else None) for k in keys}


def test_templates_match_attributes_and_keep_literal_keys(tmp_path: Path) -> None:
    warnings, design = _import(tmp_path, _model(_table()))
    assert warnings == []
    assert _keys(design) == {PRIMARY: ("c#{customer_id}", "PROFILE")}
    assert [(f.name, f.type) for f in design.entities[0].fields] == [
        ("customer_id", "str"),
        ("age", "int"),
    ]
    assert finding_codes(tmp_path / "imported.py") == []
    lines = (tmp_path / "imported.items.jsonl").read_text().splitlines()
    assert json.loads(lines[1]) == {"entity": "AppItem", "item": {"customer_id": "456", "age": 5}}


def test_unmatched_segments_are_named_after_the_key_attribute(tmp_path: Path) -> None:
    table = _table()
    table["KeyAttributes"]["PartitionKey"]["AttributeName"] = "TenantID"
    for item in table["TableData"]:
        item["TenantID"] = item.pop("PK")
        del item["customer_id"]
    _, design = _import(tmp_path, _model(table))
    assert _keys(design) == {PRIMARY: ("c#{tenant_id}", "PROFILE")}


def test_projections_are_kept_and_exported(tmp_path: Path) -> None:
    gsis = [
        {
            "IndexName": "ByAge",
            "KeyAttributes": {"PartitionKey": {"AttributeName": "AgeKey", "AttributeType": "S"}},
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["customer_id"]},
        },
        {
            "IndexName": "Keys",
            "KeyAttributes": {
                "PartitionKey": {"AttributeName": "SK", "AttributeType": "S"},
                "SortKey": {"AttributeName": "PK", "AttributeType": "S"},
            },
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        },
    ]
    table = _table(GlobalSecondaryIndexes=gsis)
    table["TableData"][0]["AgeKey"] = _s("AGE#4")
    path = _write(tmp_path, _model(table))
    _, design = run_import(path, tmp_path)
    assert [(i.name, i.projection.kind, i.projection.attributes) for i in design.gsis] == [
        ("ByAge", "INCLUDE", ("customer_id",)),
        ("Keys", "KEYS_ONLY", ()),
    ]
    assert _keys(design)["ByAge"] == ("AGE#{age}", None)
    assert exported_key_schema(design) == key_schema(json.loads(path.read_text()))
    # A real finding: every profile lands in the one partition "PROFILE" of the Keys index.
    assert finding_codes(tmp_path / "imported.py") == ["warning:constant-partition-key"]


def test_several_tables_import_the_first_or_the_named_one(tmp_path: Path) -> None:
    model = _model(_table("One"), _table("Two"))
    warnings, design = _import(tmp_path, model)
    assert design.name == "One"
    assert warnings == [
        f"{tmp_path / 'model.json'}: 2 tables (One, Two); imported 'One' "
        "(choose another with --table)"
    ]
    assert read_model(model, "m.json", "Two").name == "Two"
    with pytest.raises(LoadError, match=r"^m.json: no table 'Three' \(tables: One, Two\)$"):
        read_model(model, "m.json", "Three")


def test_maps_wrapped_twice_are_unwrapped(tmp_path: Path) -> None:
    table = _table()
    for item in table["TableData"]:
        item["address"] = {"S": {"M": {"city": _s("Oslo")}}}
    warnings, design = _import(tmp_path, _model(table))
    where = f"{tmp_path / 'model.json'}: table 'App'"
    assert warnings == [
        f"{where}: TableData[{n}].address: a S value wraps another attribute value; unwrapped"
        for n in (0, 1)
    ]
    assert design.entities[0].field("address") is not None
    first = (tmp_path / "imported.items.jsonl").read_text().splitlines()[0]
    assert json.loads(first)["item"]["address"] == {"city": "Oslo"}


def test_key_attributes_with_hash_or_dash_become_snake_case_fields(tmp_path: Path) -> None:
    table = _table()
    table["KeyAttributes"]["SortKey"]["AttributeName"] = "Kind#Date"
    table["GlobalSecondaryIndexes"] = [
        {
            "IndexName": "GSI1",
            "KeyAttributes": {"PartitionKey": {"AttributeName": "GSI1-PK", "AttributeType": "S"}},
        }
    ]
    for n, item in enumerate(table["TableData"]):
        del item["SK"]
        item["Kind#Date"] = _s(f"x{n}#2024-05-0{n + 1}")
        item["GSI1-PK"] = _s(f"v{n}")
    warnings, design = _import(tmp_path, _model(table))
    where = f"{tmp_path / 'model.json'}: table 'App'"
    assert warnings == [
        f"{where}: key attribute 'Kind#Date' is not a Python name; its fields are named in "
        "snake_case",
        f"{where}: key attribute 'GSI1-PK' is not a Python name; its fields are named in "
        "snake_case",
    ]
    assert _keys(design) == {
        PRIMARY: ("c#{customer_id}", "{kind}#{date}"),
        "GSI1": ("{gsi1_pk}", None),
    }
    assert finding_codes(tmp_path / "imported.py") == []


def test_facets_without_items_and_unknown_keys_are_warnings(tmp_path: Path) -> None:
    items = _table()["TableData"]
    facets = [
        {"FacetName": "customer", "KeyAttributeAlias": {}, "TableData": items},
        {"FacetName": "order", "KeyAttributeAlias": {}},
    ]
    table = _table(TableFacets=facets, Colour="blue")
    del table["TableData"]
    warnings, design = _import(tmp_path, _model(table, Extra=1))
    source = tmp_path / "model.json"
    assert warnings == [
        f"{source}: unknown keys ignored: Extra",
        f"{source}: table 'App': unknown keys ignored: Colour",
        f"{source}: table 'App': TableFacets[1]: facet 'order' has no sample items; no "
        "entity for it",
    ]
    assert [e.name for e in design.entities] == ["Customer"]


def test_facet_items_may_use_the_key_aliases(tmp_path: Path) -> None:
    items = [{"Id": _s("c#1"), "Sort": _s("PROFILE")}, {"Id": _s("c#2"), "Sort": _s("PROFILE")}]
    alias = {"PartitionKeyAlias": "Id", "SortKeyAlias": "Sort"}
    facets = [{"FacetName": "customer", "KeyAttributeAlias": alias, "TableData": items}]
    table = _table(TableFacets=facets)
    del table["TableData"]
    _, design = _import(tmp_path, _model(table))
    assert _keys(design) == {PRIMARY: ("c#{c_id}", "PROFILE")}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1}', "not a NoSQL Workbench model (no DataModel list)"),
        ("[1, 2]", "not a NoSQL Workbench model (no DataModel list)"),
        ('{"DataModel": []}', "DataModel holds no table"),
        ('{\n "DataModel": [\n', "not a NoSQL Workbench model (invalid JSON: Expecting value)"),
    ],
)
def test_a_file_that_is_not_a_model_is_one_line_error(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "notes.json"
    path.write_text(text)
    with pytest.raises(LoadError) as caught:
        read_model_file(path)
    shown = str(caught.value)
    assert "\n" not in shown
    assert shown.startswith(str(path)) and shown.endswith(message)


def test_number_keys_and_plain_values_are_warnings(tmp_path: Path) -> None:
    table = _table()
    table["KeyAttributes"]["SortKey"]["AttributeType"] = "N"
    for n, item in enumerate(table["TableData"]):
        item["SK"] = {"N": str(n + 1)}
        item["note"] = "plain"
    warnings, design = _import(tmp_path, _model(table))
    where = f"{tmp_path / 'model.json'}: table 'App'"
    assert warnings == [
        f"{where}: KeyAttributes.SortKey: SK is N; imported as a string key",
        f"{where}: TableData[0].note: not a typed attribute value; read as plain JSON",
        f"{where}: TableData[1].note: not a typed attribute value; read as plain JSON",
    ]
    assert _keys(design) == {PRIMARY: ("c#{customer_id}", "{sk}")}
    lines = (tmp_path / "imported.items.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["item"] == {
        "sk": "1",
        "customer_id": "123",
        "age": 4,
        "note": "plain",
    }


def test_items_without_the_table_key_are_skipped(tmp_path: Path) -> None:
    table = _table()
    table["TableData"].append({"PK": _s("c#789"), "customer_id": _s("789")})
    warnings, _ = _import(tmp_path, _model(table))
    assert warnings == [
        f"{tmp_path / 'model.json'}: table 'App': TableData[2]: no SK; the item is skipped"
    ]
    assert len((tmp_path / "imported.items.jsonl").read_text().splitlines()) == 2


def test_segments_that_keys_would_escape_are_warnings(tmp_path: Path) -> None:
    table = _table()
    table["TableData"][0]["PK"] = _s("c#1 2")
    warnings, _ = _import(tmp_path, _model(table))
    assert warnings == [
        'AppItem: values of c_id hold characters keys escape (space, !, ", $ and below); '
        "formatted PK values will differ"
    ]


def test_a_type_attribute_facets_disagree_on_becomes_a_field(tmp_path: Path) -> None:
    items = _table()["TableData"]
    items[0]["EntityType"] = _s("customer")
    items[1]["EntityType"] = _s("client")
    facets = [{"FacetName": "customer", "KeyAttributeAlias": {}, "TableData": items}]
    table = _table(TableFacets=facets)
    del table["TableData"]
    warnings, design = _import(tmp_path, _model(table))
    assert warnings == [
        "App: the items of an entity disagree on EntityType; it is imported as a field"
    ]
    assert design.type_attribute == "_type"
    assert design.entities[0].field("entity_type") is not None


def test_entities_never_take_the_names_the_module_imports(tmp_path: Path) -> None:
    items = _table()["TableData"]
    facets = [{"FacetName": "key", "KeyAttributeAlias": {}, "TableData": items}]
    table = _table(TableFacets=facets)
    del table["TableData"]
    _, design = _import(tmp_path, _model(table))
    assert [e.name for e in design.entities] == ["KeyEntity"]


def test_provisioned_capacity_is_kept_or_imported_on_demand(tmp_path: Path) -> None:
    """Capacity DynamoDB accepts is kept; zero units (models drawn without any) would not
    compile, so that table is imported on demand, with a warning."""

    def provisioned(rcu: Any, wcu: Any) -> dict[str, Any]:
        units = {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}
        return _table(
            BillingMode="PROVISIONED",
            ProvisionedCapacitySettings={"ProvisionedThroughput": units},
        )

    warnings, design = _import(tmp_path, _model(provisioned(5, 2)))
    assert design.billing == Provisioned(rcu=5, wcu=2)
    assert warnings == []
    warnings, design = _import(tmp_path, _model(provisioned(0, 0)))
    assert design.billing == OnDemand()
    assert warnings == [
        f"{tmp_path / 'model.json'}: table 'App': provisioned capacity 0 RCU, 0 WCU is not "
        "DynamoDB's (whole units, at least 1); the table is imported on demand"
    ]
