"""Values of unknown type (``Any`` fields, expression values): encoded by their runtime type.

Read back without a type, S is str, N is int (no fraction or exponent) or Decimal, B is bytes,
L is list, M is dict and SS/NS/BS are sets; an empty set is written as an empty list (L).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any

import msgspec

from modelkit.codec._leaf import str_wire
from modelkit.codec._numbers import (
    decimal_wire,
    float_wire,
    int_wire,
    is_integral_text,
    read_decimal,
)
from modelkit.codec._refusal import Refused, describe
from modelkit.codec._times import datetime_wire

AttributeValue = dict[str, Any]


def encode_any(value: Any) -> AttributeValue:
    """The AttributeValue of ``value``, chosen by its runtime type."""
    if value is None:
        return {"NULL": True}
    if value is True or value is False:
        return {"BOOL": value}
    if isinstance(value, enum.Enum):
        return encode_any(value.value)
    if isinstance(value, str):
        return {"S": str_wire(value)}
    tag, wire = _number(value)
    if tag:
        return {tag: wire}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"B": bytes(value)}
    if isinstance(value, msgspec.Struct):
        from modelkit.codec._struct import struct_codec

        return {"M": struct_codec(type(value)).encode_fields(value)}
    if isinstance(value, dict):
        return {"M": _encode_map(value)}
    if isinstance(value, list | tuple):
        return {"L": _encode_list(value)}
    if isinstance(value, set | frozenset):
        return _encode_set(value)
    return {"S": _text(value)}


def _number(value: Any) -> tuple[str, str]:
    if isinstance(value, bool):
        return "", ""
    if isinstance(value, int):
        return "N", int_wire(int(value))
    if isinstance(value, float):
        return "N", float_wire(float(value))
    if isinstance(value, Decimal):
        return "N", decimal_wire(value)
    return "", ""


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return datetime_wire(value)
    if isinstance(value, dt.date | uuid.UUID):
        text: str = msgspec.to_builtins(value)
        return text
    if isinstance(value, dt.time):
        return value.isoformat(timespec="microseconds")
    raise Refused(f"cannot be stored in DynamoDB: {describe(value)}")


def _encode_map(value: dict[Any, Any]) -> dict[str, AttributeValue]:
    out: dict[str, AttributeValue] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise Refused(f"map keys must be str, got {describe(key)}")
        try:
            out[str_wire(key)] = encode_any(item)
        except Refused as exc:
            raise exc.at(f"[{key!r}]") from None
    return out


def _encode_list(value: list[Any] | tuple[Any, ...]) -> list[AttributeValue]:
    out = []
    for index, item in enumerate(value):
        try:
            out.append(encode_any(item))
        except Refused as exc:
            raise exc.at(f"[{index}]") from None
    return out


def _encode_set(value: set[Any] | frozenset[Any]) -> AttributeValue:
    if not value:
        return {"L": []}
    if all(isinstance(x, str) for x in value):
        return {"SS": sorted(str_wire(x) for x in value)}
    if all(isinstance(x, bytes) for x in value):
        return {"BS": sorted(value)}
    wires = [_number(x) for x in value]
    if all(tag for tag, _ in wires):
        return {"NS": sorted(wire for _, wire in wires)}
    raise Refused("a set must hold only str, only numbers or only bytes")


def decode_any(av: Any) -> Any:
    """A value from its AttributeValue alone."""
    if not isinstance(av, dict) or len(av) != 1:
        raise Refused(f"expected an AttributeValue (a one-key dict), got {describe(av)}")
    ((tag, wire),) = av.items()
    if tag == "S" or tag == "BOOL":
        return wire
    if tag == "N":
        return _read_number(wire)
    if tag == "B":
        return bytes(wire)
    if tag == "NULL":
        return None
    if tag == "L":
        return [decode_any(x) for x in wire]
    if tag == "M":
        return {k: decode_any(x) for k, x in wire.items()}
    if tag == "SS":
        return set(wire)
    if tag == "NS":
        return {_read_number(x) for x in wire}
    if tag == "BS":
        return {bytes(x) for x in wire}
    raise Refused(f"unknown AttributeValue type {tag!r}")


def _read_number(wire: str) -> int | Decimal:
    return int(wire) if is_integral_text(wire) else read_decimal(wire)
