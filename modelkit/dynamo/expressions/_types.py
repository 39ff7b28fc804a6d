"""Walking a declared type (msgspec.inspect) one path segment at a time.

``None`` stands for "untyped" (``Any``, or a path built by hand): every step is allowed and
nothing is checked. Optional and union types allow a step any member allows.
"""

from __future__ import annotations

import msgspec.inspect as mi

from modelkit.dynamo.expressions._operands import Segment

Info = mi.Type | None
_RECORDS = (mi.StructType, mi.TypedDictType, mi.DataclassType)
_LISTS = (mi.ListType, mi.VarTupleType)
_MAPS = (mi.DictType, mi.FrozenDictType)
_SETS = (mi.SetType, mi.FrozenSetType)


def members(info: Info) -> list[mi.Type] | None:
    """The concrete types a value of ``info`` may have (``None``: anything)."""
    if info is None:
        return None
    found: list[mi.Type] = []
    todo = [info]
    while todo:
        t = todo.pop(0)
        if isinstance(t, mi.Metadata):
            todo.insert(0, t.type)
        elif isinstance(t, mi.UnionType):
            todo[:0] = t.types
        elif isinstance(t, mi.AnyType):
            return None
        elif not isinstance(t, mi.NoneType):
            found.append(t)
    return found


def field_names(info: Info) -> list[str]:
    """Field names of the record types among ``info``'s members."""
    names: list[str] = []
    for m in members(info) or ():
        if isinstance(m, _RECORDS):
            names.extend(f.name for f in m.fields if f.name not in names)
    return names


def attribute(info: Info, name: str, where: str) -> tuple[str, Info]:
    """The stored name and type of field ``name`` of a record at ``where``."""
    ms = members(info)
    if ms is None:
        raise AttributeError(
            f"{where} has no declared fields; write {where}[{name!r}] for a map key"
        )
    for m in ms:
        if isinstance(m, _RECORDS):
            _refuse_array_like(m, where)
            for f in m.fields:
                if f.name == name:
                    return f.encode_name, f.type
    names = field_names(info)
    if names:
        raise AttributeError(f"{where} has no field {name!r}; its fields: {', '.join(names)}")
    hint = (
        f"; write {where}[{name!r}] for a map key" if any(isinstance(m, _MAPS) for m in ms) else ""
    )
    raise AttributeError(f"{where} ({_kinds(ms)}) has no fields{hint}")


def item(info: Info, key: Segment, where: str) -> tuple[Segment, Info]:
    """The segment and type of ``where[key]``: a map key, a record field or a list index."""
    ms = members(info)
    if ms is None:
        return key, None
    for m in ms:
        if isinstance(key, str) and isinstance(m, _RECORDS):
            _refuse_array_like(m, where)
            for f in m.fields:
                if f.name == key:
                    return f.encode_name, f.type
        elif isinstance(m, _MAPS):
            return str(key), m.value_type
        elif isinstance(key, int) and isinstance(m, _LISTS):
            return key, m.item_type
        elif isinstance(key, int) and isinstance(m, mi.TupleType):
            if key >= len(m.item_types):
                raise IndexError(f"{where} holds {len(m.item_types)} items, so no [{key}]")
            return key, m.item_types[key]
    if any(isinstance(m, _SETS) for m in ms):
        raise TypeError(f"{where} is a set: DynamoDB cannot address set elements; use .contains()")
    names = field_names(info)
    if isinstance(key, str) and names:
        raise KeyError(f"{where} has no field {key!r}; its fields: {', '.join(names)}")
    raise TypeError(f"{where} ({_kinds(ms)}) cannot be indexed by {key!r}")


def _refuse_array_like(m: mi.Type, where: str) -> None:
    if isinstance(m, mi.StructType) and m.array_like:
        raise TypeError(f"{where} is an array_like Struct: its fields have no names when stored")


def _kinds(ms: list[mi.Type]) -> str:
    return " | ".join(type(m).__name__.removesuffix("Type").lower() for m in ms) or "none"
