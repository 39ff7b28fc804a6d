"""Group sample items into entities: by facet, by a type attribute, or by key prefixes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from modelkit.workbench_import._names import pascal
from modelkit.workbench_import._read import ReadItem, ReadModel

#: Attribute names that usually hold an item's entity type.
TYPE_NAMES = ("entitytype", "entity_type", "_type", "type", "entity", "itemtype", "kind")
#: Names the generated module imports: no entity class may take them.
_TAKEN = frozenset({"Any", "Decimal", "Index", "Key", "Provisioned", "Table"})
_TAG = re.compile(r"^(?:[a-z][a-z_]*|[A-Z][A-Z_]*)$")


@dataclass
class FoundEntity:
    """An entity: its class name, its value of the type attribute (if any) and its items."""

    name: str
    items: list[ReadItem]
    type_value: str | None = None
    found_by: str = "prefix"


def is_tag(token: str, item: dict[str, object], keys: set[str | None]) -> bool:
    """A key segment that reads as fixed text: letters only, all lower or all upper case, and
    not the value of one of the item's attributes other than the ``keys``."""
    return bool(_TAG.match(token)) and all(v != token for a, v in item.items() if a not in keys)


def key_attributes(model: ReadModel) -> set[str | None]:
    """The table's and its GSIs' key attributes."""
    return {model.pk, model.sk, *(k for i in model.gsis for k in (i.pk, i.sk))}


def type_attribute(model: ReadModel) -> str | None:
    """The attribute holding every item's entity type, if the model has one."""
    keys = key_attributes(model)
    for item in model.items[:1]:
        for attribute in item.values:
            if attribute.lower() in TYPE_NAMES and attribute not in keys:
                values = [i.values.get(attribute) for i in model.items]
                if all(isinstance(v, str) and v for v in values):
                    return attribute
    return None


def find_entities(model: ReadModel) -> tuple[list[FoundEntity], str | None]:
    """Entities in order of first appearance, named in PascalCase, and the type attribute
    (``None`` when the items have none, or when an entity's items disagree on it)."""
    attribute = type_attribute(model)
    if model.items and all(i.facet for i in model.items):
        found = _group(model.items, lambda i: str(i.facet), "facet")
    elif attribute is not None:
        found = _group(model.items, lambda i: str(i.values[attribute]), "type attribute")
    else:
        found = _group(model.items, lambda i: _prefixes(model, i), "prefix")
        if len(found) == 1:
            found[0].name = pascal(model.name) + "Item"
    if attribute is not None:
        kinds = [{str(i.values[attribute]) for i in e.items} for e in found]
        if any(len(k) != 1 for k in kinds):
            model.warnings.append(
                f"{model.name}: the items of an entity disagree on {attribute}; "
                "it is imported as a field"
            )
            return found, None
        for entity, kind in zip(found, kinds, strict=True):
            entity.type_value = kind.pop()
    return found, attribute


def _prefixes(model: ReadModel, item: ReadItem) -> str:
    tags: list[str] = []
    keys = key_attributes(model)
    for attribute in (model.pk, model.sk):
        value = item.values.get(attribute) if attribute else None
        first = value.split("#", 1)[0] if isinstance(value, str) and "#" in value else ""
        if first and is_tag(first, item.values, keys) and first not in tags:
            tags.append(first)
    return " ".join(tags)


def _group(items: list[ReadItem], key: Callable[[ReadItem], str], how: str) -> list[FoundEntity]:
    groups: dict[str, list[ReadItem]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    found: list[FoundEntity] = []
    names = set(_TAKEN)
    for label, members in groups.items():
        name = pascal(label) if label else "Item"
        if name in _TAKEN:
            name += "Entity"
        while name in names:
            name += "_"
        names.add(name)
        found.append(FoundEntity(name, members, found_by=how))
    return found
