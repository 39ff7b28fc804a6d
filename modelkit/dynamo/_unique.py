"""Unique fields kept by marker items, written in the same transaction as the item.

A marker's key is ``_UNIQUE#<entity>#<field>#<value>`` (and sort key ``_UNIQUE``): creating
it only if absent claims the value. Puts and updates that change a unique value delete the
old marker and claim the new one; deletes release theirs, all in one transaction with the
item, guarded by a condition that the item still holds the values that were read.
Keys starting with ``_UNIQUE#`` are reserved for markers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from modelkit.codec import decode_value
from modelkit.dynamo.expressions import Action, Condition, Path, all_of
from modelkit.errors import ConditionFailed, NotFound, TransactionCanceled, UniqueViolation
from modelkit.keys import escape_str
from modelkit.schema import PRIMARY

if TYPE_CHECKING:
    from modelkit.dynamo._repository import Repository
    from modelkit.dynamo._transactions import Transaction

T = TypeVar("T")
PREFIX = "_UNIQUE"


class UniqueFields(Generic[T]):
    """The unique fields of one entity and their markers."""

    def __init__(self, repo: Repository[T]) -> None:
        self.repo = repo
        self.fields = repo.shape.entity.unique_fields
        design = repo.db.design
        self.pk, self.sk = design.pk, design.sk
        self.type_attribute = design.type_attribute

    def __bool__(self) -> bool:
        return bool(self.fields)

    def marker_key(self, field: str, value: Any) -> dict[str, Any]:
        text = escape_str(value if isinstance(value, str) else str(value))
        key = {self.pk: {"S": f"{PREFIX}#{self.repo.name}#{field}#{text}"}}
        if self.sk is not None:
            key[self.sk] = {"S": PREFIX}
        return key

    def _values(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        """The unique fields' values of a stored item (None where absent)."""
        if raw is None:
            return dict.fromkeys(self.fields)
        shape = self.repo.shape
        values: dict[str, Any] = {}
        for name in self.fields:
            attribute = shape.field_attribute(name)
            field = shape.entity.field(name)
            kind = field.annotation if field is not None else Any
            values[name] = decode_value(raw[attribute], kind) if attribute in raw else None
        return values

    def _guard(self, before: dict[str, Any]) -> Condition:
        """The item still holds what was read (or still does not exist)."""
        shape = self.repo.shape
        conditions = [
            Path(shape.field_attribute(f)) == v
            if v is not None
            else Path(shape.field_attribute(f)).not_exists()
            for f, v in before.items()
        ]
        return all_of(*conditions)

    def _markers(self, tx: Transaction, before: dict[str, Any], after: dict[str, Any]) -> None:
        owner = self.repo.name
        for field in self.fields:
            old, new = before.get(field), after.get(field)
            if old == new:
                continue
            if old is not None:
                tx.raw(
                    "Delete",
                    owner,
                    {"marker": field},
                    {"TableName": tx.db.table, "Key": self.marker_key(field, old)},
                )
            if new is not None:
                item = {**self.marker_key(field, new), self.type_attribute: {"S": PREFIX}}
                tx.raw(
                    "Put",
                    owner,
                    {"marker": field, "value": new},
                    {
                        "TableName": tx.db.table,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(#pk)",
                        "ExpressionAttributeNames": {"#pk": self.pk},
                    },
                )

    def touches(self, actions: tuple[Action, ...] | list[Action]) -> bool:
        """True if an update changes a unique field."""
        stored = {self.repo.shape.field_attribute(f) for f in self.fields}
        return any(a.path.segments[0] in stored for a in actions)

    def _read(self, key: Any) -> Mapping[str, Any] | None:
        """The stored item (strongly consistent) for an instance or a mapping of key fields."""
        response = self.repo.db.call(
            "GetItem",
            {
                "TableName": self.repo.db.table,
                "Key": self.repo.shape.key(key),
                "ConsistentRead": True,
                "ReturnConsumedCapacity": "INDEXES",
            },
            self.repo.name,
            "unique-read",
        )
        item: Mapping[str, Any] | None = response.get("Item")
        return item

    def put(self, obj: T, condition: Condition | None, if_absent: bool, as_given: bool) -> T:
        """Put the item and claim its values. ``as_given`` writes the item as ``obj`` gives
        it (see :meth:`WriteBuilder.put`), and a value held by this very item is no violation
        (a transaction applied, then refused when retried, as on servers ignoring its token).
        """
        before = self._values(self._read(obj))
        after = {f: getattr(obj, f) for f in self.fields}
        tx = self.repo.db.transaction()
        guard = self._guard(before)
        condition = guard if condition is None else condition & guard
        if not as_given:
            stamped: T = tx._put(obj, condition, if_absent)
        else:
            stamped, request = self.repo._writes.put(obj, condition, if_absent, True, True)
            tx.raw("Put", self.repo.name, self._key_fields(obj), request)
        self._markers(tx, before, after)
        try:
            self._commit(tx, after)
        except UniqueViolation:
            if not as_given or self._values(self._read(obj)) != after:
                raise
        return stamped

    def _key_fields(self, obj: T) -> dict[str, Any]:
        """The values of ``obj``'s primary key fields (how a transaction names the item)."""
        pk, sk = self.repo.shape.keys.formats[PRIMARY]
        names = (*pk.fields, *(sk.fields if sk is not None else ()))
        return {n: getattr(obj, n) for n in names}

    def update(
        self, key: Mapping[str, Any], actions: list[Action], condition: Condition | None
    ) -> T:
        raw = self._read(key)
        if raw is None:
            raise NotFound(f"no {self.repo.name} with key {dict(key)}", operation="UpdateItem")
        before = self._values(raw)
        after = dict(before)
        stored = {self.repo.shape.field_attribute(f): f for f in self.fields}
        for action in actions:
            field = stored.get(action.path.segments[0])  # type: ignore[arg-type]
            if field is not None:
                after[field] = getattr(getattr(action, "value", None), "value", None)
        tx = self.repo.db.transaction()
        guard = self._guard(before)
        tx._update(
            self.repo.shape.cls, key, actions, guard if condition is None else condition & guard
        )
        self._markers(tx, before, after)
        self._commit(tx, after)
        return self.repo.require(key, consistent=True)

    def delete(self, key: Mapping[str, Any], condition: Condition | None) -> T | None:
        raw = self._read(key)
        if raw is None:
            return None
        before = self._values(raw)
        tx = self.repo.db.transaction()
        guard = self._guard(before)
        tx._delete(self.repo.shape.cls, key, guard if condition is None else condition & guard)
        self._markers(tx, before, dict.fromkeys(self.fields))
        self._commit(tx, {})
        return self.repo.shape.from_item(raw)

    def _commit(self, tx: Transaction, after: dict[str, Any]) -> None:
        try:
            tx.commit()
        except TransactionCanceled as exc:
            for reason in exc.reasons:
                target = reason.target
                key = getattr(target, "key", {})
                if reason.code == "ConditionalCheckFailed" and "marker" in key:
                    field = key["marker"]
                    raise UniqueViolation(
                        f"{self.repo.name}.{field} = {after.get(field)!r} is taken by another item",
                        entity=self.repo.name,
                        field=field,
                        value=after.get(field),
                    ) from None
            if any(r.code == "ConditionalCheckFailed" for r in exc.reasons):
                raise ConditionFailed(
                    f"{self.repo.name}: the condition was false, or the item changed since it "
                    "was read; read it again and retry",
                    operation="TransactWriteItems",
                ) from None
            raise
