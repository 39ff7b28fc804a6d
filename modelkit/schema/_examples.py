"""Example items of an entity (for exports and docs) and a small AttributeValue converter.

``example_item(design, "Order", seed=1)`` builds a plausible item as Python values: every
field filled (optional ones too, so sparse indexes show), key fields varied by ``seed``, plus
the key attributes and the entity type attribute. ``to_attribute_value`` turns such values
into DynamoDB's ``{"S": ...}`` form. The real codec (``modelkit.codec``) replaces the latter
on the hot path; this one favours clarity.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import msgspec
import msgspec.inspect as mi

from modelkit.keys import KeyCodec, key_type
from modelkit.schema._design import EntityDesign, TableDesign
from modelkit.schema._keys import keys_for

_BASE_TIME = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
_FUTURE_TIME = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
_NAMES = ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov")
_MAX_DEPTH = 6


def example_item(design: TableDesign, entity_name: str, seed: int = 0) -> dict[str, Any]:
    """A plausible item of ``entity_name``: attribute name → Python value.

    Holds the key attributes (table and index keys, formatted by the entity's templates),
    the type attribute, every field under its stored (encoded) name and, when the entity
    has a TTL field, the table's TTL attribute as epoch seconds. The same seed gives the
    same item; different seeds give different keys.
    """
    entity = design.entity(entity_name)
    key_fields = {f for k in entity.keys for t in (k.pk, k.sk) if t is not None for f in t.fields}
    values: dict[str, Any] = {}
    stored: dict[str, Any] = {}
    for name, attribute, info in _fields(entity):
        if name in key_fields:
            value = _key_value(entity, name, info, seed)
        else:
            value = _value(info, name, seed, future=name == entity.ttl_field)
        values[name] = value
        stored[attribute] = value
    keys = keys_for(design)[entity.name].key_attributes(values)
    item: dict[str, Any] = {a: keys[a] for a in design.key_attributes() if a in keys}
    item[design.type_attribute] = keys[design.type_attribute]
    item.update((a, v) for a, v in stored.items() if a not in item)
    if design.ttl_attribute and entity.ttl_field and entity.ttl_field in values:
        item[design.ttl_attribute] = _epoch(values[entity.ttl_field])
    return item


def _fields(entity: EntityDesign) -> list[tuple[str, str, mi.Type]]:
    """(field name, stored name, type info) of every field."""
    try:
        info = mi.type_info(entity.struct)
    except (TypeError, ValueError):
        info = None
    if isinstance(info, mi.StructType):
        return [(f.name, f.encode_name, f.type) for f in info.fields]
    return [(f.name, f.attribute or f.name, _info(f.annotation)) for f in entity.fields]


def _info(annotation: Any) -> mi.Type:
    try:
        return mi.type_info(annotation)
    except (TypeError, ValueError):
        return mi.AnyType()


def _key_value(entity: EntityDesign, name: str, info: mi.Type, seed: int) -> Any:
    """The key codec's example, varied by seed within the field's type."""
    field = entity.field(name)
    try:
        codec: KeyCodec = key_type(field.annotation if field else Any)[0]
    except (TypeError, ValueError):
        return _value(info, name, seed)
    texts = codec.finite_texts()
    if texts:
        return codec.decode(texts[seed % len(texts)])
    base = codec.example()
    if isinstance(base, str):
        return _text(name, seed, _unwrap(info))
    if isinstance(base, int):
        low, high = _int_bounds(_unwrap(info), default_low=base)
        return low + (base - low + seed) % (high - low + 1)
    if isinstance(base, Decimal):
        return base + seed
    if isinstance(base, dt.datetime):
        return base + dt.timedelta(days=seed, minutes=17 * seed)
    if isinstance(base, dt.date):
        return base + dt.timedelta(days=seed)
    if isinstance(base, uuid.UUID):
        return uuid.uuid5(base, f"{name}/{seed}")
    return base


def _unwrap(info: mi.Type) -> mi.Type:
    while True:
        if isinstance(info, mi.Metadata):
            info = info.type
        elif isinstance(info, mi.UnionType):
            members = [t for t in info.types if not isinstance(t, mi.NoneType)]
            if not members:
                return mi.NoneType()
            info = members[0]
        else:
            return info


def _value(info: mi.Type, name: str, seed: int, depth: int = 0, future: bool = False) -> Any:
    """A plausible value of a declared type (optional fields get a value, not None)."""
    info = _unwrap(info)
    if isinstance(info, mi.StrType):
        return _text(name, seed, info)
    if isinstance(info, mi.BoolType):
        return seed % 2 == 0
    if isinstance(info, mi.IntType) and future:
        return int((_FUTURE_TIME + dt.timedelta(days=seed)).timestamp())
    if isinstance(info, mi.IntType):
        low, high = _int_bounds(info, default_low=0)
        value = low + (seed + 1) % (high - low + 1)
        step = int(info.multiple_of or 1)
        value += -value % step
        return value if value <= high else value - step
    if isinstance(info, mi.FloatType):
        floor = info.ge if info.ge is not None else info.gt if info.gt is not None else 0.0
        return float(floor) + 1.5 + seed
    if isinstance(info, mi.DecimalType):
        return Decimal("19.99") + seed
    if isinstance(info, mi.DateTimeType):
        moment = (_FUTURE_TIME if future else _BASE_TIME) + dt.timedelta(days=seed, minutes=seed)
        return moment.replace(tzinfo=None) if info.tz is False else moment
    if isinstance(info, mi.DateType):
        return _BASE_TIME.date() + dt.timedelta(days=seed)
    if isinstance(info, mi.TimeType):
        return dt.time(12, 30 + seed % 30, tzinfo=dt.UTC if info.tz else None)
    if isinstance(info, mi.TimeDeltaType):
        return dt.timedelta(minutes=seed + 1)
    if isinstance(info, mi.UUIDType):
        return uuid.uuid5(uuid.NAMESPACE_URL, f"modelkit:{name}/{seed}")
    if isinstance(info, mi.BytesType | mi.ByteArrayType | mi.MemoryViewType):
        return f"{name}-{seed}".encode()
    if isinstance(info, mi.EnumType):
        members = list(info.cls)
        return members[seed % len(members)]
    if isinstance(info, mi.LiteralType):
        return info.values[seed % len(info.values)]
    if isinstance(info, mi.NoneType):
        return None
    return _composite(info, name, seed, depth)


def _composite(info: mi.Type, name: str, seed: int, depth: int) -> Any:
    if depth >= _MAX_DEPTH:
        return None
    if isinstance(info, mi.ListType | mi.VarTupleType | mi.SetType | mi.FrozenSetType):
        count = max(info.min_length or 0, min(2, info.max_length if info.max_length else 2))
        items = [_value(info.item_type, name, seed + i, depth + 1) for i in range(count)]
        if isinstance(info, mi.SetType | mi.FrozenSetType):
            return set(items)
        return tuple(items) if isinstance(info, mi.VarTupleType) else items
    if isinstance(info, mi.TupleType):
        return tuple(_value(t, name, seed + i, depth + 1) for i, t in enumerate(info.item_types))
    if isinstance(info, mi.DictType | mi.FrozenDictType):
        key = _value(info.key_type, "key", seed, depth + 1)
        return {key: _value(info.value_type, name, seed, depth + 1)}
    if isinstance(info, mi.StructType | mi.TypedDictType | mi.DataclassType):
        result = {f.encode_name: _value(f.type, f.name, seed, depth + 1) for f in info.fields}
        if isinstance(info, mi.StructType) and info.tag_field is not None:
            result = {info.tag_field: info.tag, **result}
        return result
    if isinstance(info, mi.NamedTupleType):
        return tuple(_value(f.type, f.name, seed, depth + 1) for f in info.fields)
    return f"{name}-{seed}"


def _int_bounds(info: mi.Type, default_low: int) -> tuple[int, int]:
    if not isinstance(info, mi.IntType):
        return default_low, default_low + 1000
    low = info.ge if info.ge is not None else info.gt + 1 if info.gt is not None else None
    high = info.le if info.le is not None else info.lt - 1 if info.lt is not None else None
    if low is None:
        low = min(default_low, high) if high is not None else default_low
    return low, high if high is not None else low + 1000


def _text(name: str, seed: int, info: mi.Type) -> str:
    low = name.lower()
    if "email" in low:
        text = f"user{seed + 1}@example.com"
    elif low == "id" or low.endswith("_id") or name.endswith("Id"):
        text = f"{low[0]}-{42 + seed}"
    elif "name" in low:
        text = _NAMES[seed % len(_NAMES)]
    elif "sku" in low:
        text = f"SKU-{1000 + seed}"
    elif "url" in low:
        text = f"https://example.com/{low}/{seed}"
    else:
        text = f"{low.replace('_', '-')}-{seed}"
    if isinstance(info, mi.StrType):
        if info.max_length is not None:
            text = text[: info.max_length]
        if info.min_length is not None and len(text) < info.min_length:
            text = text.ljust(info.min_length, "x")
    return text


def _epoch(value: Any) -> int:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return int(moment.timestamp())
    if isinstance(value, dt.date):
        return int(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp())
    return int(value)


# -- AttributeValues ---------------------------------------------------------------------------


def to_attribute_value(value: Any) -> dict[str, Any]:
    """A Python value as a DynamoDB AttributeValue (``{"S": ...}``, ``{"N": "19.99"}``, ...).

    Numbers become exact decimal strings (floats by their shortest round-trip form);
    datetimes, dates and times ISO-8601 strings; UUIDs strings; enums their value; sets of
    strings, numbers or bytes ``SS``/``NS``/``BS``; Structs and mappings ``M``.
    """
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, enum.Enum):
        return to_attribute_value(value.value)
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | float | Decimal):
        return {"N": _number(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"B": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return {"S": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"S": str(value)}
    if isinstance(value, msgspec.Struct):
        return {"M": _struct_map(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attribute_value(v) for k, v in value.items()}}
    if isinstance(value, set | frozenset):
        return _set(value)
    if isinstance(value, list | tuple):
        return {"L": [to_attribute_value(v) for v in value]}
    builtin = msgspec.to_builtins(value)
    if type(builtin) is type(value):
        raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")
    return to_attribute_value(builtin)


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"DynamoDB numbers must be finite, not {value}")
    number = Decimal(repr(value)) if isinstance(value, float) else value
    if not number.is_finite():
        raise ValueError(f"DynamoDB numbers must be finite, not {number}")
    text = str(number)
    return format(number, "f") if "E" in text else text


def _struct_map(value: msgspec.Struct) -> dict[str, Any]:
    info = mi.type_info(type(value))
    assert isinstance(info, mi.StructType)
    result: dict[str, Any] = {}
    if info.tag_field is not None:
        result[info.tag_field] = to_attribute_value(info.tag)
    for field in info.fields:
        item = getattr(value, field.name)
        if item is not msgspec.UNSET:
            result[field.encode_name] = to_attribute_value(item)
    return result


def _set(value: set[Any] | frozenset[Any]) -> dict[str, Any]:
    if not value:
        raise ValueError("DynamoDB has no empty sets; store no attribute or an empty list")
    if all(isinstance(v, str) for v in value):
        return {"SS": sorted(value)}
    if all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in value):
        return {"NS": [_number(v) for v in sorted(value)]}
    if all(isinstance(v, bytes) for v in value):
        return {"BS": [base64.b64encode(v).decode("ascii") for v in sorted(value)]}
    return {"L": [to_attribute_value(v) for v in sorted(value, key=repr)]}
