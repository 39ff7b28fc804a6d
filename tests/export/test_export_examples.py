"""example_item and to_attribute_value: plausible, deterministic items whose keys parse back
to their fields, and exact AttributeValues."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest
from export_checks import DESIGN_FILES, DESIGN_IDS, load

from modelkit import PRIMARY, keys_for
from modelkit.schema._examples import example_item, to_attribute_value


@pytest.mark.parametrize("path", DESIGN_FILES, ids=DESIGN_IDS)
def test_example_items(path: Path) -> None:
    design = load(path)
    keys = keys_for(design)
    for entity in design.entities:
        first = example_item(design, entity.name)
        assert example_item(design, entity.name, seed=0) == first, "deterministic"
        primary = [
            tuple(example_item(design, entity.name, s)[a] for a in (design.pk, design.sk) if a)
            for s in range(5)
        ]
        assert len(set(primary)) == 5, "each seed gives another primary key"
        for seed in range(3):
            item = example_item(design, entity.name, seed)
            assert item[design.type_attribute] == entity.type_value
            assert next(iter(item)) == design.pk
            stored = {f.attribute or f.name: f for f in entity.fields}
            assert set(stored) <= set(item), "every field, optional ones too"
            values = {stored[a].name: item[a] for a in stored}
            assert all(v is not None for v in values.values())
            for index_key in entity.keys:
                index = design.index(index_key.index)
                sk = item[index.sk] if index.sk else None
                pk = item[design.pk if index.kind == "lsi" else index.pk]
                parsed = keys[entity.name].parse(index_key.index, pk, sk)
                assert parsed == {f: values[f] for f in parsed}, (entity.name, index.name)
            assert keys.parse(item[design.pk], item.get(design.sk or "")).entity == entity.name
            fields = {a: item[a] for a in stored}
            assert msgspec.convert(fields, entity.struct, strict=False) is not None
            if design.ttl_attribute and entity.ttl_field:
                expiry = values[entity.ttl_field]
                if isinstance(expiry, dt.datetime):
                    expiry = int(expiry.timestamp())
                assert item[design.ttl_attribute] == expiry
                assert expiry > dt.datetime.now(dt.UTC).timestamp(), "not expired at once"
            for value in item.values():
                to_attribute_value(value)
        assert PRIMARY in {k.index for k in entity.keys}


def test_inventory_example_values() -> None:
    design = load(next(p for p in DESIGN_FILES if p.name == "design_inventory.py"))
    item = example_item(design, "Stock", seed=1)
    assert item["kind"] == "Stock"
    assert item["pk"] == "WH#w-43"
    assert item["sk"] == "STOCK#SKU-1001"
    assert item["sku_key"] == "SKU#SKU-1001"
    assert item["received_sk"] == "RECEIVED#2024-05-02"
    assert item["region"] == "eu"  # msgspec sorts Literal values: ap, eu, us
    assert len(item["sku"]) <= 12
    assert 0 <= item["quantity"] <= 10_000
    assert item["address"]["zip_code"] == "zip-c"
    assert isinstance(item["batch"], uuid.UUID)
    assert item["expires"] == int(item["expires_at"].timestamp())
    assert example_item(design, "Warehouse", 0)["name"] == "Ada Lovelace"


class Colour(enum.Enum):
    RED = "red"


class Point(msgspec.Struct, tag="point", rename="camel"):
    x_value: int
    label: str | None = None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", {"S": "text"}),
        (True, {"BOOL": True}),
        (None, {"NULL": True}),
        (42, {"N": "42"}),
        (-(10**30), {"N": "-1000000000000000000000000000000"}),
        (Decimal("19.99"), {"N": "19.99"}),
        (Decimal("1E+2"), {"N": "100"}),
        (0.1, {"N": "0.1"}),
        (1e-7, {"N": "0.0000001"}),
        (b"\x00\xff", {"B": "AP8="}),
        (dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC), {"S": "2024-05-01T12:30:00+00:00"}),
        (dt.date(2024, 5, 1), {"S": "2024-05-01"}),
        (uuid.UUID(int=1), {"S": "00000000-0000-0000-0000-000000000001"}),
        (Colour.RED, {"S": "red"}),
        ([1, "a"], {"L": [{"N": "1"}, {"S": "a"}]}),
        ({"b", "a"}, {"SS": ["a", "b"]}),
        (frozenset({2, 1}), {"NS": ["1", "2"]}),
        ({b"b", b"a"}, {"BS": ["YQ==", "Yg=="]}),
        ({"k": {"n": 1}}, {"M": {"k": {"M": {"n": {"N": "1"}}}}}),
        (
            Point(3),
            {"M": {"type": {"S": "point"}, "xValue": {"N": "3"}, "label": {"NULL": True}}},
        ),
        (dt.timedelta(minutes=1), {"S": "PT60S"}),
    ],
)
def test_to_attribute_value(value: object, expected: dict[str, object]) -> None:
    assert to_attribute_value(value) == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (float("nan"), ValueError),
        (Decimal("Infinity"), ValueError),
        (set(), ValueError),
        (object(), TypeError),
    ],
)
def test_to_attribute_value_refuses(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        to_attribute_value(value)
