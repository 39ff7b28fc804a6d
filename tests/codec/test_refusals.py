"""Values DynamoDB cannot hold are refused before they are sent, naming the field."""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
import pytest

from modelkit.codec import decode_value, encode_value, item_codec
from modelkit.errors import SchemaError, ValidationError

UTC = dt.UTC


class Inner(msgspec.Struct):
    price: Decimal
    tags: set[str] = set()


class Thing(msgspec.Struct, kw_only=True):
    name: str = "x"
    ratio: float = 0.5
    amount: Decimal = Decimal(1)
    count: int = 0
    when: dt.datetime = dt.datetime(2024, 1, 1, tzinfo=UTC)
    inner: Inner = msgspec.field(default_factory=lambda: Inner(Decimal(1)))
    lines: list[Inner] = []
    notes: dict[str, str] = {}
    labels: set[str] = set()
    short: Annotated[str, msgspec.Meta(max_length=3)] = ""
    code: Annotated[str, msgspec.Meta(pattern="^[A-Z]+$")] = "A"
    small: Annotated[int, msgspec.Meta(ge=0, lt=10)] = 0
    items: Annotated[list[int], msgspec.Meta(max_length=2)] = []
    aware: Annotated[dt.datetime, msgspec.Meta(tz=True)] = dt.datetime(2024, 1, 1, tzinfo=UTC)
    naive: Annotated[dt.datetime, msgspec.Meta(tz=False)] = dt.datetime(2024, 1, 1)


CODEC = item_codec(Thing)
NAN_MESSAGE = "DynamoDB numbers are finite"


def refused(**changes: Any) -> str:
    with pytest.raises(ValidationError) as info:
        CODEC.encode(Thing(**changes))
    return str(info.value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_float_nan_and_infinity(value: float) -> None:
    assert refused(ratio=value).startswith("Thing.ratio: ")
    assert NAN_MESSAGE in refused(ratio=value)


@pytest.mark.parametrize("value", [1e126, 1e300, -1e200, 1e-131, 5e-324])
def test_float_out_of_range(value: float) -> None:
    assert "Thing.ratio: " in refused(ratio=value) and "out of range" in refused(ratio=value)


def test_float_range_edges_accepted() -> None:
    largest = math.nextafter(1e126, 0.0)
    for value in (1e-130, -1e-130, largest, -largest):
        CODEC.encode(Thing(ratio=value))
    assert CODEC.encode(Thing(ratio=largest))["ratio"] == {"N": "9.999999999999998E+125"}


@pytest.mark.parametrize("text", ["NaN", "-NaN", "sNaN", "NaN123", "Infinity", "-Infinity"])
def test_decimal_nan_and_infinity(text: str) -> None:
    message = refused(amount=Decimal(text))
    assert message.startswith("Thing.amount: ") and NAN_MESSAGE in message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1E+126", "out of range"),
        ("-1E+126", "out of range"),
        ("1E-131", "out of range"),
        ("9" * 39, "39 significant digits"),
        ("0." + "1" * 39, "39 significant digits"),
    ],
)
def test_decimal_out_of_range(text: str, reason: str) -> None:
    message = refused(amount=Decimal(text))
    assert message.startswith("Thing.amount: ") and reason in message


def test_decimal_trailing_zeros_are_not_significant() -> None:
    item = CODEC.encode(Thing(amount=Decimal("1" + "0" * 45)))
    assert item["amount"] == {"N": "1E+45"}
    assert CODEC.decode(item).amount == Decimal("1E+45")


def test_int_beyond_dynamodb_precision() -> None:
    assert "Thing.count: " in refused(count=10**38 + 1)
    assert "Thing.count: " in refused(count=10**130)


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"name": "bad \ud800 text"}, "Thing.name"),
        ({"notes": {"k\udfff": "v"}}, "Thing.notes['k\\udfff']"),
        ({"notes": {"k": "v\udc00"}}, "Thing.notes['k']"),
        ({"labels": {"ok", "\ud83d"}}, "Thing.labels{'\\ud83d'}"),
        (
            {"lines": [Inner(Decimal(1)), Inner(Decimal(1), {"\udfff"})]},
            "Thing.lines[1].tags{'\\udfff'}",
        ),
    ],
)
def test_lone_surrogates(changes: dict[str, Any], where: str) -> None:
    message = refused(**changes)
    assert message.startswith(where + ": ") and "lone surrogate" in message


def test_paths_name_nested_values() -> None:
    assert refused(inner=Inner(Decimal("NaN"))).startswith("Thing.inner.price: ")
    bad_line = [Inner(Decimal(1)), Inner(Decimal("Infinity"))]
    assert refused(lines=bad_line).startswith("Thing.lines[1].price: ")


@pytest.mark.parametrize(
    ("changes", "where", "reason"),
    [
        ({"short": "four"}, "Thing.short", "length must be <= 3"),
        ({"code": "abc"}, "Thing.code", "must match"),
        ({"small": 10}, "Thing.small", "must be < 10"),
        ({"small": -1}, "Thing.small", "must be >= 0"),
        ({"items": [1, 2, 3]}, "Thing.items", "length must be <= 2"),
        ({"aware": dt.datetime(2024, 1, 1)}, "Thing.aware", "must be timezone-aware"),
        ({"naive": dt.datetime(2024, 1, 1, tzinfo=UTC)}, "Thing.naive", "must be naive"),
    ],
)
def test_meta_constraints(changes: dict[str, Any], where: str, reason: str) -> None:
    message = refused(**changes)
    assert message.startswith(where + ": ") and reason in message


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"name": 5}, "Thing.name"),
        ({"count": "5"}, "Thing.count"),
        ({"count": True}, "Thing.count"),
        ({"count": 1.5}, "Thing.count"),
        ({"ratio": "0.5"}, "Thing.ratio"),
        ({"amount": "1"}, "Thing.amount"),
        ({"when": "2024-01-01"}, "Thing.when"),
        ({"when": dt.date(2024, 1, 1)}, "Thing.when"),
        ({"inner": {"price": 1}}, "Thing.inner"),
        ({"lines": [Inner(Decimal(1)), "x"]}, "Thing.lines[1]"),
        ({"labels": ["a"]}, "Thing.labels"),
        ({"notes": {1: "v"}}, "Thing.notes[1]"),
    ],
)
def test_wrong_types(changes: dict[str, Any], where: str) -> None:
    assert refused(**changes).startswith(where + ": expected ")


def test_wrong_struct() -> None:
    with pytest.raises(ValidationError, match=r"^Thing: expected Thing, got Inner"):
        CODEC.encode(Inner(Decimal(1)))


def test_datetime_out_of_range_in_utc() -> None:
    early = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert "out of range once converted to UTC" in refused(when=early)


def test_lenient_conversions_that_keep_the_value() -> None:
    """Values that are not the declared type but convert exactly are taken."""
    item = CODEC.encode(Thing(ratio=2, amount=3, name=Level.HIGH))  # type: ignore[arg-type]
    assert item["ratio"] == {"N": "2.0"} and item["amount"] == {"N": "3"}
    assert item["name"] == {"S": "high"} and type(item["name"]["S"]) is str


class Level(enum.StrEnum):
    HIGH = "high"


# -- reading ----------------------------------------------------------------------------------


def test_decode_missing_required_attribute() -> None:
    codec = item_codec(Inner)
    with pytest.raises(ValidationError, match=r"^Inner\.price: missing attribute 'price'"):
        codec.decode({"tags": {"SS": ["a"]}})


@pytest.mark.parametrize(
    ("av", "where"),
    [
        ({"S": "1"}, "Inner.price: expected Decimal (N)"),
        ({"N": "abc"}, "Inner.price: expected a number string"),
    ],
)
def test_decode_wrong_attribute_value(av: dict[str, Any], where: str) -> None:
    with pytest.raises(ValidationError, match="^" + re.escape(where)):
        item_codec(Inner).decode({"price": av})


def test_decode_not_a_map() -> None:
    with pytest.raises(ValidationError, match=r"^Inner: expected a map of attributes"):
        item_codec(Inner).decode(["price"])  # type: ignore[arg-type]


def test_decode_value_errors() -> None:
    with pytest.raises(ValidationError, match=r"^value: expected int"):
        decode_value({"S": "x"}, int)
    with pytest.raises(ValidationError, match="not one of"):
        decode_value({"S": "purple"}, Literal["red", "blue"])
    with pytest.raises(ValidationError, match=r"^value: "):
        encode_value(float("nan"))
    with pytest.raises(ValidationError, match="cannot be stored"):
        encode_value(object())


# -- declarations the codec cannot store -------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "reason"),
    [
        (dt.timedelta, "cannot be stored"),
        (set[tuple[int, int]], "DynamoDB sets hold strings, numbers or binary"),
        (set[bool], "DynamoDB sets hold strings, numbers or binary"),
        (dict[bytes, int], "map keys must be strings"),
        (float | Decimal, "several members are numbers"),
    ],
)
def test_unsupported_declarations(annotation: Any, reason: str) -> None:
    holder = msgspec.defstruct("Holder", [("x", annotation)])
    with pytest.raises(SchemaError, match=reason) as info:
        item_codec(holder)
    assert info.value.where == "Holder.x"
