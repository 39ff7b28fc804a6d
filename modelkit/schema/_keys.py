"""Keys of a compiled design: format an entity's key attributes, parse keys back."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import msgspec

from modelkit.errors import KeyParseError, KeyValueError
from modelkit.keys import KeyCondition, KeyFormat, SortOp, key_type, sort_condition
from modelkit.schema._design import PRIMARY, EntityDesign, TableDesign


class ParsedKey(msgspec.Struct, frozen=True):
    """A key parsed back: the entity it belongs to and its field values."""

    entity: str
    values: dict[str, Any]


class EntityKeys:
    """Key formats of one entity in every index it appears in."""

    def __init__(self, design: TableDesign, entity: EntityDesign) -> None:
        self.entity = entity
        self.type_attribute = design.type_attribute
        codecs = {}
        for field in entity.fields:
            try:
                codecs[field.name] = key_type(field.annotation)[0]
            except (ValueError, TypeError):
                continue
        self.formats: dict[str, tuple[KeyFormat, KeyFormat | None]] = {}
        for key in entity.keys:
            index = design.index(key.index)
            sparse = key.index != PRIMARY
            pk = KeyFormat(
                key.pk,
                codecs,
                role="partition",
                owner=entity.name,
                attribute=index.pk,
                sparse=sparse,
            )
            sk = None
            if key.sk is not None and index.sk is not None:
                sk = KeyFormat(
                    key.sk,
                    codecs,
                    role="sort",
                    owner=entity.name,
                    attribute=index.sk,
                    sparse=sparse,
                )
            self.formats[key.index] = (pk, sk)

    def primary_key(self, values: Any) -> dict[str, str]:
        """``{PK: ..., SK: ...}`` for an entity instance or a mapping of its key fields."""
        return self.index_key(PRIMARY, values)  # type: ignore[return-value]

    def index_key(self, index: str, values: Any) -> dict[str, str] | None:
        """The key attributes of ``index`` or ``None`` when the item stays out of it (sparse)."""
        pk, sk = self.formats[index]
        fmt = "format_map" if isinstance(values, Mapping) else "format_obj"
        pk_value = getattr(pk, fmt)(values)
        if pk_value is None:
            return None
        result = {pk.attribute: pk_value}
        if sk is not None:
            sk_value = getattr(sk, fmt)(values)
            if sk_value is None:
                return None
            result[sk.attribute] = sk_value
        return result

    def key_attributes(self, item: Any) -> dict[str, str]:
        """Every key attribute the item carries: table key, index keys, entity type."""
        result: dict[str, str] = {self.type_attribute: self.entity.type_value}
        for index in self.formats:
            attrs = self.index_key(index, item)
            if attrs:
                result.update(attrs)
        return result

    def parse(self, index: str, pk: str, sk: str | None = None) -> dict[str, Any]:
        """Field values of a key of ``index``; :class:`KeyParseError` if it is not this entity's."""
        pk_format, sk_format = self.formats[index]
        values = pk_format.parse(pk)
        if sk_format is not None:
            if sk is None:
                raise KeyParseError(f"{self.entity.name} keys in {index} need a sort key")
            values.update(sk_format.parse(sk))
        return values

    def sort_condition(
        self,
        given: Mapping[str, Any],
        op: SortOp = "prefix",
        value: Any = None,
        upper: Any = None,
        *,
        index: str = PRIMARY,
    ) -> KeyCondition | None:
        """Sort-key condition of ``index`` for a partial key (see ``keys.sort_condition``)."""
        sk = self.formats[index][1]
        if sk is None:
            if op not in ("eq", "prefix"):
                raise KeyValueError(
                    f"{index} has no sort key for a {op} condition", entity=self.entity.name
                )
            return None
        return sort_condition(
            sk, {f: v for f, v in given.items() if f in sk.fields}, op, value, upper
        )


class DesignKeys:
    """Key formats of every entity of a design."""

    def __init__(self, design: TableDesign) -> None:
        self.design = design
        self.entities = {e.name: EntityKeys(design, e) for e in design.entities}

    def __getitem__(self, entity: str) -> EntityKeys:
        try:
            return self.entities[entity]
        except KeyError:
            raise KeyError(f"table {self.design.name} has no entity {entity!r}") from None

    def candidates(self, pk: str, sk: str | None = None, index: str = PRIMARY) -> list[ParsedKey]:
        """Every entity whose templates in ``index`` can produce this key."""
        found = []
        for name, keys in self.entities.items():
            if index not in keys.formats:
                continue
            try:
                found.append(ParsedKey(name, keys.parse(index, pk, sk)))
            except KeyParseError:
                continue
        return found

    def parse(self, pk: str, sk: str | None = None, index: str = PRIMARY) -> ParsedKey:
        """The one entity and field values a key belongs to.

        Raises :class:`KeyParseError` when no entity, or more than one, can produce it
        (``modelkit check`` proves primary keys unambiguous).
        """
        found = self.candidates(pk, sk, index)
        if len(found) == 1:
            return found[0]
        shown = f"({pk!r}, {sk!r})" if sk is not None else repr(pk)
        if not found:
            raise KeyParseError(f"no entity of {self.design.name} has the {index} key {shown}")
        names = ", ".join(p.entity for p in found)
        raise KeyParseError(f"the {index} key {shown} fits several entities: {names}")


_CACHE: dict[int, DesignKeys] = {}


def keys_for(design: TableDesign) -> DesignKeys:
    """The (cached) :class:`DesignKeys` of a design."""
    found = _CACHE.get(id(design))
    if found is None or found.design is not design:
        found = DesignKeys(design)
        _CACHE[id(design)] = found
        weakref.finalize(design, _CACHE.pop, id(design), None)
    return found
