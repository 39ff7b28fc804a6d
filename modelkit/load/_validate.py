"""A record becomes an entity instance and its item, or the reason it cannot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from modelkit.dynamo._items import ItemShape
from modelkit.errors import LoadError, ModelkitError
from modelkit.schema import TableDesign

ENTITY_FIELD = "entity"


class Rejected(Exception):
    """Why one record cannot be loaded."""


class Valid(msgspec.Struct, frozen=True):
    """A record that can be written: its entity and instance."""

    entity: str
    obj: Any


class Validator:
    """Checks records against the entities of ``design``.

    A record names its entity in field ``entity`` or in the design's type attribute
    (``_type``), by name or by type value, unless ``entity`` is given for the whole file.
    ``strict=False`` converts strings (CSV values) to the fields' types; empty CSV cells
    count as absent, so optional fields take their defaults.
    """

    def __init__(self, design: TableDesign, *, entity: str | None = None, strict: bool = True):
        self.strict = strict
        self.type_attribute = design.type_attribute
        self.shapes = {e.name: ItemShape[Any](design, e) for e in design.entities}
        self.names = {e.type_value: e.name for e in design.entities}
        self.names.update({e.name: e.name for e in design.entities})
        self.entity: str | None = None
        if entity is not None:
            self.entity = self.names.get(entity)
            if self.entity is None:
                raise LoadError(
                    f"table {design.name} has no entity {entity!r} (known: {self._known()})"
                )

    def _known(self) -> str:
        return ", ".join(self.shapes)

    def check(self, data: Any) -> Valid:
        """The record as an instance and its item; :class:`Rejected` with the reason."""
        if not isinstance(data, Mapping):
            raise Rejected(f"a record must be an object, not {type(data).__name__}")
        if "__extra__" in data:
            raise Rejected("the row has more values than the header has columns")
        name = self.entity or self._named(data)
        # msgspec ignores the fields a struct does not declare, the entity field among them
        fields = data if self.strict else {k: v for k, v in data.items() if v != ""}
        shape = self.shapes[name]
        try:
            obj = msgspec.convert(fields, shape.cls, strict=self.strict)
        except msgspec.ValidationError as exc:
            raise Rejected(f"{name}: {exc}") from None
        try:
            shape.to_item(obj)  # the key values and the item size
        except ModelkitError as exc:
            raise Rejected(f"{name}: {exc}") from None
        return Valid(name, obj)

    def _named(self, data: Mapping[str, Any]) -> str:
        given = data.get(ENTITY_FIELD, data.get(self.type_attribute))
        if given is None:
            raise Rejected(
                f"no entity: give field {ENTITY_FIELD!r} or {self.type_attribute!r}, or "
                "--entity for the whole file"
            )
        name = self.names.get(given) if isinstance(given, str) else None
        if name is None:
            raise Rejected(f"unknown entity {given!r} (known: {self._known()})")
        return name
