"""Hypothesis strategies for whole entity instances of a user's schema.

>>> from modelkit.testing import entities
>>> @given(entities(design, "Order"))                  # doctest: +SKIP
... def test_orders_round_trip(order): ...

Key fields are drawn as :func:`~modelkit.testing.key_values` draws them (every key within
DynamoDB's size limits, in every index the entity is in); the other fields from their types
(``hypothesis.strategies.from_type``). A TTL field's datetimes have a time zone. Instances that
cannot be stored (a NaN, an empty set, a broken ``msgspec.Meta`` constraint, an item over
400 KB, ...) are filtered out, so every instance drawn can be written.
"""

from __future__ import annotations

import datetime as dt
import math
import types
import typing
from typing import Any

import msgspec
from hypothesis import strategies as st

from modelkit.dynamo._items import ItemShape
from modelkit.errors import ModelkitError
from modelkit.schema import PRIMARY, TableDesign, keys_for
from modelkit.testing.strategies import aware_datetimes, key_values


def entities(
    design: TableDesign, name: str, *, text: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Any]:
    """Instances of entity ``name`` of ``design`` (see the module docstring); ``text``
    replaces the strategy for str key fields."""
    entity = design.entity(name)
    if entity.struct is None:
        raise ValueError(f"entity {name} has no class to build (a design loaded without code)")
    indexes = [PRIMARY, *(i for i in keys_for(design)[name].formats if i != PRIMARY)]
    key_parts = [key_values(design, name, index, text=text) for index in indexes]
    others = {
        field.name: typed(field.annotation, aware=field.name == entity.ttl_field)
        for field in entity.fields
        if field.annotation is not None
    }
    shape: ItemShape[Any] = ItemShape(design, entity)

    def build(parts: tuple[dict[str, Any], ...], rest: dict[str, Any]) -> Any:
        values = dict(rest)
        for part in reversed(parts):  # the table key's values win over an index's
            values.update(part)
        try:
            return msgspec.convert(values, entity.struct)
        except msgspec.ValidationError:  # a key value outside the field's own constraints
            return None

    def storable(obj: Any) -> bool:
        try:
            shape.to_item(obj)
        except (ModelkitError, ValueError, TypeError, OverflowError):
            return False
        return not _has_nan(msgspec.to_builtins(obj))

    candidates = st.builds(build, st.tuples(*key_parts), st.fixed_dictionaries(others))
    return candidates.filter(lambda obj: obj is not None and storable(obj))


def typed(annotation: Any, *, aware: bool = False) -> st.SearchStrategy[Any]:
    """Values of ``annotation``, within the bounds of its ``msgspec.Meta`` constraints
    (numbers, lengths, patterns); other types as ``from_type`` draws them. ``aware``: a
    ``datetime`` has a time zone (as a TTL field's must)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return st.one_of([typed(arg, aware=aware) for arg in typing.get_args(annotation)])
    if annotation is type(None):
        return st.none()
    if aware and annotation is dt.datetime:
        return aware_datetimes()
    if typing.get_origin(annotation) is not typing.Annotated:
        return st.from_type(annotation)
    base, *extras = typing.get_args(annotation)
    meta = next((m for m in extras if isinstance(m, msgspec.Meta)), None)
    if meta is None:
        return typed(base)
    if base is int:
        low = meta.ge if meta.ge is not None else (meta.gt + 1 if meta.gt is not None else None)
        high = meta.le if meta.le is not None else (meta.lt - 1 if meta.lt is not None else None)
        return st.integers(
            math.ceil(low) if low is not None else None,
            math.floor(high) if high is not None else None,
        )
    if base is float:
        return st.floats(
            meta.ge if meta.ge is not None else meta.gt,
            meta.le if meta.le is not None else meta.lt,
            allow_nan=False,
            allow_infinity=False,
            exclude_min=meta.gt is not None,
            exclude_max=meta.lt is not None,
        )
    if base is str:
        if meta.pattern is not None:
            return st.from_regex(meta.pattern, fullmatch=True).filter(lambda s: _length_ok(s, meta))
        return st.text(min_size=meta.min_length or 0, max_size=meta.max_length)
    return st.from_type(base)


def _length_ok(text: str, meta: msgspec.Meta) -> bool:
    return (meta.min_length is None or len(text) >= meta.min_length) and (
        meta.max_length is None or len(text) <= meta.max_length
    )


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value) or math.isinf(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    return False
