"""Key templates inferred from sample key values, and the fields of each entity.

Each key value is split on ``#``. A segment that is the same fixed-looking text in every item
is kept as is (``c#…`` → ``c``); a segment equal in every item to an attribute (or to a field
an earlier key already introduced) becomes that field; any other segment becomes a new field,
named after the key attribute (``DeviceID`` → ``device_id``) or, when the key attribute has a
generic name (``PK``, ``GSI1-SK``), after the fixed text before it (``c#…`` → ``c_id``);
segments that read as dates become ``date``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from modelkit.workbench_import._entities import FoundEntity, is_tag, key_attributes
from modelkit.workbench_import._names import snake
from modelkit.workbench_import._read import ReadModel

PRIMARY = "primary"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?$")
_ESCAPED = re.compile(r"[\x00-\x24]")
_GENERIC = re.compile(r"^(?:gsi\d*_?|lsi\d*_?)?(?:pk|sk|hash|range|key)$")


@dataclass
class FieldPlan:
    """A field: its Python type (as source text), whether every item has it, its attribute."""

    name: str
    annotation: str
    required: bool
    attribute: str | None = None


@dataclass
class EntityPlan:
    """An entity as the module declares it, with its sample items in field terms."""

    name: str
    type_value: str | None
    keys: dict[str, tuple[str, str | None]]
    fields: list[FieldPlan]
    items: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


def plan_entity(model: ReadModel, entity: FoundEntity, type_attribute: str | None) -> EntityPlan:
    """Templates for every index the entity's items appear in, and the entity's fields."""
    return _Planner(model, entity, type_attribute).plan()


class _Planner:
    """Infers one entity's templates index by index, collecting the fields they introduce."""

    def __init__(self, model: ReadModel, entity: FoundEntity, type_attribute: str | None) -> None:
        self.model, self.entity = model, entity
        self.rows = [i.values for i in entity.items]
        self.key_attributes = key_attributes(model)
        skipped = self.key_attributes | {type_attribute}
        self.derived: dict[str, list[str | None]] = {}  # field name -> segment per item
        self.attributes: dict[str, str] = {}  # field name -> attribute
        for row in self.rows:
            for attribute in row:
                if attribute not in skipped and attribute not in self.attributes.values():
                    self.attributes[self._free(snake(attribute))] = attribute
        self.templates: dict[str, str] = {}
        self.tagged: set[str] = set()  # fields named after the fixed text before them
        self.warnings: list[str] = []

    def plan(self) -> EntityPlan:
        keys: dict[str, tuple[str, str | None]] = {}
        indexes = [(PRIMARY, self.model.pk, self.model.sk)]
        indexes += [(i.name, i.pk, i.sk) for i in self.model.gsis]
        for name, pk, sk in indexes:
            if not any(pk in row for row in self.rows):
                continue
            if sk is not None and not any(sk in row for row in self.rows):
                continue
            keys[name] = (self._template(pk), self._template(sk) if sk else None)
        return EntityPlan(
            self.entity.name,
            self.entity.type_value,
            keys,
            self._fields(),
            self._items(),
            self.warnings,
        )

    def _free(self, name: str) -> str:
        taken = set(self.attributes) | set(self.derived)
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{name}_{n}", n + 1
        return candidate

    def _template(self, attribute: str) -> str:
        if attribute in self.templates:
            return self.templates[attribute]
        # None: the item is not in this index
        values = [str(row[attribute]) if attribute in row else None for row in self.rows]
        present = [n for n, v in enumerate(values) if v is not None]
        splits = {n: str(values[n]).split("#") for n in present}
        counts = {len(s) for s in splits.values()}
        if len(counts) > 1:
            self.warnings.append(
                f"{self.entity.name}: values of {attribute} have different numbers of "
                "#-separated parts; read as one field"
            )
            splits = {n: [str(values[n])] for n in present}
            counts = {1}
        count = counts.pop()
        parts: list[str] = []
        fixed: list[bool] = []
        for p in range(count):
            tokens = {n: splits[n][p] for n in present}
            first = tokens[present[0]]
            if all(
                t == first and is_tag(t, self.rows[n], self.key_attributes)
                for n, t in tokens.items()
            ):
                parts.append(first)
                fixed.append(True)
            else:
                parts.append("")
                fixed.append(False)
        for p in (p for p in range(count) if not fixed[p]):
            tokens = {n: splits[n][p] for n in present}
            name = self._attribute(tokens)
            if name is None:
                name = self._new(attribute, tokens, p, parts)
                clash = name in self.attributes or name in self.derived
                if clash and not (name in self.derived and self._same(name, tokens)):
                    name = self._free(name)
                    self.tagged.add(name)
            if name not in self.attributes and name not in self.derived:
                self.derived[name] = [tokens.get(n) for n in range(len(self.rows))]
            parts[p] = "{" + name + "}"
            if any(_ESCAPED.search(t) for t in tokens.values()):
                self.warnings.append(
                    f"{self.entity.name}: values of {name} hold characters keys escape "
                    f'(space, !, ", $ and below); formatted {attribute} values will differ'
                )
        template = "#".join(parts)
        self.templates[attribute] = template
        return template

    def _attribute(self, tokens: dict[int, str]) -> str | None:
        for name, attribute in self.attributes.items():
            if all(_text(self.rows[n].get(attribute)) == t for n, t in tokens.items()):
                return name
        return None

    def _same(self, name: str, tokens: dict[int, str]) -> bool:
        return all(self.derived[name][n] == t for n, t in tokens.items())

    def _new(self, attribute: str, tokens: dict[int, str], p: int, parts: list[str]) -> str:
        """The name of a new field: an earlier key field with the same values, ``date`` for
        dates, ``<fixed text>_id`` after fixed text when the key attribute's name is generic,
        else after the key attribute (or its ``#``-separated part)."""
        own = snake(attribute)
        for name in self.derived:
            if name not in self.tagged and self._same(name, tokens):
                return name
        if all(_DATE.match(t) for t in tokens.values()):
            return "date"
        if _GENERIC.match(own) and p > 0 and parts[p - 1] and "{" not in parts[p - 1]:
            name = f"{snake(parts[p - 1])}_id"
            self.tagged.add(name)
            return name
        for name in self.derived:
            if self._same(name, tokens):
                return name
        pieces = attribute.split("#")
        if sum("{" in part or not part for part in parts) == 1:
            return own
        if len(pieces) == len(parts):
            return snake(pieces[p])
        return f"{own}_{p + 1}"

    def _in_keys(self) -> set[str]:
        return {
            n for n in self.attributes if any("{" + n + "}" in t for t in self.templates.values())
        }

    def _fields(self) -> list[FieldPlan]:
        in_keys = self._in_keys()
        plans = [
            FieldPlan(n, "str", all(v is not None for v in values))
            for n, values in self.derived.items()
        ]
        for name, attribute in self.attributes.items():
            values = [row.get(attribute) for row in self.rows]
            required = all(v is not None for v in values)
            kind = "str" if name in in_keys else _annotation([v for v in values if v is not None])
            plans.append(FieldPlan(name, kind, required, attribute))
        return plans

    def _items(self) -> list[dict[str, Any]]:
        items = []
        in_keys = self._in_keys()
        for n, row in enumerate(self.rows):
            item: dict[str, Any] = {}
            for name, values in self.derived.items():
                if values[n] is not None:
                    item[name] = values[n]
            for name, attribute in self.attributes.items():
                if row.get(attribute) is not None:
                    item[name] = _text(row[attribute]) if name in in_keys else row[attribute]
            items.append(item)
        return items


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    return str(value) if isinstance(value, str | int | Decimal) else None


def _annotation(values: list[Any]) -> str:
    kinds = {type(v) for v in values}
    if not kinds:
        return "str"
    if kinds <= {int}:
        return "int"
    if kinds <= {int, Decimal}:
        return "Decimal"
    for kind, text in ((str, "str"), (bool, "bool"), (bytes, "bytes")):
        if kinds == {kind}:
            return text
    if kinds == {dict}:
        return "dict[str, Any]"
    if kinds == {list}:
        return "list[Any]"
    return "Any"
