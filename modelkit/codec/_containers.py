"""Containers: lists and tuples (L), sets (SS / NS / BS), dicts (M) and nested Structs (M).

An empty set, which DynamoDB cannot hold, is written as an empty list (L) and read back as an
empty set (the Struct codec leaves it out where absence reads back the same).
"""

from __future__ import annotations

from typing import Any

import msgspec.inspect as mi

from modelkit.codec._constraints import constraints
from modelkit.codec._refusal import Refused, describe
from modelkit.codec._shape import L_TAG, AttributeValue, Shape, is_, locate, unwrap
from modelkit.errors import SchemaError


def sequence_shape(t: mi.ListType | mi.VarTupleType, item: Shape, make: type) -> Shape:
    cons = constraints(t)
    check = cons.check
    enc, dec = item.encode, item.decode

    def encode(value: Any) -> AttributeValue:
        if not isinstance(value, list | tuple):
            raise Refused(f"expected {make.__name__}, got {describe(value)}")
        check(value)
        try:
            return {"L": [enc(x) for x in value]}
        except Refused as exc:
            raise locate(enc, ((f"[{i}]", x) for i, x in enumerate(value)), exc) from None

    def decode(av: Any) -> Any:
        wire = unwrap(av, "L")
        try:
            items = [dec(x) for x in wire]
        except Refused as exc:
            raise locate(dec, ((f"[{i}]", x) for i, x in enumerate(wire)), exc) from None
        return items if make is list else tuple(items)

    name = f"{make.__name__}[{item.name}]"
    kind = "list" if make is list else "tuple"
    return Shape(
        name, encode, decode, is_(list, tuple), L_TAG, kind, item=item, make=make, checks=cons
    )


def tuple_shape(items: list[Shape]) -> Shape:
    size = len(items)

    def encode(value: Any) -> AttributeValue:
        if not isinstance(value, list | tuple) or len(value) != size:
            raise Refused(f"expected a tuple of {size} items, got {describe(value)}")
        out = []
        for index, (item, x) in enumerate(zip(items, value, strict=True)):
            try:
                out.append(item.encode(x))
            except Refused as exc:
                raise exc.at(f"[{index}]") from None
        return {"L": out}

    def decode(av: Any) -> Any:
        wire = unwrap(av, "L")
        if len(wire) != size:
            raise Refused(f"expected a list (L) of {size} items, got {len(wire)}")
        out = []
        for index, (item, x) in enumerate(zip(items, wire, strict=True)):
            try:
                out.append(item.decode(x))
            except Refused as exc:
                raise exc.at(f"[{index}]") from None
        return tuple(out)

    return Shape("tuple", encode, decode, is_(list, tuple), L_TAG)


def set_shape(t: mi.SetType | mi.FrozenSetType, inner: Shape, make: type) -> Shape:
    scalar = inner.leaf
    if scalar is None or scalar.tag not in ("S", "N", "B"):
        raise SchemaError(
            f"a set of {inner.name} cannot be stored: DynamoDB sets hold strings, numbers or "
            "binary",
            hint="use a list instead",
        )
    set_tag = scalar.tag + "S"
    to_wire, from_wire, dec = scalar.to_wire, scalar.from_wire, inner.decode
    cons = constraints(t)
    check = cons.check

    def encode(value: Any) -> AttributeValue:
        if not isinstance(value, set | frozenset):
            raise Refused(f"expected {make.__name__}, got {describe(value)}")
        check(value)
        if not value:
            return {"L": []}
        try:
            return {set_tag: sorted([to_wire(x) for x in value])}
        except Refused as exc:
            raise locate(to_wire, ((f"{{{x!r}}}", x) for x in value), exc) from None

    def decode(av: Any) -> Any:
        if isinstance(av, dict) and set_tag in av:
            try:
                return make([from_wire(x) for x in av[set_tag]])
            except Refused as exc:
                raise locate(from_wire, ((f"{{{x!r}}}", x) for x in av[set_tag]), exc) from None
        wire = unwrap(av, "L")
        try:
            return make([dec(x) for x in wire])
        except Refused as exc:
            raise locate(dec, ((f"[{i}]", x) for i, x in enumerate(wire)), exc) from None

    name = f"{make.__name__}[{inner.name}]"
    tags = frozenset({set_tag, "L"})
    return Shape(
        name, encode, decode, is_(set, frozenset), tags, "set", item=inner, make=make, checks=cons
    )


def dict_shape(t: mi.DictType, key_shape: Shape, value: Shape) -> Shape:
    key = key_shape.leaf
    if key is None or key.tag not in ("S", "N"):
        raise SchemaError(
            "map keys must be strings (or ints, written as decimal text)",
            hint="use dict[str, ...]",
        )
    key_wire, key_read = key.to_wire, key.from_wire
    enc, dec = value.encode, value.decode
    cons = constraints(t)
    check = cons.check

    def encode(data: Any) -> AttributeValue:
        if not isinstance(data, dict):
            raise Refused(f"expected dict, got {describe(data)}")
        check(data)
        out: dict[str, AttributeValue] = {}
        for k, x in data.items():
            try:
                out[key_wire(k)] = enc(x)
            except Refused as exc:
                raise exc.at(f"[{k!r}]") from None
        return {"M": out}

    def decode(av: Any) -> Any:
        wire = unwrap(av, "M")
        out = {}
        for k, x in wire.items():
            try:
                out[key_read(k)] = dec(x)
            except Refused as exc:
                raise exc.at(f"[{k!r}]") from None
        return out

    name = f"dict[{key.kind}, {value.name}]"
    return Shape(
        name, encode, decode, is_(dict), frozenset({"M"}), "dict", item=value, key=key, checks=cons
    )


def struct_shape(t: mi.StructType) -> Shape:
    from modelkit.codec._struct import struct_codec

    codec = struct_codec(t.cls)
    cls = t.cls

    def encode(value: Any) -> AttributeValue:
        return {"M": codec.encode_fields(value)}

    def decode(av: Any) -> Any:
        return codec.decode_fields(unwrap(av, "M"))

    return Shape(cls.__name__, encode, decode, is_(cls), frozenset({"M"}), "struct", struct=cls)
