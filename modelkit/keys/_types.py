"""Which key codec a declared field type gets."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import msgspec
import msgspec.inspect as mi

from modelkit.keys._codecs import (
    INT64_MAX,
    INT64_MIN,
    BoolCodec,
    DateCodec,
    DateTimeCodec,
    DecimalCodec,
    IntCodec,
    KeyCodec,
    KeyCodecError,
    StrCodec,
    UUIDCodec,
    enum_codec,
    literal_codec,
)

KEY_TYPES = "str, int, Decimal, datetime (timezone-aware), date, UUID, Enum, Literal or bool"


def _unwrap(info: mi.Type) -> tuple[mi.Type, bool]:
    """Strip ``Annotated`` metadata and ``| None``; say whether None was allowed."""
    optional = False
    while True:
        if isinstance(info, mi.Metadata):
            info = info.type
        elif isinstance(info, mi.UnionType) and info.includes_none:
            members = [t for t in info.types if not isinstance(t, mi.NoneType)]
            if len(members) != 1:
                return info, True
            info, optional = members[0], True
        else:
            return info, optional


def _int_bounds(info: mi.IntType) -> tuple[int, int]:
    low = info.ge if info.ge is not None else (info.gt + 1 if info.gt is not None else INT64_MIN)
    high = info.le if info.le is not None else (info.lt - 1 if info.lt is not None else INT64_MAX)
    return low, high


def _codec_from_info(info: mi.Type) -> KeyCodec:
    if isinstance(info, mi.StrType):
        return StrCodec()
    if isinstance(info, mi.BoolType):
        return BoolCodec()
    if isinstance(info, mi.IntType):
        return IntCodec(*_int_bounds(info))
    if isinstance(info, mi.DecimalType):
        return DecimalCodec()
    if isinstance(info, mi.DateTimeType):
        if info.tz is False:
            raise KeyCodecError("naive datetimes (tz=False) cannot be keys; use aware datetimes")
        return DateTimeCodec()
    if isinstance(info, mi.DateType):
        return DateCodec()
    if isinstance(info, mi.UUIDType):
        return UUIDCodec()
    if isinstance(info, mi.EnumType):
        return enum_codec(info.cls)
    if isinstance(info, mi.LiteralType):
        return literal_codec(tuple(info.values))
    raise KeyCodecError(f"type {_name(info)} cannot be part of a key; use {KEY_TYPES}")


def _name(info: mi.Type) -> str:
    return type(info).__name__.removesuffix("Type").lower() or "unknown"


@lru_cache(maxsize=1024)
def key_type(annotation: Any) -> tuple[KeyCodec, bool]:
    """The codec for a field annotation, and whether the field may be None.

    Raises :class:`KeyCodecError` for a type that cannot be part of a key.
    """
    try:
        info = mi.type_info(annotation)
    except (TypeError, ValueError, msgspec.ValidationError) as exc:
        raise KeyCodecError(f"unsupported annotation {annotation!r}: {exc}") from None
    info, optional = _unwrap(info)
    return _codec_from_info(info), optional


def codec_for(annotation: Any) -> KeyCodec:
    """The key codec for a field annotation (``str``, ``Annotated[int, Meta(ge=0)]``, ...)."""
    return key_type(annotation)[0]
