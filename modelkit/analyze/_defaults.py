"""Which values a request's key field hits when the workload file does not say.

The defaults follow what the schema tells: a field that identifies an entity (its whole
partition key, with a fixed sort key) spreads uniformly over that entity's items; a field
with few possible values (an enum, a Literal, a bool, a bounded int) spreads over them;
a date or time in a new item is "now" (sequential); a fresh id in a new item is unique;
anything else spreads over the items of the pattern's entity. Every default is reported as an
assumption, so the user can replace it in the workload file.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelkit.analyze._distributions import (
    Distribution,
    Sequential,
    Uniform,
    Unique,
    Weighted,
    describe,
)
from modelkit.analyze._workload import Workload
from modelkit.keys import key_type
from modelkit.keys._codecs import DateCodec, DateTimeCodec, IntCodec, KeyCodec
from modelkit.schema import PRIMARY, EntityDesign, TableDesign

#: Value counts up to this are spread over their values by default.
FEW_VALUES = 1000
#: Items assumed when the workload gives no item count for the entity.
DEFAULT_ITEMS = 1_000_000


@dataclass(frozen=True, slots=True)
class FieldChoice:
    """The distribution used for a field, and the assumption made (``None``: given)."""

    field: str
    dist: Distribution
    assumed: str | None = None


def field_distribution(
    design: TableDesign,
    workload: Workload,
    entity: EntityDesign,
    field: str,
    *,
    given: Distribution | None,
    new_item: bool,
) -> FieldChoice:
    """The distribution of ``field`` for a request on ``entity``.

    ``new_item``: the request writes a new item (a put), so dates are now and ids fresh.
    """
    if given is not None:
        return FieldChoice(field, given)
    dist, why = _default(design, workload, entity, field, new_item=new_item)
    return FieldChoice(field, dist, f"{field}: {describe(dist)} ({why})")


def _default(
    design: TableDesign, workload: Workload, entity: EntityDesign, field: str, *, new_item: bool
) -> tuple[Distribution, str]:
    owner = _identified_entity(design, field)
    if owner is not None and (owner.name != entity.name or not new_item):
        return Uniform(_items(workload, owner.name)), f"one of the {owner.name} items"
    codec = _codec(entity, field)
    finite = codec.finite_texts() if codec else None
    if finite:
        return Weighted({text: 1.0 for text in finite}), "each of its values alike"
    if isinstance(codec, IntCodec) and codec.high - codec.low < FEW_VALUES:
        return Uniform(codec.high - codec.low + 1), "each value of its declared range alike"
    if new_item and isinstance(codec, DateTimeCodec | DateCodec):
        return Sequential(), "a new item is stamped now"
    if new_item:
        return Unique(), "a new item has a fresh value"
    return Uniform(_items(workload, entity.name)), f"one of the {entity.name} items"


def _identified_entity(design: TableDesign, field: str) -> EntityDesign | None:
    """The entity whose table key is ``field`` alone (``CUSTOMER#{customer_id}``, fixed
    sort key), if exactly one is."""
    found = [
        e
        for e in design.entities
        if (k := e.key(PRIMARY)) is not None
        and k.pk.fields == (field,)
        and (k.sk is None or not k.sk.fields)
    ]
    return found[0] if len(found) == 1 else None


def _codec(entity: EntityDesign, field: str) -> KeyCodec | None:
    declared = entity.field(field)
    if declared is None:
        return None
    try:
        return key_type(declared.annotation)[0]
    except (TypeError, ValueError):
        return None


def _items(workload: Workload, entity: str) -> float:
    load = workload.entities.get(entity)
    return load.items if load and load.items >= 1 else DEFAULT_ITEMS


__all__ = ["DEFAULT_ITEMS", "FieldChoice", "field_distribution"]
