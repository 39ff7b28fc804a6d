"""Access patterns inferred from the entities' key templates.

Names follow one scheme, so that they read as what they fetch:

- ``"<Entity> by <fields>"``: a ``get`` of one item by its table key (``"<Entity> item"``
  when the key has no fields);
- ``"<Entity> list by <fields>"``: a ``query`` of the entity's items in one table partition,
  made only when the sort key has fields the partition key lacks;
- ``"<Entity> list by <fields> on <GSI>"``: a ``query`` of one partition of each GSI the
  entity is in (a GSI key need not be unique, so never a ``get``);
- ``"<Entity>, <Entity> and <Entity> by <fields>"`` (``… on <GSI>``): a ``query`` of an item
  collection, the entities that share one partition-key template in the table or a GSI.

``<fields>`` and ``<Entity>, …`` are joined with ``", "`` and a last ``" and "``. A pattern the
templates cannot answer (a partition-key field that sits behind another field in the sort
key) is left out, and so is that entity from its item collection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from modelkit.keys import KeyTemplate
from modelkit.workbench_import._templates import PRIMARY, EntityPlan

#: The longest collection name that lists all its entities.
NAME_WIDTH = 72


@dataclass(frozen=True)
class PatternPlan:
    """A pattern as the module declares it with ``table.pattern(...)``."""

    name: str
    entities: tuple[str, ...]
    op: Literal["get", "query"]
    index: str = PRIMARY
    given: tuple[str, ...] = ()


def infer_patterns(plans: list[EntityPlan], gsis: list[str]) -> list[PatternPlan]:
    """Per entity a get, a partition query and a query per GSI; then the item collections,
    table first, then each GSI in order."""
    found: list[PatternPlan] = []
    for plan in plans:
        pk, sk = _fields(plan, PRIMARY)
        key = (*pk, *(f for f in sk if f not in pk))
        name = f"{plan.name}{_by(key)}" if key else f"{plan.name} item"
        found.append(PatternPlan(name, (plan.name,), "get", PRIMARY, key))
        if any(f not in pk for f in sk) and _answerable(pk, sk):
            found.append(_list(plan.name, PRIMARY, pk))
        for index in gsis:
            if index in plan.keys and _answerable(*_fields(plan, index)):
                found.append(_list(plan.name, index, _fields(plan, index)[0]))
    for index in [PRIMARY, *gsis]:
        groups: dict[str, list[EntityPlan]] = {}
        for plan in plans:
            if index in plan.keys and _answerable(*_fields(plan, index)):
                groups.setdefault(plan.keys[index][0], []).append(plan)
        for members in groups.values():
            if len(members) > 1:
                pk = _fields(members[0], index)[0]
                names = tuple(p.name for p in members)
                by = _by(pk)
                name = _at(f"{_entities(names, len(_at(by, index)))}{by}", index)
                found.append(PatternPlan(name, names, "query", index, pk))
    return _unique(found)


def _list(entity: str, index: str, given: tuple[str, ...]) -> PatternPlan:
    return PatternPlan(_at(f"{entity} list{_by(given)}", index), (entity,), "query", index, given)


def _fields(plan: EntityPlan, index: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pk, sk = plan.keys[index]
    return KeyTemplate.parse(pk).fields, KeyTemplate.parse(sk).fields if sk else ()


def _answerable(pk: tuple[str, ...], sk: tuple[str, ...]) -> bool:
    """Whether giving the partition-key fields fixes only a leading run of the sort key."""
    given = [f in pk for f in sk]
    return given == sorted(given, reverse=True)


def _by(fields: tuple[str, ...]) -> str:
    return f" by {_and(fields)}" if fields else ""


def _and(words: tuple[str, ...]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _entities(names: tuple[str, ...], rest: int) -> str:
    """The entities' names, the last ones counted (``A, B and 3 more``) when the pattern's
    name, ``rest`` characters more, would pass ``NAME_WIDTH``."""
    for shown in range(len(names), 0, -1):
        listed = names if shown == len(names) else (*names[:shown], f"{len(names) - shown} more")
        if len(_and(listed)) + rest <= NAME_WIDTH or shown == 1:
            return _and(listed)
    return ""


def _at(name: str, index: str) -> str:
    return name if index == PRIMARY else f"{name} on {index}"


def _unique(found: list[PatternPlan]) -> list[PatternPlan]:
    seen: set[str] = set()
    result = []
    for pattern in found:
        name, n = pattern.name, 2
        while name in seen:
            name, n = f"{pattern.name} ({n})", n + 1
        seen.add(name)
        result.append(PatternPlan(name, pattern.entities, pattern.op, pattern.index, pattern.given))
    return result
