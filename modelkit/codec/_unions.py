"""Unions: written by the first member that takes the value, read by AttributeValue type.

Members must be told apart by their AttributeValue type; the exceptions are an int beside one
float or Decimal (N: integral text reads as the int) and tagged Structs (M: by the tag).
"""

from __future__ import annotations

from typing import Any

from modelkit.codec._numbers import is_integral_text
from modelkit.codec._refusal import Refused, describe
from modelkit.codec._shape import ANY_TAG, NONE, AttributeValue, Decoder, Shape
from modelkit.errors import SchemaError


def union_shape(members: list[Shape]) -> Shape:
    """A union: written by the first member that takes the value, read by AttributeValue type."""
    name = " | ".join(m.name for m in members)
    by_tag = _decoders_by_tag(members, name)
    any_decoder = by_tag.pop(ANY_TAG, None)
    others = [m for m in members if m is not NONE]
    allows_none = len(others) < len(members)

    def encode(value: Any) -> AttributeValue:
        if value is None and allows_none:
            return {"NULL": True}
        for member in others:
            if member.accepts(value):
                return member.encode(value)
        for member in others:
            try:
                return member.encode(value)
            except Refused:
                continue
        raise Refused(f"expected {name}, got {describe(value)}")

    def decode(av: Any) -> Any:
        if isinstance(av, dict) and len(av) == 1:
            decoder = by_tag.get(next(iter(av)), any_decoder)
            if decoder is not None:
                return decoder(av)
        raise Refused(f"expected {name}, got {describe(av)}")

    def accepts(value: Any) -> bool:
        return any(m.accepts(value) for m in members)

    tags = frozenset(by_tag) | ({ANY_TAG} if any_decoder else frozenset())
    lone = others[0] if len(others) == 1 else None
    return Shape(
        name,
        encode,
        decode,
        accepts,
        tags,
        "optional" if allows_none and lone is not None else "other",
        item=lone if allows_none else None,
    )


def _decoders_by_tag(members: list[Shape], name: str) -> dict[str, Decoder]:
    claims: dict[str, list[Shape]] = {}
    for member in members:
        for tag in member.tags:
            claims.setdefault(tag, []).append(member)
    decoders: dict[str, Decoder] = {}
    for tag, claimants in claims.items():
        if len(claimants) == 1:
            decoders[tag] = claimants[0].decode
        elif tag == "N":
            decoders[tag] = _number_decoder(claimants, name)
        elif tag == "M" and all(_tagged(m) for m in claimants):
            decoders[tag] = _tagged_decoder(claimants)
        else:
            raise SchemaError(
                f"union {name} is ambiguous in DynamoDB: {len(claimants)} members are stored "
                f"as {tag}",
                hint="keep one member per AttributeValue type (tag Struct members of a union)",
            )
    return decoders


def _tagged(member: Shape) -> bool:
    from modelkit.codec._struct import struct_codec

    return member.struct is not None and struct_codec(member.struct).tag_field is not None


def _number_decoder(claimants: list[Shape], name: str) -> Decoder:
    ints = [m for m in claimants if m.leaf is not None and m.leaf.kind == "int"]
    rest = [m for m in claimants if m not in ints]
    if len(ints) != 1 or len(rest) != 1:
        raise SchemaError(
            f"union {name} is ambiguous in DynamoDB: several members are numbers (N)",
            hint="an int may share a union with one float or Decimal, no more",
        )
    as_int, as_other = ints[0].decode, rest[0].decode

    def decode(av: Any) -> Any:
        return as_int(av) if is_integral_text(av["N"]) else as_other(av)

    return decode


def _tagged_decoder(claimants: list[Shape]) -> Decoder:
    from modelkit.codec._struct import struct_codec

    codecs = {}
    field = None
    for member in claimants:
        assert member.struct is not None
        codec = struct_codec(member.struct)
        field = codec.tag_field
        ((tag, wire),) = codec.tag_av.items()
        codecs[(tag, wire)] = codec
    tag_field = field

    def decode(av: Any) -> Any:
        fields = av["M"]
        try:
            ((tag, wire),) = fields[tag_field].items()
            codec = codecs[(tag, wire)]
        except (KeyError, TypeError, ValueError):
            raise Refused(
                f"expected a tag {tag_field!r} naming one of {[c.name for c in codecs.values()]}"
            ) from None
        return codec.decode_fields(fields)

    return decode
