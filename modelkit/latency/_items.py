"""Items to benchmark with: instances of an entity built from its example values, one per
seed, each with a primary key of its own."""

from __future__ import annotations

from typing import Any

import msgspec

from modelkit.errors import ModelkitError
from modelkit.schema import PRIMARY, EntityDesign, TableDesign
from modelkit.schema._examples import _fields, _key_value, _value


class BenchItems(msgspec.Struct):
    """``objects[i]`` is an instance and ``keys[i]`` its key fields (for ``repo.get``)."""

    objects: list[Any]
    keys: list[dict[str, Any]]


def cached_entity(design: TableDesign, name: str | None = None) -> EntityDesign:
    """Entity ``name``, or the first one with a cache policy; refuses one without a policy."""
    if name is not None:
        try:
            entity = design.entity(name)
        except KeyError:
            known = ", ".join(e.name for e in design.entities)
            raise ModelkitError(
                f"table {design.name} has no entity {name!r} (known: {known})"
            ) from None
        if entity.cache.mode == "off":
            raise ModelkitError(f"entity {name} has no cache policy (cache=CachePolicy(...))")
        return entity
    for entity in design.entities:
        if entity.cache.mode != "off":
            return entity
    raise ModelkitError(
        f"table {design.name} caches no entity: give one a cache=CachePolicy(...) to benchmark"
    )


def example_items(design: TableDesign, entity: EntityDesign, count: int) -> BenchItems:
    """Up to ``count`` instances of ``entity`` with distinct primary keys (fewer when the key
    has fewer values, as a key made of an enum field), filled as
    :func:`modelkit.schema._examples.example_item` fills them, seed after seed."""
    if entity.struct is None:
        raise ModelkitError(f"entity {entity.name} has no class to build items from")
    key = entity.key(PRIMARY)
    assert key is not None
    key_fields = [*key.pk.fields, *(key.sk.fields if key.sk is not None else ())]
    fields_of = _fields(entity)  # the type of every field, read once (it is slow to read)
    objects: list[Any] = []
    keys: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for seed in range(count * 2):
        if len(objects) == count:
            break
        obj = msgspec.convert(_example(entity, fields_of, key_fields, seed), entity.struct)
        fields = {name: getattr(obj, name) for name in key_fields}
        identity = tuple(repr(v) for v in fields.values())
        if identity in seen:
            continue
        seen.add(identity)
        objects.append(obj)
        keys.append(fields)
    return BenchItems(objects, keys)


def _example(
    entity: EntityDesign, fields_of: list[tuple[str, str, Any]], key_fields: list[str], seed: int
) -> dict[str, Any]:
    """The stored fields of ``example_item(design, entity, seed)`` (same values), without its
    key attributes."""
    return {
        attribute: _key_value(entity, name, info, seed)
        if name in key_fields
        else _value(info, name, seed, future=name == entity.ttl_field)
        for name, attribute, info in fields_of
    }
