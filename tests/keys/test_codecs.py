"""Each key codec on concrete values: the exact text it writes, what it refuses and why."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
import pytest

from modelkit.keys import KeyCodecError, codec_for, escape_str, unescape_str
from modelkit.keys._codecs import (
    BoolCodec,
    DateCodec,
    DateTimeCodec,
    DecimalCodec,
    IntCodec,
    StrCodec,
    UUIDCodec,
    enum_codec,
    literal_codec,
)

PLUS_2 = dt.timezone(dt.timedelta(hours=2))
MINUS_8 = dt.timezone(dt.timedelta(hours=-8))


class Status(enum.StrEnum):
    PLACED = "PLACED"
    PAID = "PAID"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 10


# -- str -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("c-42", "c-42"),
        ("CUSTOMER_7.x@example.com", "CUSTOMER_7.x@example.com"),
        ("a#b", "a$23b"),
        ("$", "$24"),
        ("$23", "$2423"),
        ("A B", "A$20B"),
        ('!"', "$21$22"),
        ("\x00\n", "$00$0A"),
        ("", ""),
        ("é😀\U0010ffff", "é😀\U0010ffff"),
        ("%&~", "%&~"),
    ],
)
def test_str_escapes_only_what_sorts_at_or_below_the_escape(value: str, text: str) -> None:
    assert StrCodec().encode(value) == text
    assert StrCodec().decode(text) == value


def test_str_escaping_keeps_order_around_the_delimiter() -> None:
    # "A B" < "A#x" < "A$" < "AB" as values; their keys sort the same way.
    values = ["A", "A B", "A#x", "A$", "AB"]
    keys = [escape_str(v) + "#" for v in values]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a b", "should have been escaped"),
        ("a#b", "should have been escaped"),
        ("$2g", "not a canonically escaped"),
        ("$2a", "not a canonically escaped"),  # lowercase hex is not what escape_str writes
        ("$41", "not a canonically escaped"),  # 'A' needs no escape
    ],
)
def test_str_decode_refuses_text_it_never_writes(text: str, message: str) -> None:
    with pytest.raises(KeyCodecError, match=message):
        unescape_str(text)


def test_str_refuses_lone_surrogates_and_non_str() -> None:
    with pytest.raises(KeyCodecError, match=r"lone surrogate \(U\+D800\)"):
        StrCodec().encode("a\ud800b")
    with pytest.raises(KeyCodecError, match="expected str, got int"):
        StrCodec().encode(42)


# -- int -------------------------------------------------------------------------------------


def test_int_width_comes_from_declared_bounds() -> None:
    assert codec_for(Annotated[int, msgspec.Meta(ge=0, lt=10**6)]).encode(42) == "000042"
    assert codec_for(Annotated[int, msgspec.Meta(ge=1, le=12)]).encode(7) == "07"
    assert codec_for(Annotated[int, msgspec.Meta(gt=-1, lt=10)]).encode(9) == "9"
    unbounded = codec_for(int)
    assert unbounded.encode(42) == "0000000000000000042"
    assert unbounded.encode(2**63 - 1) == "9223372036854775807"


@pytest.mark.parametrize(
    ("value", "text"), [(-100, "-899"), (-5, "-994"), (-1, "-998"), (0, "000"), (5, "005")]
)
def test_int_negatives_are_nines_complement(value: int, text: str) -> None:
    codec = IntCodec(-100, 100)
    assert codec.encode(value) == text
    assert codec.decode(text) == value


def test_int_keys_sort_numerically() -> None:
    codec = IntCodec(-1000, 1000)
    values = [-1000, -999, -10, -9, -1, 0, 1, 9, 10, 999, 1000]
    assert [codec.encode(v) for v in values] == sorted(codec.encode(v) for v in values)


def test_int_refuses_out_of_range_bools_and_wrong_width() -> None:
    codec = IntCodec(0, 999)
    with pytest.raises(KeyCodecError, match=r"1000 is outside the key range \[0, 999\]"):
        codec.encode(1000)
    with pytest.raises(KeyCodecError, match="Annotated"):
        codec.encode(-1)
    with pytest.raises(KeyCodecError, match="expected int, got bool"):
        codec.encode(True)
    with pytest.raises(KeyCodecError, match="not a 3-digit key integer"):
        codec.decode("42")
    with pytest.raises(KeyCodecError, match="outside"):
        IntCodec(-100, 100).decode("-999")  # would be "-0"


# -- Decimal ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("19.99", "P501:1.999"),
        ("19.990", "P501:1.999"),
        ("1", "P500:1"),
        ("0.001", "P497:1"),
        ("1E+125", "P625:1"),
        ("1E-130", "P370:1"),
        ("0", "O"),
        ("-0.00", "O"),
        ("-1", "N499:8~"),
        ("-19.99", "N498:8.000~"),
    ],
)
def test_decimal_encoding(value: str, text: str) -> None:
    codec = DecimalCodec()
    assert codec.encode(Decimal(value)) == text
    assert codec.decode(text) == Decimal(value)


def test_decimal_keys_sort_numerically() -> None:
    codec = DecimalCodec()
    values = [
        Decimal(v)
        for v in (
            "-1E+10",
            "-19.999",
            "-19.99",
            "-1.5",
            "-1",
            "-0.5",
            "0",
            "1E-130",
            "0.5",
            "1",
            "1.5",
            "9",
            "10",
            "19.99",
            "1E+125",
        )
    ]
    assert [codec.encode(v) for v in values] == sorted(codec.encode(v) for v in values)
    assert codec.encode(42) == "P501:4.2"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("1E+126"), "outside DynamoDB's number range"),
        (Decimal("1E-131"), "outside DynamoDB's number range"),
        (Decimal("1" * 39), "outside DynamoDB's number range"),
        (Decimal("NaN"), "not a finite number"),
        (Decimal("Infinity"), "not a finite number"),
        (19.99, r"expected Decimal, got float; use Decimal\('...'\)"),
        (True, "expected Decimal, got bool"),
    ],
)
def test_decimal_refusals(value: object, message: str) -> None:
    with pytest.raises(KeyCodecError, match=message):
        DecimalCodec().encode(value)


def test_decimal_keeps_all_38_digits() -> None:
    """BUG (fails until fixed): ``normalize()`` rounds to the context's 28 digits, so two
    numbers that differ past the 28th digit get the same key (the second write overwrites
    the first) and parse back rounded."""
    codec = DecimalCodec()
    a = Decimal("1.2345678901234567890123456789012345678")
    b = Decimal("1.2345678901234567890123456789012345679")
    assert codec.encode(a) != codec.encode(b)
    assert codec.decode(codec.encode(a)) == a


# -- datetime and date -----------------------------------------------------------------------


def test_datetime_is_utc_fixed_width() -> None:
    codec = DateTimeCodec()
    local = dt.datetime(2024, 5, 1, 14, 30, tzinfo=PLUS_2)
    assert codec.encode(local) == "2024-05-01T12:30:00.000000Z"
    assert codec.encode(dt.datetime(2024, 5, 1, 4, 30, 0, 7, tzinfo=MINUS_8)) == (
        "2024-05-01T12:30:00.000007Z"
    )
    parsed = codec.decode("2024-05-01T12:30:00.000000Z")
    assert parsed == local and parsed.tzinfo is dt.UTC
    assert codec.encode(dt.datetime(999, 1, 1, tzinfo=dt.UTC)) == "0999-01-01T00:00:00.000000Z"


def test_datetime_refuses_naive_and_dates() -> None:
    codec = DateTimeCodec()
    with pytest.raises(KeyCodecError, match=r"naive datetime; keys need timezone-aware"):
        codec.encode(dt.datetime(2024, 5, 1))
    with pytest.raises(KeyCodecError, match="expected datetime, got date"):
        codec.encode(dt.date(2024, 5, 1))
    with pytest.raises(KeyCodecError, match="not a key datetime"):
        codec.decode("2024-05-01T12:30:00Z")


def test_datetime_out_of_range_in_utc_is_a_codec_error() -> None:
    """BUG (fails until fixed): converting to UTC can leave datetime's range, and the
    OverflowError escapes instead of a KeyCodecError (a KeyValueError for the caller)."""
    with pytest.raises(KeyCodecError):
        DateTimeCodec().encode(dt.datetime(1, 1, 1, tzinfo=PLUS_2))
    with pytest.raises(KeyCodecError):
        DateTimeCodec().encode(dt.datetime(9999, 12, 31, 23, tzinfo=MINUS_8))


def test_date_encoding() -> None:
    codec = DateCodec()
    assert codec.encode(dt.date(2024, 5, 1)) == "2024-05-01"
    assert codec.decode("2024-05-01") == dt.date(2024, 5, 1)
    with pytest.raises(KeyCodecError, match="expected date, got datetime"):
        codec.encode(dt.datetime(2024, 5, 1, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    ("codec", "text"),
    [
        (DateCodec(), "2024-W18-3"),
        (DateCodec(), "2024-05-1 "),
        (DateTimeCodec(), "2024-05-01 12:30:00.000000Z"),
        (DateTimeCodec(), "2024-05-01T12:30:00,000000Z"),
    ],
)
def test_date_decode_refuses_non_canonical_text(codec: DateCodec, text: str) -> None:
    """BUG (fails until fixed): fromisoformat accepts ISO week dates, a space for 'T' and
    a comma for '.', so a key the codec never writes parses, and two keys parse to one value."""
    with pytest.raises(KeyCodecError):
        codec.decode(text)


# -- UUID, bool, enum, literal -----------------------------------------------------------------


def test_uuid_is_lowercase_canonical() -> None:
    codec = UUIDCodec()
    value = uuid.UUID("7D444840-9DC0-11D1-B245-5FFDCE74FAD2")
    assert codec.encode(value) == "7d444840-9dc0-11d1-b245-5ffdce74fad2"
    assert codec.decode("7d444840-9dc0-11d1-b245-5ffdce74fad2") == value
    with pytest.raises(KeyCodecError, match="canonical lowercase"):
        codec.decode("7D444840-9DC0-11D1-B245-5FFDCE74FAD2")
    with pytest.raises(KeyCodecError, match="not a UUID"):
        codec.decode("not-a-uuid")
    with pytest.raises(KeyCodecError, match="expected UUID, got str"):
        codec.encode(str(value))


def test_bool() -> None:
    codec = BoolCodec()
    assert (codec.encode(False), codec.encode(True)) == ("false", "true")
    assert codec.decode("true") is True
    with pytest.raises(KeyCodecError, match="expected bool, got int"):
        codec.encode(1)
    with pytest.raises(KeyCodecError, match="is not 'true' or 'false'"):
        codec.decode("True")


def test_enum_by_value() -> None:
    codec = enum_codec(Status)
    assert codec.encode(Status.PAID) == "PAID"
    assert codec.decode("PLACED") is Status.PLACED
    assert codec.orderable and codec.low_cardinality
    levels = enum_codec(Level)
    assert (levels.encode(Level.LOW), levels.encode(Level.HIGH)) == ("01", "10")
    with pytest.raises(KeyCodecError, match="is not one of"):
        codec.encode("SHIPPED")


def test_enum_decode_of_an_unknown_value_is_a_codec_error() -> None:
    """BUG (fails until fixed): ``Status("BOGUS")`` raises ValueError, which KeyFormat.parse
    does not turn into KeyParseError, so DesignKeys.parse crashes on a foreign key."""
    with pytest.raises(KeyCodecError):
        enum_codec(Status).decode("BOGUS")


def test_str_enum_field_takes_its_plain_value() -> None:
    """BUG (fails until fixed): "PAID" == Status.PAID, so encode accepts the plain string,
    then calls ``"PAID".value`` and raises AttributeError."""
    assert enum_codec(Status).encode("PAID") == "PAID"


def test_literal_by_value() -> None:
    codec = literal_codec(("b", "a"))
    assert codec.encode("a") == "a"
    assert codec.finite_texts() == ("b", "a")
    with pytest.raises(KeyCodecError, match="'c' is not one of 'b', 'a'"):
        codec.encode("c")
    assert codec_for(Literal[3, 12]).encode(3) == "03"
    with pytest.raises(KeyCodecError, match="all str or all int"):
        codec_for(Literal["a", 1])
