"""nosql-workbench export and the Workbench key-schema reader: every design exports to a 3.0
model that reads back to its key schema; the reader knows the four published models."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from export_checks import DESIGN_FILES, DESIGN_IDS, ROOT, load

from modelkit import keys_for
from modelkit.errors import LoadError
from modelkit.export import create_table_input, export, read_workbench_key_schema, workbench_model

#: Published NoSQL Workbench models, copied from shared/data/models with their licences.
MODELS = ROOT / "tests" / "fixtures" / "workbench"
WHEN = dt.datetime(2024, 5, 1, 21, 18, tzinfo=dt.UTC)


def _published(relative: str) -> dict[str, Any]:
    path = MODELS / relative
    assert path.exists(), f"published model {path} is missing (see {MODELS}/README.md)"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _keys(pk: str, sk: str | None = None) -> list[dict[str, str]]:
    keys = [{"AttributeName": pk, "KeyType": "HASH"}]
    if sk is not None:
        keys.append({"AttributeName": sk, "KeyType": "RANGE"})
    return keys


def _index(name: str, pk: str, sk: str | None, kind: str = "ALL") -> dict[str, Any]:
    return {"IndexName": name, "KeySchema": _keys(pk, sk), "Projection": {"ProjectionType": kind}}


@pytest.mark.parametrize("path", DESIGN_FILES, ids=DESIGN_IDS)
def test_export_reads_back_to_the_key_schema(path: Path) -> None:
    design = load(path)
    model = json.loads(export(design, "nosql-workbench"))
    read = read_workbench_key_schema(model)
    assert read["ModelName"] == design.name
    assert read["Version"] == "3.0"
    (table,) = read["Tables"]
    expected = create_table_input(design)
    assert table["TableName"] == expected["TableName"]
    assert table["KeySchema"] == expected["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        expected["AttributeDefinitions"], key=str
    )
    gsis = [
        {k: v for k, v in g.items() if k != "ProvisionedThroughput"}
        for g in expected.get("GlobalSecondaryIndexes", [])
    ]
    assert table["GlobalSecondaryIndexes"] == gsis
    assert table["LocalSecondaryIndexes"] == expected.get("LocalSecondaryIndexes", [])
    assert table["BillingMode"] == expected["BillingMode"]
    assert table.get("ProvisionedThroughput") == expected.get("ProvisionedThroughput")
    assert [f["FacetName"] for f in table["Facets"]] == [e.name for e in design.entities]


@pytest.mark.parametrize("path", DESIGN_FILES, ids=DESIGN_IDS)
def test_facets_hold_example_items_of_their_entity(path: Path) -> None:
    design = load(path)
    model = workbench_model(design, when=WHEN)
    assert model["ModelMetadata"]["Version"] == "3.0"
    assert model["ModelMetadata"]["DateCreated"] == "May 01, 2024, 09:18 PM"
    (table,) = model["DataModel"]
    declared = {a["AttributeName"]: a["AttributeType"] for a in table["NonKeyAttributes"]}
    assert design.pk not in declared and design.sk not in declared
    keys = keys_for(design)
    for entity, facet in zip(design.entities, table["TableFacets"], strict=True):
        primary = entity.key()
        assert primary is not None
        assert facet["KeyAttributeAlias"]["PartitionKeyAlias"] == primary.pk.text
        items = facet["TableData"]
        assert len(items) == 3
        table_keys = {(i[design.pk]["S"], i.get(design.sk, {}).get("S")) for i in items}
        assert len(table_keys) == 3, "each seed gives another key"
        for item in items:
            assert item[design.type_attribute] == {"S": entity.type_value}
            pk, sk = item[design.pk]["S"], item.get(design.sk, {}).get("S")
            assert keys.parse(pk, sk).entity == entity.name
            for index_key in entity.keys:
                index = design.index(index_key.index)
                for attribute in (index.pk, index.sk):
                    if attribute is not None:
                        assert "S" in item[attribute], (entity.name, attribute)
            for attribute, value in item.items():
                if attribute not in (design.pk, design.sk):
                    assert attribute in facet["NonKeyAttributes"]
                    assert declared[attribute] in value


def test_export_is_deterministic_apart_from_the_date() -> None:
    design = load(next(p for p in DESIGN_FILES if p.name == "design_inventory.py"))
    assert workbench_model(design, when=WHEN) == workbench_model(design, when=WHEN)


def test_lsis_and_capacity_are_written() -> None:
    design = load(next(p for p in DESIGN_FILES if p.name == "design_inventory.py"))
    (table,) = workbench_model(design, when=WHEN)["DataModel"]
    assert table["LocalSecondaryIndexes"] == [
        {
            "IndexName": "by-received",
            "KeyAttributes": {
                "PartitionKey": {"AttributeName": "pk", "AttributeType": "S"},
                "SortKey": {"AttributeName": "received_sk", "AttributeType": "S"},
            },
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ]
    assert table["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedCapacitySettings"] == {
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 4}
    }
    shop = load(next(p for p in DESIGN_FILES if p.name == "ecommerce.py"))
    (table,) = workbench_model(shop, when=WHEN)["DataModel"]
    assert "LocalSecondaryIndexes" not in table
    assert "ProvisionedCapacitySettings" not in table


def test_reads_online_shop() -> None:
    for name in ("AnOnlineShop_14.json", "AnOnlineShop_facets.json"):
        read = read_workbench_key_schema(_published(f"online-shop/{name}"))
        assert read["Version"] == "1.0"
        (table,) = read["Tables"]
        assert table["TableName"] == "OnlineShop"
        assert table["KeySchema"] == _keys("PK", "SK")
        assert table["GlobalSecondaryIndexes"] == [
            _index("GSI1", "GSI1-PK", "GSI1-SK"),
            _index("GSI2", "GSI2-PK", "GSI2-SK"),
        ]
        assert table["LocalSecondaryIndexes"] == []
        assert table["BillingMode"] is None
    (faceted,) = read["Tables"]
    assert [f["FacetName"] for f in faceted["Facets"]] == [
        "customer", "product", "warehouse", "warehouseItem", "orderItem",
        "shipment", "shipmentItem", "invoice", "payment",
    ]  # fmt: skip
    assert faceted["Facets"][0]["KeyAttributeAlias"] == {
        "PartitionKeyAlias": "PK",
        "SortKeyAlias": "SK",
    }


def test_reads_device_state_log() -> None:
    read = read_workbench_key_schema(_published("device-state-log/DeviceStateLog_7.json"))
    assert read["Version"] == "1.0"
    (table,) = read["Tables"]
    assert table["TableName"] == "DeviceStateLog"
    assert table["KeySchema"] == _keys("DeviceID", "State#Date")
    assert table["GlobalSecondaryIndexes"] == [
        _index("GSI1", "Operator", "Date"),
        _index("GSI2", "EscalatedTo", "State#Date"),
    ]
    assert {d["AttributeName"] for d in table["AttributeDefinitions"]} == {
        "DeviceID", "State#Date", "Operator", "Date", "EscalatedTo",
    }  # fmt: skip


def test_reads_session_management_with_its_inverted_index() -> None:
    read = read_workbench_key_schema(_published("session-management/SessionManagementSchema.json"))
    assert read["ModelName"] == "Session management step by step"
    assert read["Version"] == "3.0"
    (table,) = read["Tables"]
    assert table["TableName"] == "session_store"
    assert table["KeySchema"] == _keys("PK", "SK")
    assert table["GlobalSecondaryIndexes"] == [_index("GSI1_inverse", "SK", "PK")]
    assert table["AttributeDefinitions"] == [
        {"AttributeName": "PK", "AttributeType": "S"},
        {"AttributeName": "SK", "AttributeType": "S"},
    ]
    assert table["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    assert table["Facets"] == []


def test_reads_retail_cart() -> None:
    read = read_workbench_key_schema(_published("retail-cart/CartModel.json"))
    assert read["Version"] == "2.0"
    (table,) = read["Tables"]
    assert table["TableName"] == "CartTable"
    assert table["KeySchema"] == _keys("CustomerID", "Status#Date")
    assert table["GlobalSecondaryIndexes"] == [_index("GSI-SKU", "ItemSKU", "Status#Date")]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ([], "JSON object"),
        ({"DataModel": []}, "holds no table"),
        ({"DataModel": [{"KeyAttributes": {}}]}, r"DataModel\[0\]\.TableName"),
        (
            {"DataModel": [{"TableName": "t", "KeyAttributes": {"SortKey": {}}}]},
            r"DataModel\[0\]\.KeyAttributes\.PartitionKey\.AttributeName is missing",
        ),
        (
            {
                "DataModel": [
                    {
                        "TableName": "t",
                        "KeyAttributes": {"PartitionKey": {"AttributeName": "a"}},
                        "GlobalSecondaryIndexes": [
                            {
                                "IndexName": "g",
                                "KeyAttributes": {
                                    "PartitionKey": {"AttributeName": "a", "AttributeType": "N"}
                                },
                            }
                        ],
                    }
                ]
            },
            "a is N here but S elsewhere",
        ),
    ],
)
def test_reader_names_what_is_wrong(model: Any, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        read_workbench_key_schema(model)
