"""Short type names and worst-case stored sizes of entity fields (DynamoDB size rules)."""

from __future__ import annotations

import msgspec.inspect as mi

#: Stored size of a number with the full 38 digits (about one byte per two digits, plus one).
NUMBER_BYTES = 21
_FIXED: dict[type, int] = {
    mi.BoolType: 1,
    mi.NoneType: 1,
    mi.IntType: NUMBER_BYTES,
    mi.FloatType: NUMBER_BYTES,
    mi.DecimalType: NUMBER_BYTES,
    mi.DateTimeType: 32,
    mi.DateType: 10,
    mi.TimeType: 15,
    mi.UUIDType: 36,
}


def field_label(info: mi.Type) -> str:
    """``str``, ``int``, ``datetime``, ``list[str]``, ``Address``, ``str | None`` ..."""
    if isinstance(info, mi.Metadata):
        return field_label(info.type)
    if isinstance(info, mi.UnionType):
        return " | ".join(field_label(t) for t in info.types)
    if isinstance(info, mi.EnumType):
        return info.cls.__name__
    if isinstance(info, mi.LiteralType):
        return "Literal[" + ", ".join(repr(v) for v in info.values) + "]"
    if isinstance(info, mi.StructType):
        return info.cls.__name__
    if isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        return f"{_base(info)}[{field_label(info.item_type)}]"
    if isinstance(info, mi.DictType):
        return f"dict[{field_label(info.key_type)}, {field_label(info.value_type)}]"
    return _base(info)


def _base(info: mi.Type) -> str:
    name = type(info).__name__.removesuffix("Type")
    return {"DateTime": "datetime", "UUID": "UUID", "VarTuple": "tuple", "None": "None"}.get(
        name, name.lower()
    )


def field_max_bytes(info: mi.Type, depth: int = 0) -> int | None:
    """Largest value size the declaration allows, or ``None`` when it sets no bound.

    Strings count one byte per character of ``max_length`` (ordinary text; a bound in
    UTF-8 bytes would be four times larger for the worst case).
    """
    if depth > 20:
        return None
    if isinstance(info, mi.Metadata):
        return field_max_bytes(info.type, depth + 1)
    fixed = _FIXED.get(type(info))
    if fixed is not None:
        return fixed
    if isinstance(info, mi.StrType | mi.BytesType | mi.ByteArrayType):
        return info.max_length
    if isinstance(info, mi.EnumType):
        return max((len(str(m.value)) for m in info.cls), default=1)
    if isinstance(info, mi.LiteralType):
        return max((len(str(v)) for v in info.values), default=1)
    if isinstance(info, mi.UnionType):
        sizes = [field_max_bytes(t, depth + 1) for t in info.types]
        return None if None in sizes else max(s for s in sizes if s is not None)
    if isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        item = field_max_bytes(info.item_type, depth + 1)
        if info.max_length is None or item is None:
            return None
        return 3 + info.max_length * (item + 1)
    if isinstance(info, mi.StructType):
        total = 3
        for field in info.fields:
            size = field_max_bytes(field.type, depth + 1)
            if size is None:
                return None
            total += len(field.encode_name.encode()) + size + 1
        return total
    return None
