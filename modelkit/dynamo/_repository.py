"""Repository: typed reads and writes of one entity's items."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from modelkit.dynamo._batch import batch_get, batch_write
from modelkit.dynamo._cached_query import Written, key_strings, moves_index_key
from modelkit.dynamo._items import ItemShape
from modelkit.dynamo._query import Page, QueryPlan, check_projected, run_query
from modelkit.dynamo._scan import run_scan
from modelkit.dynamo._unique import UniqueFields
from modelkit.dynamo._writes import WriteBuilder
from modelkit.dynamo.expressions import Action, Condition, Fields, Path, fields
from modelkit.errors import ConditionFailed, NotFound, ValidationError

if TYPE_CHECKING:
    from modelkit.cache import CacheMetrics, EntityCache
    from modelkit.dynamo._database import Database

T = TypeVar("T")
R = TypeVar("R")


class Repository(Generic[T]):
    """Reads and writes of one entity. Get one from :func:`modelkit.dynamo.connect`.

    Keys are given as the entity's key fields, by keyword (``get(customer_id="c-42")``) or
    as a mapping; conditions and updates are written with :attr:`f`, the entity's typed
    attribute paths (``repo.f.total > 0``, ``repo.f.status.set("PAID")``).
    """

    def __init__(self, db: Database, shape: ItemShape[T]) -> None:
        self.db = db
        self.shape = shape
        self.name = shape.entity.name
        self.f: Fields = fields(shape.entity.struct)
        self._writes = WriteBuilder(db, shape)
        self._unique: UniqueFields[T] = UniqueFields(self)
        design = db.design
        self._table_keys = (design.pk, *((design.sk,) if design.sk else ()))
        self.cache: EntityCache[T] | None = None
        if db.cache is not None and shape.entity.cache.mode != "off":
            self.cache = db.cache.entity(design, shape.entity, db.table)

    def __repr__(self) -> str:
        return f"<Repository {self.name} of table {self.db.design.name}>"

    # -- single items --------------------------------------------------------------------------

    def get(
        self, key: Mapping[str, Any] | None = None, /, *, consistent: bool = False, **fields: Any
    ) -> T | None:
        """The item with this key, or None (also when its TTL has passed).

        With a cache, the item comes from Redis when it is there; ``consistent=True`` always
        reads DynamoDB (strongly consistent) and leaves the cache alone.
        """
        ddb_key = self.shape.key(_key_values(key, fields))
        if self.cache is None or consistent:
            return self._read(ddb_key, consistent)
        strong = self.cache.policy.consistent_fills
        return self.cache.get(ddb_key, lambda: self._read(ddb_key, strong))

    def _read(self, ddb_key: dict[str, Any], consistent: bool) -> T | None:
        request = {
            "TableName": self.db.table,
            "Key": ddb_key,
            "ConsistentRead": consistent,
            "ReturnConsumedCapacity": "INDEXES",
        }
        response = self.db.call("GetItem", request, self.name, "get")
        item = response.get("Item")
        if item is None or not self.shape.is_live(item, self.db.now()):
            return None
        return self.shape.from_item(item)

    @property
    def cache_metrics(self) -> CacheMetrics | None:
        """This entity's cache counters (None when it is not cached)."""
        return self.cache.metrics() if self.cache is not None else None

    def _cached_write(self, keys: Sequence[dict[str, Any]], write: Callable[[], Written[T]]) -> Any:
        """Run ``write`` between marking and releasing the items' cache entries, then make
        the query pages it changed stale (see :mod:`modelkit.cache`)."""
        queries = self.db.queries
        tracked = queries is not None and self.name in queries.tracked
        if (self.cache is None and not tracked) or not keys:
            return write().result
        ticket = self.cache.begin_write(keys) if self.cache is not None else None
        try:
            written = write()
        except BaseException:
            if self.cache is not None and ticket is not None:
                self.cache.end_write(ticket)
            if queries is not None and tracked:
                queries.invalidate(self.shape, [key_strings(k) for k in keys], True)
            raise
        if self.cache is not None and ticket is not None:
            self.cache.end_write(ticket, written.stored)
        if queries is not None and tracked:
            queries.invalidate(self.shape, written.touched, written.moved)
        return written.result

    def require(
        self, key: Mapping[str, Any] | None = None, /, *, consistent: bool = False, **fields: Any
    ) -> T:
        """The item with this key; :class:`NotFound` if there is none."""
        found = self.get(key, consistent=consistent, **fields)
        if found is None:
            values = _key_values(key, fields)
            raise NotFound(
                f"no {self.name} with key {values}", code="NotFound", operation="GetItem"
            )
        return found

    def put(
        self,
        obj: T,
        *,
        condition: Condition | None = None,
        if_absent: bool = False,
        return_current: bool = False,
        as_given: bool = False,
    ) -> T:
        """Write ``obj`` whole (replacing an item with the same key unless ``if_absent``).

        A false ``condition`` raises :class:`ConditionFailed`, holding the current item when
        ``return_current`` is set. Returns the item as stored (timestamps and version set).

        ``as_given=True`` writes the item as ``obj`` gives it, as :meth:`batch_put` does: no
        timestamps set, the version neither checked nor incremented (so putting the same
        ``obj`` again changes nothing). Unique values are still claimed, and one that this
        item already holds is no :class:`UniqueViolation`. For loading data, not for
        application writes, which lose optimistic locking with it.
        """
        stored: T = self._cached_write(
            [self.shape.key(obj)],
            lambda: self._put(obj, condition, if_absent, return_current, as_given),
        )
        return stored

    def _put(
        self, obj: T, condition: Condition | None, if_absent: bool, current: bool, as_given: bool
    ) -> Written[T]:
        if self._unique:
            stored: T = self._unique.put(obj, condition, if_absent, as_given)
            return Written(stored, [stored], [self.shape.keys.key_attributes(stored)], True)
        obj, request = self._writes.put(obj, condition, if_absent, current, as_given)
        if self.db.queries is not None:
            request["ReturnValues"] = "ALL_OLD"
        response = self._send("PutItem", request, "put")
        touched = [self.shape.keys.key_attributes(obj), key_strings(response.get("Attributes"))]
        return Written(obj, [obj], touched)

    def create(self, obj: T, *, condition: Condition | None = None) -> T:
        """Write ``obj`` only if no item has its key; :class:`ConditionFailed` otherwise."""
        return self.put(obj, condition=condition, if_absent=True, return_current=True)

    def delete(
        self,
        key: Mapping[str, Any] | None = None,
        /,
        *,
        condition: Condition | None = None,
        return_current: bool = False,
        **fields: Any,
    ) -> T | None:
        """Delete the item; return it as it was (None if there was none)."""
        values = _key_values(key, fields)
        old: T | None = self._cached_write(
            [self.shape.key(values)], lambda: self._delete(values, condition, return_current)
        )
        return old

    def _delete(
        self, values: dict[str, Any], condition: Condition | None, current: bool
    ) -> Written[T]:
        key = key_strings(self.shape.key(values))
        if self._unique:
            old_item: T | None = self._unique.delete(values, condition)
            touched = [self.shape.keys.key_attributes(old_item)] if old_item is not None else []
            return Written(old_item, [None], [key, *touched])
        request = self._writes.delete(values, condition, current)
        response = self._send("DeleteItem", request, "delete")
        old = response.get("Attributes")
        return Written(self.shape.from_item(old) if old else None, [None], [key, key_strings(old)])

    def update(
        self,
        key: Mapping[str, Any] | None = None,
        /,
        *actions: Action,
        condition: Condition | None = None,
        return_current: bool = False,
        **fields: Any,
    ) -> T:
        """Apply ``actions`` to an existing item and return it as it is after the update.

        Index keys that depend on updated fields are rebuilt in the same request (or the
        update is refused before it is sent). :class:`NotFound` if there is no such item;
        :class:`ConditionFailed` if ``condition`` is false.
        """
        values = _key_values(key, fields)
        updated: T = self._cached_write(
            [self.shape.key(values)],
            lambda: self._update(values, actions, condition, return_current),
        )
        return updated

    def _update(
        self,
        values: dict[str, Any],
        actions: Sequence[Action],
        condition: Condition | None,
        return_current: bool,
    ) -> Written[T]:
        if self._unique and self._unique.touches(list(actions)):
            updated: T = self._unique.update(values, list(actions), condition)
            return Written(updated, [updated], [self.shape.keys.key_attributes(updated)], True)
        request = self._writes.update(values, list(actions), condition, return_current)
        try:
            response = self._send("UpdateItem", request, "update")
        except ConditionFailed as exc:
            if condition is None:
                raise NotFound(
                    f"no {self.name} with key {values}", code="NotFound", operation="UpdateItem"
                ) from None
            raise exc
        new = self.shape.from_item(response["Attributes"])
        moved = moves_index_key(self.db.design, self.shape, request)
        return Written(new, [new], [key_strings(response["Attributes"])], moved)

    def _send(self, operation: str, request: dict[str, Any], pattern: str) -> dict[str, Any]:
        try:
            return self.db.call(operation, request, self.name, pattern, kind="write")
        except ConditionFailed as exc:
            raw = exc.item
            item = self.shape.from_item(raw) if isinstance(raw, Mapping) and raw else None
            raise ConditionFailed(
                f"{self.name}: the condition of {operation} was false",
                item=item,
                operation=operation,
            ) from None

    # -- queries ---------------------------------------------------------------------------------

    def query(
        self,
        pattern: str,
        /,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        filter: Condition | None = None,
        descending: bool | None = None,
        consistent: bool = False,
        **values: Any,
    ) -> Page[T]:
        """One page of the named access ``pattern``.

        ``values`` give the pattern's key fields and, for a range condition, the range field:
        one value, or a ``(low, high)`` pair for ``between``. Pass the page's ``cursor`` back
        to read the next page.
        """
        plan = QueryPlan.build(self.db, pattern, values, descending, limit, filter, consistent)
        if plan.entities != (self.name,):
            raise ValueError(
                f"pattern {pattern!r} reads {', '.join(plan.entities)}; use db.query() for "
                "item collections"
            )
        page: Page[T] = run_query(self.db, plan, cursor)
        return page

    def query_fields(
        self,
        pattern: str,
        fields: Sequence[Path],
        /,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        filter: Condition | None = None,
        descending: bool | None = None,
        **values: Any,
    ) -> Page[dict[str, Any]]:
        """Like :meth:`query`, reading only ``fields`` (a ProjectionExpression): items come
        back as dicts of the projected attributes. Costs the same reads as the whole items."""
        plan = QueryPlan.build(self.db, pattern, values, descending, limit, filter, False)
        index = self.db.design.index(plan.index)
        if index.projection.kind != "ALL":
            check_projected(self.db, index, fields)
        return run_query(self.db, plan, cursor, fields)

    def query_all(self, pattern: str, /, **values: Any) -> Iterator[T]:
        """Every item of the pattern, page after page."""
        cursor: str | None = None
        while True:
            page = self.query(pattern, cursor=cursor, **values)
            yield from page.items
            if page.cursor is None:
                return
            cursor = page.cursor

    def scan(
        self,
        *,
        filter: Condition | None = None,
        segment: int | None = None,
        segments: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[T]:
        """One page of this entity's items from a scan (segment ``segment`` of ``segments``
        for a parallel scan). Scans read, and pay for, the whole table."""
        page = run_scan(self.db, self.shape, filter, segment, segments, limit, cursor)
        return page

    # -- batches ---------------------------------------------------------------------------------

    def batch_get(self, keys: Iterable[Mapping[str, Any]], *, consistent: bool = False) -> list[T]:
        """The items found for ``keys`` (100 a request; unprocessed keys retried).

        With a cache, cached items come from Redis (one MGET per slot) and only the others
        from DynamoDB; ``consistent=True`` reads them all from DynamoDB."""
        ddb_keys = [self.shape.key(k) for k in keys]
        if self.cache is None or consistent:
            return self._batch_read(ddb_keys, consistent)
        strong = self.cache.policy.consistent_fills
        return self.cache.get_many(
            ddb_keys, lambda missing: self._batch_read(missing, strong), self.shape.key
        )

    def _batch_read(self, ddb_keys: list[dict[str, Any]], consistent: bool) -> list[T]:
        raw = batch_get(
            self.db.client,
            self.db.table,
            ddb_keys,
            consistent=consistent,
            backoff=self.db.backoff,
            on_response=lambda r: self.db.stats.record(self.name, "batch_get", r, "read"),
        )
        now = self.db.now()
        return [self.shape.from_item(i) for i in raw if self.shape.is_live(i, now)]

    def batch_put(self, items: Iterable[T]) -> None:
        """Write every item (25 a request; unprocessed writes retried, none dropped)."""
        by_key: dict[tuple[str, ...], tuple[T, dict[str, Any]]] = {}
        for obj in items:  # DynamoDB refuses a batch naming a key twice: the last one wins
            item = self._writes.item(obj)
            by_key[tuple(item[a]["S"] for a in self._table_keys)] = (obj, item)
        writes = [{"PutRequest": {"Item": item}} for _, item in by_key.values()]
        keys = [{a: item[a] for a in self._table_keys} for _, item in by_key.values()]
        objs = [obj for obj, _ in by_key.values()]
        touched = [key_strings(item) for _, item in by_key.values()]
        self._cached_write(keys, lambda: self._batch_write(writes, objs, touched))

    def batch_delete(self, keys: Iterable[Mapping[str, Any]]) -> None:
        """Delete every item with these keys (25 a request)."""
        ddb_keys = [self.shape.key(k) for k in keys]
        writes = [{"DeleteRequest": {"Key": k}} for k in ddb_keys]
        deleted: list[T | None] = [None] * len(ddb_keys)
        touched = [key_strings(k) for k in ddb_keys]
        self._cached_write(ddb_keys, lambda: self._batch_write(writes, deleted, touched))

    def _batch_write(
        self,
        writes: list[dict[str, Any]],
        stored: Sequence[T | None],
        touched: list[dict[str, str]],
    ) -> Written[T]:
        if self._unique:
            raise ValidationError(
                f"{self.name} has unique fields, which batch writes cannot keep; use put and "
                "delete (each a transaction with its markers)"
            )
        batch_write(
            self.db.client,
            self.db.table,
            writes,
            backoff=self.db.backoff,
            on_response=lambda r: self.db.stats.record(self.name, "batch_write", r, "write"),
        )
        return Written(None, list(stored), touched, moved=True)


def _key_values(key: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(key or {})
    values.update(fields)
    return values
