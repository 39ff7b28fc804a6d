"""The exact AttributeValue of every field type, and the value read back from it."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any, Literal

import msgspec
import pytest

from modelkit.codec import decode_value, encode_value, item_codec

UTC = dt.UTC
PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))
ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Line(msgspec.Struct):
    sku: str
    quantity: int


def roundtrip(annotation: Any, value: Any) -> dict[str, Any]:
    """The AttributeValue of ``value`` as a field of type ``annotation`` (checked both ways)."""
    holder = msgspec.defstruct("Holder", [("x", annotation)])
    codec = item_codec(holder)
    item = codec.encode(holder(value))
    assert codec.decode(item) == holder(value)
    assert decode_value(item["x"], annotation) == value
    assert encode_value(value, annotation) == item["x"]
    av: dict[str, Any] = item["x"]
    return av


CASES: list[tuple[str, Any, Any, dict[str, Any]]] = [
    ("str", str, "héllo", {"S": "héllo"}),
    ("empty str", str, "", {"S": ""}),
    ("astral str", str, "𝄞 clef", {"S": "𝄞 clef"}),
    ("int", int, 42, {"N": "42"}),
    ("negative int", int, -7, {"N": "-7"}),
    ("big int", int, 10**37 + 1, {"N": str(10**37 + 1)}),
    ("int past 38 digits", int, 10**40, {"N": "1E+40"}),
    ("float", float, 0.1, {"N": "0.1"}),
    ("float shortest repr", float, 1 / 3, {"N": "0.3333333333333333"}),
    ("float exponent", float, 1e20, {"N": "1E+20"}),
    ("float small", float, 1.5e-7, {"N": "1.5E-7"}),
    ("float zero", float, 0.0, {"N": "0"}),
    ("decimal", Decimal, Decimal("12.50"), {"N": "12.50"}),
    ("decimal exponent", Decimal, Decimal("1.5E+100"), {"N": "1.5E+100"}),
    ("decimal 38 digits", Decimal, Decimal("1" * 38), {"N": "1" * 38}),
    ("decimal tiny", Decimal, Decimal("1E-130"), {"N": "1E-130"}),
    ("decimal largest", Decimal, Decimal("9" * 38 + "E+88"), {"N": "9." + "9" * 37 + "E+125"}),
    ("bool", bool, True, {"BOOL": True}),
    ("bytes", bytes, b"\x00\xff", {"B": b"\x00\xff"}),
    (
        "datetime utc",
        dt.datetime,
        dt.datetime(2024, 5, 1, 12, 30, 5, 123456, UTC),
        {"S": "2024-05-01T12:30:05.123456Z"},
    ),
    (
        "datetime utc whole second",
        dt.datetime,
        dt.datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        {"S": "2024-05-01T12:30:00.000000Z"},
    ),
    (
        "datetime offset",
        dt.datetime,
        dt.datetime(2024, 5, 1, 14, 30, tzinfo=PARIS_SUMMER),
        {"S": "2024-05-01T12:30:00.000000Z"},
    ),
    (
        "datetime naive",
        dt.datetime,
        dt.datetime(2024, 5, 1, 12, 30),
        {"S": "2024-05-01T12:30:00.000000"},
    ),
    (
        "datetime year 1",
        dt.datetime,
        dt.datetime(1, 1, 1, tzinfo=UTC),
        {"S": "0001-01-01T00:00:00.000000Z"},
    ),
    ("date", dt.date, dt.date(2024, 5, 1), {"S": "2024-05-01"}),
    ("time", dt.time, dt.time(9, 5), {"S": "09:05:00.000000"}),
    ("time aware", dt.time, dt.time(9, 5, tzinfo=PARIS_SUMMER), {"S": "09:05:00.000000+02:00"}),
    ("uuid", uuid.UUID, ID, {"S": "12345678-1234-5678-1234-567812345678"}),
    ("enum", Color, Color.BLUE, {"S": "blue"}),
    ("int enum", Level, Level.HIGH, {"N": "2"}),
    ("literal str", Literal["a", "b"], "b", {"S": "b"}),
    ("literal int", Literal[1, 2], 2, {"N": "2"}),
    ("list", list[int], [1, 2], {"L": [{"N": "1"}, {"N": "2"}]}),
    ("empty list", list[int], [], {"L": []}),
    ("tuple", tuple[int, str], (1, "a"), {"L": [{"N": "1"}, {"S": "a"}]}),
    ("var tuple", tuple[str, ...], ("a", "b"), {"L": [{"S": "a"}, {"S": "b"}]}),
    ("dict", dict[str, int], {"a": 1}, {"M": {"a": {"N": "1"}}}),
    ("dict int keys", dict[int, str], {7: "x"}, {"M": {"7": {"S": "x"}}}),
    ("nested struct", Line, Line("s-1", 2), {"M": {"sku": {"S": "s-1"}, "quantity": {"N": "2"}}}),
    (
        "list of structs",
        list[Line],
        [Line("a", 1)],
        {"L": [{"M": {"sku": {"S": "a"}, "quantity": {"N": "1"}}}]},
    ),
    ("set of str", set[str], {"b", "a"}, {"SS": ["a", "b"]}),
    ("set of int", set[int], {10, 9}, {"NS": ["10", "9"]}),
    ("set of decimal", set[Decimal], {Decimal("1.5")}, {"NS": ["1.5"]}),
    ("set of bytes", set[bytes], {b"b", b"a"}, {"BS": [b"a", b"b"]}),
    ("frozenset of str", frozenset[str], frozenset({"x"}), {"SS": ["x"]}),
    ("set of enum", set[Color], {Color.RED}, {"SS": ["red"]}),
    ("set of uuid", set[uuid.UUID], {ID}, {"SS": [str(ID)]}),
    ("optional value", int | None, 5, {"N": "5"}),
    ("optional None", int | None, None, {"NULL": True}),
    ("union int", int | str, 3, {"N": "3"}),
    ("union str", int | str, "3", {"S": "3"}),
    ("union int float", int | float, 2.0, {"N": "2.0"}),
    (
        "any dict",
        Any,
        {"a": [1, "x", None]},
        {"M": {"a": {"L": [{"N": "1"}, {"S": "x"}, {"NULL": True}]}}},
    ),
]


@pytest.mark.parametrize(
    ("annotation", "value", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_attribute_value(annotation: Any, value: Any, expected: dict[str, Any]) -> None:
    assert roundtrip(annotation, value) == expected


def test_aware_datetimes_read_back_in_utc() -> None:
    value = dt.datetime(2024, 5, 1, 14, 30, tzinfo=PARIS_SUMMER)
    back = decode_value(encode_value(value, dt.datetime), dt.datetime)
    assert back == value and back.tzinfo is UTC


def test_datetime_strings_sort_as_instants() -> None:
    """Fixed precision and one zone: stored strings compare like the instants (filters)."""
    instants = [
        dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC),
        dt.datetime(2024, 5, 1, 14, 0, 0, 500000, tzinfo=PARIS_SUMMER),
        dt.datetime(2024, 5, 1, 12, 0, 1, tzinfo=UTC),
    ]
    texts = [encode_value(i, dt.datetime)["S"] for i in instants]
    assert sorted(texts) == texts


def test_any_reads_numbers_as_int_or_decimal() -> None:
    assert decode_value({"N": "12"}) == 12
    assert decode_value({"N": "1.5"}) == Decimal("1.5")
    assert decode_value({"SS": ["a"]}) == {"a"}
    assert decode_value({"NS": ["1", "2.5"]}) == {1, Decimal("2.5")}
    assert decode_value({"BS": [b"x"]}) == {b"x"}
    assert decode_value({"B": b"x"}) == b"x"


def test_encode_value_by_runtime_type() -> None:
    assert encode_value("x") == {"S": "x"}
    assert encode_value(Color.RED) == {"S": "red"}
    assert encode_value(Level.LOW) == {"N": "1"}
    assert encode_value(Decimal("2.50")) == {"N": "2.50"}
    assert encode_value(ID) == {"S": str(ID)}
    assert encode_value(dt.datetime(2024, 1, 1, tzinfo=UTC)) == {"S": "2024-01-01T00:00:00.000000Z"}
    assert encode_value(dt.date(2024, 1, 1)) == {"S": "2024-01-01"}
    assert encode_value(Line("a", 1)) == {"M": {"sku": {"S": "a"}, "quantity": {"N": "1"}}}
    assert encode_value({1, 2}) == {"NS": ["1", "2"]}
    assert encode_value(frozenset({b"a"})) == {"BS": [b"a"]}
    assert encode_value(set()) == {"L": []}
    assert encode_value((1, None, True)) == {"L": [{"N": "1"}, {"NULL": True}, {"BOOL": True}]}
