"""Write transactions: puts, updates, deletes and condition checks of any entities, all or
nothing, with an idempotency token, and cancellation reasons mapped to the operations."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from modelkit.codec import encode_value
from modelkit.dynamo._cached_query import key_strings
from modelkit.dynamo.expressions import Action, Builder, Condition
from modelkit.errors import TransactionCanceled, ValidationError
from modelkit.schema import PRIMARY

if TYPE_CHECKING:
    from modelkit.cache import EntityCache
    from modelkit.cache._entity_cache import WriteTicket
    from modelkit.dynamo._database import Database

MAX_OPERATIONS = 100


@dataclass(frozen=True)
class Operation:
    """One operation of a transaction, as cancellation reasons name it."""

    kind: str
    entity: str
    key: dict[str, Any]
    request: dict[str, Any] = field(repr=False)


class Transaction:
    """Collects operations; :meth:`commit` sends them as one TransactWriteItems.

    Use it as a context manager to commit on leaving the block (nothing is sent if the block
    raises). The idempotency token makes a retried commit safe: DynamoDB applies it once.
    """

    def __init__(self, db: Database, token: str | None = None) -> None:
        self.db = db
        self.token = token or str(uuid.uuid4())
        self.operations: list[Operation] = []
        self.committed = False

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None and not self.committed:
            self.commit()

    def put(self, obj: Any, *, condition: Condition | None = None, if_absent: bool = False) -> Any:
        """Put ``obj`` (an instance of any entity); returns it as it will be stored."""
        repo = self.db.repo(type(obj))
        self._no_unique(repo.name, repo._unique.fields)
        return self._put(obj, condition, if_absent)

    def _put(self, obj: Any, condition: Condition | None, if_absent: bool) -> Any:
        repo = self.db.repo(type(obj))
        stamped, request = repo._writes.put(obj, condition, if_absent, True)
        pk, sk = repo.shape.keys.formats[PRIMARY]
        names = (*pk.fields, *(sk.fields if sk is not None else ()))
        self._add("Put", repo.name, {n: getattr(stamped, n) for n in names}, request)
        return stamped

    def update(
        self,
        cls: type[Any],
        key: Mapping[str, Any],
        *actions: Action,
        condition: Condition | None = None,
    ) -> None:
        repo = self.db.repo(cls)
        if repo._unique.touches(actions):
            self._no_unique(repo.name, repo._unique.fields)
        self._update(cls, key, actions, condition)

    def _update(
        self,
        cls: type[Any],
        key: Mapping[str, Any],
        actions: Sequence[Action],
        condition: Condition | None,
    ) -> None:
        repo = self.db.repo(cls)
        request = repo._writes.update(dict(key), list(actions), condition, True)
        self._add("Update", repo.name, dict(key), request)

    def delete(
        self, cls: type[Any], key: Mapping[str, Any], *, condition: Condition | None = None
    ) -> None:
        repo = self.db.repo(cls)
        self._no_unique(repo.name, repo._unique.fields)
        self._delete(cls, key, condition)

    def _delete(self, cls: type[Any], key: Mapping[str, Any], condition: Condition | None) -> None:
        repo = self.db.repo(cls)
        request = repo._writes.delete(dict(key), condition, True)
        self._add("Delete", repo.name, dict(key), request)

    def check(self, cls: type[Any], key: Mapping[str, Any], condition: Condition) -> None:
        """Require ``condition`` of an item that the transaction does not otherwise write."""
        repo = self.db.repo(cls)
        builder = Builder(encode_value)
        request = {
            "TableName": self.db.table,
            "Key": repo.shape.key(key),
            "ConditionExpression": builder.condition(condition),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            **builder.attributes(),
        }
        self._add("ConditionCheck", repo.name, dict(key), request)

    def _no_unique(self, entity: str, unique: tuple[str, ...]) -> None:
        if unique:
            raise ValidationError(
                f"{entity} has unique fields ({', '.join(unique)}); write it with its "
                "repository's put, update or delete, which keep the markers in a transaction"
            )

    def raw(self, kind: str, entity: str, key: Mapping[str, Any], request: dict[str, Any]) -> None:
        """Add a request as it is (``kind``: Put, Update, Delete or ConditionCheck)."""
        self._add(kind, entity, key, request)

    def _add(self, kind: str, entity: str, key: Mapping[str, Any], request: dict[str, Any]) -> None:
        if self.committed:
            raise ValidationError("this transaction was committed; start a new one")
        if len(self.operations) >= MAX_OPERATIONS:
            raise ValidationError(f"a transaction holds at most {MAX_OPERATIONS} operations")
        request = {
            k: v for k, v in request.items() if k not in ("ReturnValues", "ReturnConsumedCapacity")
        }
        self.operations.append(Operation(kind, entity, dict(key), request))

    def commit(self) -> None:
        """Send every operation at once; :class:`TransactionCanceled` names each failed one."""
        if self.committed:
            raise ValidationError("this transaction was committed; start a new one")
        if not self.operations:
            raise ValidationError("a transaction needs at least one operation")
        request = {
            "TransactItems": [{op.kind: op.request} for op in self.operations],
            "ClientRequestToken": self.token,
            "ReturnConsumedCapacity": "INDEXES",
        }
        entities = ",".join(sorted({op.entity for op in self.operations}))
        tickets = self._mark_cached()
        try:
            self.db.call("TransactWriteItems", request, entities, "transaction", kind="write")
        except TransactionCanceled as exc:
            reasons = []
            lines = []
            for reason in exc.reasons:
                op = self.operations[reason.index]
                reason.target = op
                raw = reason.item
                if isinstance(raw, Mapping) and raw:
                    reason.item = self.db.shape(op.entity).from_item(raw)
                reasons.append(reason)
                lines.append(f"{op.kind} {op.entity} {op.key}: {reason.code}")
            shown = "; ".join(lines)
            raise TransactionCanceled(f"transaction canceled: {shown}", reasons=reasons) from None
        finally:
            for cache, ticket in tickets:
                cache.end_write(ticket)
            self._invalidate_queries()
        self.committed = True

    def _invalidate_queries(self) -> None:
        """Cached query pages of every partition the transaction wrote are stale (GSI
        partitions are not named by the request: those indexes are invalidated whole)."""
        queries = self.db.queries
        if queries is None:
            return
        for op in self.operations:
            if op.kind != "ConditionCheck" and op.entity in self.db:
                key = key_strings(op.request.get("Key") or op.request.get("Item"))
                queries.invalidate(self.db.shape(op.entity), [key], True)

    def _mark_cached(self) -> list[tuple[EntityCache[Any], WriteTicket]]:
        """Mark the cached items the transaction writes (released after it, whatever
        happens; a transaction only invalidates, even for write-through entities)."""
        keys: dict[str, list[dict[str, Any]]] = {}
        for op in self.operations:
            if op.kind == "ConditionCheck" or op.entity not in self.db:
                continue
            if self.db[op.entity].cache is None:
                continue
            key = op.request.get("Key") or {
                a: op.request["Item"][a] for a in self._table_keys() if a in op.request["Item"]
            }
            keys.setdefault(op.entity, []).append(key)
        tickets = []
        for entity, entity_keys in keys.items():
            cache = self.db[entity].cache
            assert cache is not None
            tickets.append((cache, cache.begin_write(entity_keys)))
        return tickets

    def _table_keys(self) -> tuple[str, ...]:
        design = self.db.design
        return (design.pk, *((design.sk,) if design.sk else ()))
