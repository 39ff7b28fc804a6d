"""The public codec: whole items (:class:`ItemCodec`) and single values."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import msgspec.inspect as mi

from modelkit.codec._dynamic import decode_any, encode_any
from modelkit.codec._refusal import Refused
from modelkit.codec._shape import AttributeValue, Shape
from modelkit.codec._struct import struct_codec
from modelkit.codec._values import shape

T = TypeVar("T")
Item = dict[str, AttributeValue]


class ItemCodec(Generic[T]):
    """Encode a Struct to a DynamoDB item (attribute name → AttributeValue) and back.

    ``encode`` writes the Struct's fields under their stored names (msgspec ``rename``); the
    key attributes and the entity type attribute are the caller's to add. ``decode`` ignores
    attributes the Struct does not declare. Both raise
    :class:`~modelkit.errors.ValidationError` naming the field for a value DynamoDB cannot
    hold (NaN, out-of-range number, lone surrogate, broken ``Meta`` constraint, wrong type).
    """

    __slots__ = ("decode", "encode", "struct_type")

    encode: Callable[[T], Item]
    decode: Callable[[Mapping[str, AttributeValue]], T]

    def __init__(self, struct_type: type[T]) -> None:
        codec = struct_codec(struct_type)
        self.struct_type = struct_type
        # the generated functions themselves: no bound-method call in between
        self.encode = codec.encode
        self.decode = codec.decode

    def __repr__(self) -> str:
        return f"ItemCodec({self.struct_type.__qualname__})"


@functools.cache
def item_codec(struct_type: type[T]) -> ItemCodec[T]:
    """The shared :class:`ItemCodec` of a Struct class."""
    return ItemCodec(struct_type)


def encode_value(value: Any, type: Any = None) -> AttributeValue:
    """One value as an AttributeValue: by its declared ``type`` if given, else by its own."""
    try:
        if type is None:
            return encode_any(value)
        return _shape(type).encode(value)
    except Refused as exc:
        raise exc.error("value") from None


def decode_value(av: Mapping[str, Any], type: Any = Any) -> Any:
    """One AttributeValue as a value of ``type`` (without a type: str, int/Decimal, ...)."""
    try:
        if type is Any:
            return decode_any(av)
        return _shape(type).decode(av)
    except Refused as exc:
        raise exc.error("value") from None


def _shape(tp: Any) -> Shape:
    try:
        return _cached_shape(tp)
    except TypeError:  # an unhashable annotation
        return shape(mi.type_info(tp))


@functools.lru_cache(maxsize=1024)
def _cached_shape(tp: Any) -> Shape:
    return shape(mi.type_info(tp))
