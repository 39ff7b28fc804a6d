"""The items a cache machine works on: entity instances drawn for a user's schema, reduced
to the keys and values the machine compares."""

from __future__ import annotations

from typing import Any

import msgspec

from modelkit.dynamo import Database
from modelkit.schema import PRIMARY, TableDesign, keys_for


class Known(msgspec.Struct, frozen=True):
    """An item the machine has written (or tried to): its entity, an instance that holds
    its key fields, the key fields alone and the DynamoDB key."""

    entity: str
    instance: Any
    fields: dict[str, Any]
    key: dict[str, Any]

    @property
    def id(self) -> str:
        """The item's identity: entity and key attributes."""
        return self.entity + " " + msgspec.json.encode(self.key, order="sorted").decode()


class Items:
    """Key fields, updatable fields and canonical values of a design's entities."""

    def __init__(self, db: Database) -> None:
        self.db = db
        design: TableDesign = db.design
        formats = keys_for(design)
        self.key_fields: dict[str, tuple[str, ...]] = {}
        self.updatable: dict[str, tuple[str, ...]] = {}
        for entity in design.entities:
            pk, sk = formats[entity.name].formats[PRIMARY]
            fields = (*pk.fields, *(sk.fields if sk is not None else ()))
            self.key_fields[entity.name] = fields
            self.updatable[entity.name] = tuple(
                f.name for f in entity.fields if f.name not in fields
            )

    def known(self, entity: str, instance: Any) -> Known:
        fields = {name: getattr(instance, name) for name in self.key_fields[entity]}
        key = self.db.shape(entity).key(fields)
        return Known(entity, instance, fields, key)

    def with_key(self, instance: Any, of: Known) -> Any:
        """``instance`` with the key fields of ``of`` (another item of the same entity)."""
        return msgspec.structs.replace(instance, **of.fields)

    def canonical(self, entity: str, value: Any) -> bytes | None:
        """``value`` as the item DynamoDB stores, in one byte form (None: no item, or one
        whose TTL has passed, which reads do not return), so that values equal as stored
        compare equal whatever their Python form (time zones, ...)."""
        if value is None:
            return None
        shape = self.db.shape(entity)
        item = shape.to_item(value)
        if not shape.is_live(item):
            return None
        return msgspec.json.encode(item, order="sorted")
