"""Enums and Literals: a closed set of values, each written as its value (S, N or BOOL)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from modelkit.codec._leaf import Leaf, str_wire
from modelkit.codec._numbers import int_wire, read_int
from modelkit.codec._refusal import Refused, describe
from modelkit.errors import SchemaError


def _choice_leaf(kind: str, values: dict[Any, Any], guard_type: str | None) -> Leaf:
    """A leaf for a closed set of values: ``values`` maps each value (or member) to itself."""
    tags = {_value_tag(v) for v in values}
    if len(tags) != 1:
        raise SchemaError(f"{kind} mixes value types; use all str or all int values")
    tag = tags.pop()
    wires = {_scalar_wire(key, tag): member for key, member in values.items()}
    lookup = dict(values)

    def to_wire(value: Any) -> Any:
        try:
            member = lookup[value]
        except (KeyError, TypeError):
            raise Refused(f"expected one of {_listing(wires)}, got {describe(value)}") from None
        return _scalar_wire(_plain(member), tag)

    def from_wire(wire: Any) -> Any:
        try:
            return wires[wire]
        except (KeyError, TypeError):
            pass
        if tag == "N" and isinstance(wire, str):
            number = read_int(wire)
            if str(number) in wires:
                return wires[str(number)]
        raise Refused(f"{wire!r} is not one of {_listing(wires)}")

    guard: str | None = None
    wire = "{v}" if tag == "S" else "_str({v})"
    if guard_type == "enum":
        guard = "type({v}) is {cls}"
        wire = "{v}._value_" if tag == "S" else "{by_name}[{v}._name_]"
    elif tag in ("S", "N"):
        guard = "type({v}) is %s and {v} in {values}" % ("_str" if tag == "S" else "_int")
    by_name = {m._name_: w for w, m in wires.items() if isinstance(m, enum.Enum)}
    objects = {"wires": wires, "values": frozenset(_plain(v) for v in values), "by_name": by_name}
    return Leaf(tag, kind, to_wire, from_wire, guard, wire, "{wires}[{w}]", objects)


def _plain(member: Any) -> Any:
    return member.value if isinstance(member, enum.Enum) else member


def _value_tag(value: Any) -> str:
    plain = _plain(value)
    if type(plain) is bool:
        return "BOOL"
    if isinstance(plain, int):
        return "N"
    if isinstance(plain, str):
        return "S"
    raise SchemaError(f"value {plain!r} cannot be stored; use str or int values")


def _scalar_wire(value: Any, tag: str) -> Any:
    plain = _plain(value)
    if tag == "N":
        return int_wire(int(plain))
    if tag == "S":
        try:
            return str_wire(plain)
        except Refused as exc:
            raise SchemaError(f"value {plain!r} {exc.reason}") from None
    return plain


def _listing(wires: Mapping[Any, Any]) -> str:
    shown = ", ".join(repr(w) for w in list(wires)[:8])
    return f"{{{shown}{', ...' if len(wires) > 8 else ''}}}"


def enum_leaf(cls: type[enum.Enum]) -> Leaf:
    values: dict[Any, Any] = {m: m for m in cls}
    values.update({m.value: m for m in cls})
    leaf = _choice_leaf(f"enum {cls.__name__}", values, "enum")
    return Leaf(
        leaf.tag,
        leaf.kind,
        leaf.to_wire,
        leaf.from_wire,
        leaf.guard,
        leaf.wire,
        leaf.read,
        {**leaf.objects, "cls": cls},
    )


def literal_leaf(values: tuple[Any, ...]) -> Leaf:
    """A leaf for Literal values of one kind (all str, all int or all bool)."""
    return _choice_leaf("Literal", {v: v for v in values}, None)
