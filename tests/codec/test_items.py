"""Whole items: stored names, unknown attributes, defaults, None, empty sets, nesting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

import modelkit
from modelkit.codec import ItemCodec, item_codec
from modelkit.codec._struct import struct_codec

UTC = dt.UTC
ROOT = Path(__file__).resolve().parents[2]


class Address(msgspec.Struct, rename="camel"):
    street_name: str
    zip_code: str | None = None


class Customer(msgspec.Struct, kw_only=True, rename={"customer_id": "id"}):
    customer_id: str
    full_name: str
    address: Address | None = None
    score: int = 7
    tags: set[str] = set()
    labels: set[str] = msgspec.field(default_factory=lambda: {"new"})
    nickname: str | None = None
    badges: frozenset[int] | None = None
    visits: list[dt.datetime] = []


class Cat(msgspec.Struct, tag=True):
    name: str


class Dog(msgspec.Struct, tag="dog"):
    good: bool = True


class Shelter(msgspec.Struct):
    pets: list[Cat | Dog]
    favourite: Cat | Dog | None = None


class Tree(msgspec.Struct):
    value: int
    children: list[Tree] = []


def test_item_codec_is_shared() -> None:
    assert item_codec(Customer) is item_codec(Customer)
    assert repr(item_codec(Customer)) == "ItemCodec(Customer)"
    assert isinstance(ItemCodec(Customer), ItemCodec)


def test_stored_names_follow_rename() -> None:
    customer = Customer(customer_id="c1", full_name="Ann", address=Address("Main St", "75002"))
    item = item_codec(Customer).encode(customer)
    assert item == {
        "id": {"S": "c1"},
        "full_name": {"S": "Ann"},
        "address": {"M": {"streetName": {"S": "Main St"}, "zipCode": {"S": "75002"}}},
        "score": {"N": "7"},
        "labels": {"L": []} if not customer.labels else {"SS": ["new"]},
        "visits": {"L": []},
    }
    assert item_codec(Customer).decode(item) == customer


def test_unknown_attributes_are_ignored() -> None:
    item = {
        "PK": {"S": "CUSTOMER#c1"},
        "SK": {"S": "PROFILE"},
        "GSI1PK": {"S": "EMAIL#a@b"},
        "_type": {"S": "Customer"},
        "expires_at": {"N": "1700000000"},
        "id": {"S": "c1"},
        "full_name": {"S": "Ann"},
        "extra": {"M": {"anything": {"L": [{"NULL": True}]}}},
    }
    assert item_codec(Customer).decode(item) == Customer(customer_id="c1", full_name="Ann")


def test_missing_attributes_read_as_defaults() -> None:
    back = item_codec(Customer).decode({"id": {"S": "c1"}, "full_name": {"S": "Ann"}})
    assert back == Customer(customer_id="c1", full_name="Ann")
    assert back.labels == {"new"} and back.tags == set() and back.visits == []
    other = item_codec(Customer).decode({"id": {"S": "c2"}, "full_name": {"S": "Bo"}})
    assert other.visits is not back.visits  # factories give fresh values


def test_none_left_out_when_the_default_is_none() -> None:
    codec = item_codec(Customer)
    item = codec.encode(Customer(customer_id="c1", full_name="Ann"))
    assert "address" not in item and "nickname" not in item and "badges" not in item
    assert "zipCode" not in item_codec(Address).encode(Address("x"))


def test_none_written_as_null_when_the_default_is_not_none() -> None:
    class Reading(msgspec.Struct):
        value: int | None = 5
        note: str | None = msgspec.field(default="n/a")

    codec = item_codec(Reading)
    item = codec.encode(Reading(None, None))
    assert item == {"value": {"NULL": True}, "note": {"NULL": True}}
    assert codec.decode(item) == Reading(None, None)
    assert codec.decode({}) == Reading(5, "n/a")


def test_null_in_a_field_that_cannot_be_none_reads_as_default() -> None:
    assert (
        item_codec(Customer)
        .decode({"id": {"S": "c1"}, "full_name": {"S": "Ann"}, "score": {"NULL": True}})
        .score
        == 7
    )


def test_empty_sets() -> None:
    """An empty set is left out where absence reads back as an empty set, else written as
    an empty list; both read back as empty sets of the declared kind."""
    codec = item_codec(Customer)
    customer = Customer(
        customer_id="c1", full_name="Ann", tags=set(), labels=set(), badges=frozenset()
    )
    item = codec.encode(customer)
    assert "tags" not in item  # default set(): absent reads back as set()
    assert item["labels"] == {"L": []}  # default {"new"}: absence would read as {"new"}
    assert item["badges"] == {"L": []}  # default None: absence would read as None
    back = codec.decode(item)
    assert back == customer and type(back.badges) is frozenset

    class Required(msgspec.Struct):
        tags: set[str]
        nested: dict[str, set[int]] = {}

    required = item_codec(Required)
    assert required.encode(Required(set(), {"a": set()})) == {"nested": {"M": {"a": {"L": []}}}}
    assert required.decode({}) == Required(set())
    assert required.decode(required.encode(Required(set(), {"a": set()}))).nested == {"a": set()}


def test_sets_read_from_their_set_type_or_an_empty_list() -> None:
    codec = item_codec(Customer)
    base = {"id": {"S": "c1"}, "full_name": {"S": "Ann"}}
    assert codec.decode({**base, "tags": {"SS": ["b", "a"]}}).tags == {"a", "b"}
    assert codec.decode({**base, "tags": {"L": []}}).tags == set()
    assert codec.decode({**base, "badges": {"NS": ["1", "2"]}}).badges == frozenset({1, 2})


def test_tagged_unions() -> None:
    codec = item_codec(Shelter)
    shelter = Shelter([Cat("Tom"), Dog(False)], favourite=Dog())
    item = codec.encode(shelter)
    assert item["pets"] == {
        "L": [
            {"M": {"name": {"S": "Tom"}, "type": {"S": "Cat"}}},
            {"M": {"good": {"BOOL": False}, "type": {"S": "dog"}}},
        ]
    }
    assert codec.decode(item) == shelter


def test_recursive_structs() -> None:
    tree = Tree(1, [Tree(2, [Tree(3)]), Tree(4)])
    codec = item_codec(Tree)
    item = codec.encode(tree)
    assert item["children"]["L"][0]["M"]["children"]["L"][0]["M"]["value"] == {"N": "3"}
    assert codec.decode(item) == tree


def test_omit_defaults_structs_leave_defaults_out() -> None:
    class Sparse(msgspec.Struct, omit_defaults=True):
        a: int = 0
        b: list[int] = []
        c: str = "x"

    codec = item_codec(Sparse)
    assert codec.encode(Sparse()) == {}
    assert codec.encode(Sparse(1, [2], "y")) == {
        "a": {"N": "1"},
        "b": {"L": [{"N": "2"}]},
        "c": {"S": "y"},
    }
    assert codec.decode({}) == Sparse()


def test_positional_and_keyword_fields() -> None:
    class Base(msgspec.Struct, kw_only=True):
        x: int

    class Mixed(Base):
        y: str
        z: float = 1.5

    codec = item_codec(Mixed)
    value = Mixed("a", x=1)
    assert codec.decode(codec.encode(value)) == value


def test_subclass_instances_encode_through_the_checked_path() -> None:
    class Special(Address):
        extra: int = 0

    item = item_codec(Address).encode(Special("x", "y", extra=3))
    assert item == {"streetName": {"S": "x"}, "zipCode": {"S": "y"}}


def test_non_ascii_and_converted_values_take_the_checked_path() -> None:
    """Values the fast path passes on (non-ASCII text, other zones, naive datetimes, whole
    seconds, str subclasses) give the same result through the checked path."""
    paris = dt.timezone(dt.timedelta(hours=2))
    visits = [
        dt.datetime(2024, 5, 1, 14, 0, tzinfo=paris),
        dt.datetime(2024, 5, 1, 12, 0, 0, 1, tzinfo=UTC),
        dt.datetime(2024, 5, 1, 12, 0),
    ]
    customer = Customer(customer_id="c-é", full_name="Zoë", visits=visits)
    codec = item_codec(Customer)
    item = codec.encode(customer)
    assert item["id"] == {"S": "c-é"}
    assert item["visits"]["L"] == [
        {"S": "2024-05-01T12:00:00.000000Z"},
        {"S": "2024-05-01T12:00:00.000001Z"},
        {"S": "2024-05-01T12:00:00.000000"},
    ]
    assert codec.decode(item) == customer
    sc = struct_codec(Customer)
    assert sc.encode_item(customer) == item and sc.decode_item(item) == codec.decode(item)


def test_generated_source_is_readable() -> None:
    source = struct_codec(Address).source
    assert source.startswith("def encode(obj):") and "def decode(item):" in source


@pytest.mark.parametrize("path", sorted((ROOT / "schemas").glob("*.py")), ids=lambda p: p.stem)
def test_stored_names_agree_with_the_design(path: Path) -> None:
    """The codec writes each field under the attribute name the compiled design records."""
    for entity in modelkit.load_design(str(path)).entities:
        item_codec(entity.struct)
        plans = {plan.name: plan.attr for plan in struct_codec(entity.struct).fields}
        assert plans == {f.name: f.attribute or f.name for f in entity.fields}


def test_order_item_shape() -> None:
    design = modelkit.load_design(str(ROOT / "schemas" / "ecommerce.py"))
    order_type: Any = design.entity("Order").struct
    order = msgspec.convert(
        {
            "customer_id": "c-42",
            "order_id": "o-1",
            "placed_at": "2024-05-01T14:30:00+02:00",
            "status": "PAID",
            "total": "19.90",
        },
        order_type,
    )
    item = item_codec(order_type).encode(order)
    assert item == {
        "customer_id": {"S": "c-42"},
        "order_id": {"S": "o-1"},
        "placed_at": {"S": "2024-05-01T12:30:00.000000Z"},
        "status": {"S": "PAID"},
        "total": {"N": "19.90"},
    }
    assert item_codec(order_type).decode(item) == order
    assert item_codec(order_type).decode(item).total == Decimal("19.90")


def test_keyword_field_names_use_the_checked_path() -> None:
    odd = msgspec.defstruct("Odd", [("class", int), ("b", str)])
    codec = item_codec(odd)
    value = odd(1, "x")
    assert codec.encode(value) == {"class": {"N": "1"}, "b": {"S": "x"}}
    assert codec.decode(codec.encode(value)) == value
