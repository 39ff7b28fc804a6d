"""Checked encoders and decoders for every type a field may declare.

:func:`shape` turns a ``msgspec.inspect`` type into a :class:`Shape`: an ``encode`` that
validates the value and returns its AttributeValue, and a ``decode`` that reads one back, both
raising :class:`Refused` with the path to the bad part.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec.inspect as mi

from modelkit.codec import _containers as containers
from modelkit.codec._choices import literal_leaf
from modelkit.codec._dynamic import decode_any, encode_any
from modelkit.codec._leaf import Leaf
from modelkit.codec._scalars import leaf
from modelkit.codec._shape import ANY_TAG, NONE, AttributeValue, Shape, is_, leaf_shape
from modelkit.codec._unions import union_shape
from modelkit.errors import SchemaError

__all__ = ["AttributeValue", "Shape", "shape"]


def shape(t: mi.Type) -> Shape:
    """The shape of a msgspec type; :class:`SchemaError` for types DynamoDB cannot hold."""
    while isinstance(t, mi.Metadata):
        t = t.type
    scalar = leaf(t)
    if scalar is not None:
        return leaf_shape(scalar, _accepts_leaf(scalar, t))
    if isinstance(t, mi.AnyType):
        return Shape("any value", encode_any, decode_any, lambda v: True, frozenset({ANY_TAG}))
    if isinstance(t, mi.NoneType):
        return NONE
    if isinstance(t, mi.LiteralType):
        return _literal_shape(t.values)
    if isinstance(t, mi.UnionType):
        return union_shape([shape(member) for member in t.types])
    if isinstance(t, mi.ListType | mi.VarTupleType):
        sequence: type = list if isinstance(t, mi.ListType) else tuple
        return containers.sequence_shape(t, shape(t.item_type), sequence)
    if isinstance(t, mi.TupleType):
        return containers.tuple_shape([shape(x) for x in t.item_types])
    if isinstance(t, mi.SetType | mi.FrozenSetType):
        kind: type = set if isinstance(t, mi.SetType) else frozenset
        return containers.set_shape(t, shape(t.item_type), kind)
    if isinstance(t, mi.DictType):
        return containers.dict_shape(t, shape(t.key_type), shape(t.value_type))
    if isinstance(t, mi.StructType):
        return containers.struct_shape(t)
    raise SchemaError(
        f"type {_type_name(t)} cannot be stored by modelkit's codec",
        hint="use str, int, float, Decimal, bool, bytes, datetime, date, time, UUID, an Enum, "
        "a Literal, list, tuple, set, dict[str, ...] or a Struct",
    )


def _type_name(t: mi.Type) -> str:
    cls = getattr(t, "cls", None)
    return cls.__name__ if isinstance(cls, type) else type(t).__name__.removesuffix("Type")


def _accepts_leaf(scalar: Leaf, t: mi.Type) -> Callable[[Any], bool]:
    if isinstance(t, mi.EnumType):
        cls: type[enum.Enum] = t.cls
        return lambda v: isinstance(v, cls)
    if scalar.kind == "int":
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if scalar.kind == "date":
        return lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime)
    return is_(*_KIND_TYPES[scalar.kind])


_KIND_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "float": (float,),
    "Decimal": (Decimal,),
    "bool": (bool,),
    "bytes": (bytes, bytearray, memoryview),
    "datetime": (dt.datetime,),
    "time": (dt.time,),
    "UUID": (uuid.UUID,),
}


def _literal_shape(values: tuple[Any, ...]) -> Shape:
    groups: dict[str, list[Any]] = {}
    for value in values:
        kind = "none" if value is None else "bool" if type(value) is bool else type(value).__name__
        groups.setdefault(kind, []).append(value)
    members = []
    for kind, group in groups.items():
        if kind == "none":
            members.append(NONE)
        else:
            scalar = literal_leaf(tuple(group))
            allowed = frozenset(group)
            members.append(leaf_shape(scalar, functools.partial(_member, allowed=allowed)))
    return members[0] if len(members) == 1 else union_shape(members)


def _member(value: Any, allowed: frozenset[Any]) -> bool:
    try:
        return value in allowed
    except TypeError:
        return False
