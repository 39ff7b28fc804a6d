"""Entity instances ⇄ stored items: fields through the codec, key attributes from the key
templates, the entity type attribute, and the TTL attribute as epoch seconds."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import msgspec

from modelkit.codec import item_codec
from modelkit.codec._size import MAX_ITEM_BYTES, item_size
from modelkit.errors import KeyValueError, ValidationError
from modelkit.schema import PRIMARY, EntityDesign, TableDesign, keys_for

T = TypeVar("T")
_json = msgspec.json.Encoder().encode
Item = dict[str, dict[str, Any]]
Stored = Mapping[str, dict[str, Any]]


class ItemShape(Generic[T]):
    """How one entity is stored."""

    def __init__(self, design: TableDesign, entity: EntityDesign) -> None:
        self.design = design
        self.entity = entity
        self.cls: type[T] = entity.struct
        self.codec = item_codec(entity.struct)
        self.keys = keys_for(design)[entity.name]
        self._pk_format, self._sk_format = self.keys.formats[PRIMARY]
        self.type_attribute = design.type_attribute
        self.type_value = {"S": entity.type_value}
        ttl = entity.field(entity.ttl_field) if entity.ttl_field else None
        self.ttl_attribute = design.ttl_attribute if ttl is not None else None
        self.ttl_field = ttl.name if ttl is not None else None
        self.ttl_stored = (ttl.attribute or ttl.name) if ttl is not None else None
        self.ttl_is_datetime = ttl is not None and ttl.type.startswith("datetime")

    def field_attribute(self, name: str) -> str:
        """The stored attribute name of field ``name``."""
        field = self.entity.field(name)
        return (field.attribute or field.name) if field is not None else name

    # -- writing -------------------------------------------------------------------------------

    def to_item(self, obj: T) -> Item:
        """The whole item for ``obj``; :class:`ValidationError` if DynamoDB would refuse it."""
        try:
            keys = self.keys.key_attributes(obj)
        except KeyValueError as exc:
            raise ValidationError(str(exc)) from None
        item = self.codec.encode(obj)
        for name, value in keys.items():
            item[name] = {"S": value}
        if self.ttl_attribute is not None:
            expiry = getattr(obj, self.ttl_field)  # type: ignore[arg-type]
            if expiry is not None:
                item[self.ttl_attribute] = {"N": str(epoch_seconds(expiry))}
        self.check_size(item)
        return item

    def check_size(self, item: Item) -> None:
        # The JSON text of an item is never shorter than its DynamoDB size (every name and
        # value appears in it, plus quotes and type tags): count exactly only near the limit.
        if len(_json(item)) <= MAX_ITEM_BYTES:
            return
        size = item_size(item)
        if size > MAX_ITEM_BYTES:
            raise ValidationError(
                f"{self.entity.name}: the item would be {size:,} bytes, over DynamoDB's "
                f"{MAX_ITEM_BYTES:,}-byte limit; keep large values elsewhere (S3) and store a "
                "reference"
            )

    def key(self, values: Any) -> Item:
        """The primary key attributes of an instance or a mapping of key fields."""
        if type(values) is dict:  # the common case, without the general path's lookups
            pk, sk = self._pk_format, self._sk_format
            try:
                pk_value = pk.format_map(values)
                sk_value = sk.format_map(values) if sk is not None else None
            except KeyValueError as exc:
                raise ValidationError(str(exc)) from None
            if sk is None and pk_value is not None:
                return {pk.attribute: {"S": pk_value}}
            if sk is not None and pk_value is not None and sk_value is not None:
                return {pk.attribute: {"S": pk_value}, sk.attribute: {"S": sk_value}}
        try:
            key = self.keys.primary_key(values)
        except KeyValueError as exc:
            raise ValidationError(str(exc)) from None
        return {name: {"S": value} for name, value in key.items()}

    # -- reading -------------------------------------------------------------------------------

    def is_live(self, item: Stored, now: float | None = None) -> bool:
        """False for an item whose TTL has passed (DynamoDB deletes it only eventually)."""
        if self.ttl_attribute is None:
            return True
        value = item.get(self.ttl_attribute)
        if value is None or "N" not in value:
            return True
        return float(value["N"]) > (time.time() if now is None else now)

    def from_item(self, item: Stored) -> T:
        """The entity instance stored in ``item`` (unknown attributes are ignored)."""
        if self.ttl_stored is not None and self.ttl_stored == self.ttl_attribute:
            stored = item.get(self.ttl_stored)
            if stored is not None and "N" in stored and self.ttl_is_datetime:
                moment = dt.datetime.fromtimestamp(float(stored["N"]), dt.UTC)
                item = {**item, self.ttl_stored: {"S": moment.isoformat()}}
        obj: T = self.codec.decode(item)
        return obj


def epoch_seconds(value: Any) -> int:
    """A TTL value as whole epoch seconds (aware datetime, or int seconds)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValidationError(f"TTL {value.isoformat()} is a naive datetime; use an aware one")
        return int(value.timestamp())
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValidationError(
        f"TTL must be a datetime or int epoch seconds, not {type(value).__name__}"
    )
