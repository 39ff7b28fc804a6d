"""Item sizes and capacity units by DynamoDB's published rules (REFERENCE.md, "Sizes" and
"Capacity units"), computed on AttributeValue maps."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

MAX_ITEM_BYTES = 400 * 1024
READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024


def number_size(text: str) -> int:
    """Bytes of a number: about one per two significant digits, plus one."""
    digits = text.lstrip("-").replace(".", "")
    if "e" in digits.lower():
        digits = digits.lower().split("e")[0]
    digits = digits.strip("0") or "0"
    return (len(digits) + 1) // 2 + 1


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one AttributeValue (without its name)."""
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode("utf-8"))
    if kind == "N":
        return number_size(data)
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in data)
    if kind == "NS":
        return sum(number_size(n) for n in data)
    if kind == "BS":
        return sum(len(b) for b in data)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in data)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(v) + 1 for k, v in data.items())
    raise ValueError(f"unknown AttributeValue type {kind!r}")


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """Bytes of an item: every attribute name plus its value."""
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def read_units(size: int, *, consistent: bool = False, transactional: bool = False) -> float:
    """Units to read one item of ``size`` bytes with GetItem (a missing item costs one unit)."""
    units = float(max(1, math.ceil(size / READ_UNIT_BYTES)))
    if transactional:
        return units * 2
    return units if consistent else units / 2


def write_units(size: int, *, transactional: bool = False) -> float:
    """Units to write an item of ``size`` bytes (the larger of the old and new item)."""
    units = float(max(1, math.ceil(size / WRITE_UNIT_BYTES)))
    return units * 2 if transactional else units


def query_read_units(sizes: list[int], *, consistent: bool = False) -> float:
    """Units of a Query or Scan page: the items' sizes summed, then rounded up once."""
    units = float(max(1, math.ceil(sum(sizes) / READ_UNIT_BYTES)))
    return units if consistent else units / 2
