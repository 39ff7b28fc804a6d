"""Requests of single-item writes: put, delete and update, with the entity's rules applied
(timestamps, optimistic locking by version, TTL as epoch seconds, index keys rebuilt)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from modelkit.codec import encode_value
from modelkit.dynamo._items import Item, ItemShape, epoch_seconds
from modelkit.dynamo._update_keys import key_actions
from modelkit.dynamo.expressions import (
    Action,
    Builder,
    Condition,
    Path,
    Remove,
    Set,
    Value,
    all_of,
)
from modelkit.errors import ValidationError

if TYPE_CHECKING:
    from modelkit.dynamo._database import Database

T = TypeVar("T")


class WriteBuilder(Generic[T]):
    """Builds the requests of one entity's writes."""

    def __init__(self, db: Database, shape: ItemShape[T]) -> None:
        self.db = db
        self.shape = shape
        entity = shape.entity
        self.version = entity.version_field
        self.created = entity.created_field
        self.updated = entity.updated_field
        self.pk_path = Path(db.design.pk)

    def _stamped(self, obj: T) -> T:
        """``obj`` with created/updated timestamps and the next version set."""
        changes: dict[str, Any] = {}
        now = dt.datetime.fromtimestamp(self.db.now(), dt.UTC)
        if self.created and getattr(obj, self.created) is None:
            changes[self.created] = now
        if self.updated:
            changes[self.updated] = now
        if self.version:
            changes[self.version] = getattr(obj, self.version) + 1
        return msgspec.structs.replace(obj, **changes) if changes else obj  # type: ignore[type-var]

    def item(self, obj: T) -> Item:
        """The stored item of ``obj`` as it is (for batch writes)."""
        return self.shape.to_item(obj)

    def put(
        self,
        obj: T,
        condition: Condition | None,
        if_absent: bool,
        return_current: bool,
        as_given: bool = False,
    ) -> tuple[T, dict[str, Any]]:
        """``as_given``: the item of ``obj`` as it is, like :meth:`item` (no timestamps set,
        the version neither checked nor incremented)."""
        stamped = obj if as_given else self._stamped(obj)
        conditions: list[Condition] = [condition] if condition is not None else []
        if if_absent:
            conditions.append(self.pk_path.not_exists())
        if self.version and not as_given:
            current = getattr(obj, self.version)
            version = Path(self.shape.field_attribute(self.version))
            conditions.append(self.pk_path.not_exists() if current == 0 else version == current)
        request: dict[str, Any] = {
            "TableName": self.db.table,
            "Item": self.shape.to_item(stamped),
            "ReturnConsumedCapacity": "INDEXES",
        }
        self._conditions(request, conditions, return_current)
        return stamped, request

    def delete(
        self, key: Mapping[str, Any], condition: Condition | None, return_current: bool
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "TableName": self.db.table,
            "Key": self.shape.key(key),
            "ReturnValues": "ALL_OLD",
            "ReturnConsumedCapacity": "INDEXES",
        }
        self._conditions(request, [condition] if condition is not None else [], return_current)
        return request

    def update(
        self,
        key: Mapping[str, Any],
        actions: list[Action],
        condition: Condition | None,
        return_current: bool,
    ) -> dict[str, Any]:
        if not actions:
            raise ValidationError(f"{self.shape.entity.name}: an update needs at least one action")
        actions = [self._normalised(a) for a in actions]
        actions += self._ttl_actions(actions)
        actions += key_actions(self.shape.keys, key, actions)
        now = dt.datetime.fromtimestamp(self.db.now(), dt.UTC)
        if self.updated:
            actions.append(Path(self.shape.field_attribute(self.updated)).set(now))
        if self.version:
            version = Path(self.shape.field_attribute(self.version))
            actions.append(version.add(1))
        conditions: list[Condition] = [self.pk_path.exists()]
        if condition is not None:
            conditions.append(condition)
        request: dict[str, Any] = {
            "TableName": self.db.table,
            "Key": self.shape.key(key),
            "ReturnValues": "ALL_NEW",
            "ReturnConsumedCapacity": "INDEXES",
        }
        builder = Builder(encode_value)
        request["UpdateExpression"] = builder.update(actions)
        self._conditions(request, conditions, return_current, builder)
        return request

    def _normalised(self, action: Action) -> Action:
        """Setting a top-level attribute to None removes it (the codec leaves None out)."""
        if (
            isinstance(action, Set)
            and isinstance(action.value, Value)
            and action.value.value is None
            and len(action.path.segments) == 1
        ):
            return action.path.remove()
        return action

    def _ttl_actions(self, actions: list[Action]) -> list[Action]:
        """Keep the table's TTL attribute (epoch seconds) in step with the entity's TTL field."""
        shape = self.shape
        if shape.ttl_attribute is None or shape.ttl_stored is None:
            return []
        extra: list[Action] = []
        for i, action in enumerate(actions):
            if action.path.segments != (shape.ttl_stored,):
                continue
            ttl_path = Path(shape.ttl_attribute)
            if isinstance(action, Remove):
                if shape.ttl_attribute != shape.ttl_stored:
                    extra.append(ttl_path.remove())
            elif isinstance(action, Set) and isinstance(action.value, Value):
                epoch = epoch_seconds(action.value.value)
                if shape.ttl_attribute == shape.ttl_stored:
                    actions[i] = ttl_path.set(epoch)
                else:
                    extra.append(ttl_path.set(epoch))
            else:
                raise ValidationError(
                    f"{shape.entity.name}: set the TTL field {shape.ttl_field} to a value"
                )
        return extra

    def _conditions(
        self,
        request: dict[str, Any],
        conditions: list[Condition],
        return_current: bool,
        builder: Builder | None = None,
    ) -> None:
        builder = builder or Builder(encode_value)
        if conditions:
            request["ConditionExpression"] = builder.condition(all_of(*conditions))
            if return_current:
                request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        request.update(builder.attributes())
