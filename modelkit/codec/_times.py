"""Dates, times and UUIDs as strings (S).

Aware datetimes are written in UTC as ``2024-05-01T12:30:05.000000Z`` (always six fraction
digits, so stored strings sort as instants) and read back as UTC datetimes, equal to the
originals; naive ones the same without ``Z``. Dates, times and UUIDs are ISO / canonical text.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
import msgspec.inspect as mi

from modelkit.codec._constraints import constraints
from modelkit.codec._leaf import Leaf, checked, expect
from modelkit.codec._refusal import Refused

UTC = dt.UTC
_to_builtins = msgspec.to_builtins


def datetime_wire(value: Any) -> str:
    """UTC with ``Z`` for aware datetimes, six fraction digits always."""
    if not isinstance(value, dt.datetime):
        raise expect("datetime", value)
    if value.utcoffset() is None:
        text: str = _to_builtins(value.replace(tzinfo=None))
        return text if value.microsecond else text + ".000000"
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise Refused(f"{value.isoformat()} is out of range once converted to UTC") from None
    text = _to_builtins(utc)
    return text if utc.microsecond else text[:-1] + ".000000Z"


def _read_datetime(wire: Any) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(wire)
    except (TypeError, ValueError):
        raise expect("an ISO 8601 datetime string", wire) from None


def datetime_leaf(t: mi.DateTimeType) -> Leaf:
    cons = constraints(t)
    # msgspec writes UTC as ...SS.ffffffZ (27 characters) or ...SSZ (20) when the microsecond
    # is 0; other lengths are offsets or naive datetimes, left to the checked path.
    guard = (
        "type({v}) is _datetime and (len({t} := _js(_je({v}))) == 27 "
        'or (len({t}) == 20 and ({t} := {t}.replace("Z", ".000000Z"))))'
    )
    wire = "{t}"
    return Leaf(
        "S",
        "datetime",
        checked(datetime_wire, cons),
        _read_datetime,
        None if t.tz is False else guard,
        wire,
        "_dt_read({w})",
        {},
        cons,
    )


def _date_wire(value: Any) -> str:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise expect("date", value)
    text: str = _to_builtins(value)
    return text


def _read_date(wire: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(wire)
    except (TypeError, ValueError):
        raise expect("an ISO 8601 date string", wire) from None


DATE = Leaf(
    "S", "date", _date_wire, _read_date, "type({v}) is _date", "_js(_je({v}))", "_date_read({w})"
)


def _time_wire(value: Any) -> str:
    if not isinstance(value, dt.time):
        raise expect("time", value)
    return value.isoformat(timespec="microseconds")


def _read_time(wire: Any) -> dt.time:
    try:
        return dt.time.fromisoformat(wire)
    except (TypeError, ValueError):
        raise expect("an ISO 8601 time string", wire) from None


def time_leaf(t: mi.TimeType) -> Leaf:
    cons = constraints(t)
    return Leaf(
        "S", "time", checked(_time_wire, cons), _read_time, None, "", "_time_read({w})", {}, cons
    )


def _uuid_wire(value: Any) -> str:
    if not isinstance(value, uuid.UUID):
        raise expect("UUID", value)
    text: str = _to_builtins(value)
    return text


def _read_uuid(wire: Any) -> uuid.UUID:
    try:
        return uuid.UUID(wire)
    except (AttributeError, TypeError, ValueError):
        raise expect("a UUID string", wire) from None


UUID = Leaf(
    "S",
    "UUID",
    _uuid_wire,
    _read_uuid,
    "type({v}) is _UUID",
    "_js(_je({v}))",
    "_uuid_decode('\"' + {w} + '\"')",
)
