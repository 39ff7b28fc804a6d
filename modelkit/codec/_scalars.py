"""Scalar types as single AttributeValues: str (S), bytes (B), bool (BOOL), numbers (N), and
:func:`leaf`, which finds the :class:`Leaf` of any scalar type (dates, times, UUIDs, enums and
literals included)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec.inspect as mi

from modelkit.codec._choices import enum_leaf
from modelkit.codec._constraints import constraints
from modelkit.codec._leaf import Leaf, checked, expect, guard, str_wire
from modelkit.codec._numbers import (
    decimal_wire,
    float_wire,
    int_wire,
    read_decimal,
    read_float,
    read_int,
)
from modelkit.codec._refusal import Refused
from modelkit.codec._times import DATE, UUID, datetime_leaf, time_leaf


def _read_str(wire: Any) -> str:
    if type(wire) is not str:
        raise expect("a string (S)", wire)
    return wire


def _str_leaf(t: mi.StrType) -> Leaf:
    cons = constraints(t)
    return Leaf(
        "S",
        "str",
        checked(str_wire, cons),
        _read_str,
        guard("type({v}) is _str and {v}.isascii()", cons),
        "{v}",
        "{w}",
        dict(cons.names),
        cons,
    )


def _bytes_leaf(t: mi.BytesType | mi.ByteArrayType | mi.MemoryViewType) -> Leaf:
    cons = constraints(t)
    target: type = {
        mi.BytesType: bytes,
        mi.ByteArrayType: bytearray,
        mi.MemoryViewType: memoryview,
    }[type(t)]

    def to_wire(value: Any) -> bytes:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise expect("bytes", value)
        return bytes(value)

    def from_wire(wire: Any) -> Any:
        try:
            data = bytes(wire)
        except TypeError:
            raise expect("binary (B)", wire) from None
        return data if target is bytes else target(data)

    read = "{w}" if target is bytes else "{target}({w})"
    return Leaf(
        "B",
        "bytes",
        checked(to_wire, cons),
        from_wire,
        guard("type({v}) is _bytes", cons),
        "{v}",
        read,
        {"target": target, **cons.names},
        cons,
    )


def _bool_wire(value: Any) -> bool:
    if value is True or value is False:
        return bool(value)
    raise expect("bool", value)


def _read_bool(wire: Any) -> bool:
    if wire is True or wire is False:
        return bool(wire)
    raise expect("a boolean (BOOL)", wire)


BOOL = Leaf("BOOL", "bool", _bool_wire, _read_bool, "({v} is True or {v} is False)", "{v}", "{w}")


def _int_leaf(t: mi.IntType) -> Leaf:
    cons = constraints(t)

    def to_wire(value: Any) -> str:
        if not isinstance(value, int) or isinstance(value, bool):
            raise expect("int", value)
        return int_wire(int(value))

    return Leaf(
        "N",
        "int",
        checked(to_wire, cons),
        read_int,
        # small counts are the common case: their text comes from a table (str(int) is slow)
        guard(
            "type({v}) is _int and ((-1 < {v} < 256 and ({t} := _SMALL[{v}])) "
            "or len({t} := _str({v})) <= 38)",
            cons,
        ),
        "{t}",
        "_int_read({w})",
        dict(cons.names),
        cons,
    )


def _float_leaf(t: mi.FloatType) -> Leaf:
    cons = constraints(t)

    def to_wire(value: Any) -> str:
        if isinstance(value, float):
            return float_wire(float(value))
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return float_wire(float(value))
            except OverflowError:
                raise Refused(f"{value} is too large for a float") from None
        raise expect("float", value)

    return Leaf(
        "N",
        "float",
        checked(to_wire, cons),
        read_float,
        guard("type({v}) is _float", cons),
        "_fw({v})",
        "_float({w})",
        dict(cons.names),
        cons,
    )


def _decimal_wire(value: Any) -> str:
    if isinstance(value, Decimal):
        return decimal_wire(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int_wire(int(value))
    if isinstance(value, float):
        return decimal_wire(Decimal(float_wire(value)))
    raise expect("Decimal", value)


DECIMAL = Leaf(
    "N",
    "Decimal",
    _decimal_wire,
    read_decimal,
    'type({v}) is _Decimal and {v}.is_finite() and "E" not in ({t} := _str({v})) '
    "and len({t}) <= 38",
    "{t}",
    "_Decimal({w})",
)


def leaf(t: mi.Type) -> Leaf | None:
    """The leaf for a scalar type (``None`` for containers, unions, structs, Any)."""
    if isinstance(t, mi.StrType):
        return _str_leaf(t)
    if isinstance(t, mi.IntType):
        return _int_leaf(t)
    if isinstance(t, mi.FloatType):
        return _float_leaf(t)
    if isinstance(t, mi.BoolType):
        return BOOL
    if isinstance(t, mi.DecimalType):
        return DECIMAL
    if isinstance(t, mi.DateTimeType):
        return datetime_leaf(t)
    if isinstance(t, mi.DateType):
        return DATE
    if isinstance(t, mi.TimeType):
        return time_leaf(t)
    if isinstance(t, mi.UUIDType):
        return UUID
    if isinstance(t, mi.BytesType | mi.ByteArrayType | mi.MemoryViewType):
        return _bytes_leaf(t)
    if isinstance(t, mi.EnumType):
        return enum_leaf(t.cls)
    return None
