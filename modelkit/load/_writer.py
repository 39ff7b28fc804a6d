"""Batches written on one thread or several, and acknowledged in file order.

Records of entities without unique fields are written with the repositories' ``batch_put``;
those of entities with unique fields one by one with ``put(as_given=True)``, a transaction
with their markers that writes the item as it is, like ``batch_put``, where a value already
taken by another item rejects the record. With several threads, a batch that puts a key or
claims a unique value that a batch before it (still being written) also does waits for it,
so that the first record in the file claims a value whatever the threads.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

import msgspec

from modelkit.dynamo import Database
from modelkit.errors import ConditionFailed, DynamoError, LoadError, UniqueViolation
from modelkit.load._records import Record
from modelkit.load._rejects import Reject

_encode = msgspec.json.Encoder().encode


class Put(msgspec.Struct, frozen=True):
    """Record ``index`` of the file, of an entity with unique fields: written alone."""

    index: int
    record: Record
    entity: str
    obj: Any


class Batch(msgspec.Struct):
    """The records of the file after the previous batch, up to record ``end`` (1-based): the
    instances to write with ``batch_put`` by entity, the records to ``put`` one by one, and
    the rejects (those found writing are added in the writing). Once this batch and all
    before it are acknowledged, ``loaded``, ``rejected`` and ``rejects_bytes`` are the load's
    counts and the size of its rejects file."""

    seq: int
    end: int
    objects: dict[str, list[Any]] = msgspec.field(default_factory=dict)
    puts: list[Put] = msgspec.field(default_factory=list)
    rejects: list[Reject] = msgspec.field(default_factory=list)
    written: int = 0
    loaded: int = 0
    rejected: int = 0
    rejects_bytes: int = 0

    @property
    def valid(self) -> int:
        """Records of the batch to write (valid when read)."""
        return sum(len(o) for o in self.objects.values()) + len(self.puts)


class Writer:
    """Writes batches; calls ``acknowledged`` for each batch, in ``seq`` order, once it and
    every earlier batch are written. With ``threads`` > 1 each batch is written whole by one
    thread of a pool, at most two batches a thread in flight."""

    def __init__(self, db: Database, threads: int, acknowledged: Callable[[Batch], None]) -> None:
        self.db = db
        self.acknowledged = acknowledged
        self._pool = ThreadPoolExecutor(threads) if threads > 1 else None
        self._limit = threads * 2
        self._inflight: deque[tuple[Future[None], frozenset[Hashable]]] = deque()
        self._lock = threading.Lock()
        self._done: dict[int, Batch] = {}
        self._next = 0
        self._unique = {e.name: e.unique_fields for e in db.design.entities if e.unique_fields}

    def submit(self, batch: Batch) -> None:
        """Write ``batch`` (now, or on a thread of the pool); raises a failure of any."""
        if self._pool is None:
            self._run(batch, [])
            return
        inflight = self._inflight
        while inflight and (len(inflight) >= self._limit or inflight[0][0].done()):
            inflight.popleft()[0].result()
        claims = self._claims(batch)
        # the batches in flight that put the same keys or claim the same values go first
        first = [f for f, c in inflight if claims & c and not f.done()] if claims else []
        inflight.append((self._pool.submit(self._run, batch, first), claims))

    def close(self, wait: bool = True) -> None:
        """Wait for the batches in flight (raising the first failure) and stop the pool."""
        if self._pool is None:
            return
        try:
            while wait and self._inflight:
                self._inflight.popleft()[0].result()
        finally:
            for future, _ in self._inflight:
                future.cancel()
            self._pool.shutdown(wait=True)

    def _claims(self, batch: Batch) -> frozenset[Hashable]:
        """The item keys the batch puts one by one and the unique values they claim."""
        claims: set[Hashable] = set()
        for put in batch.puts:
            claims.add((put.entity, _encode(self.db[put.entity].shape.key(put.obj))))
            for field in self._unique[put.entity]:
                value = getattr(put.obj, field)
                if value is not None:  # the marker's value, as _UNIQUE# keys hold it
                    claims.add((put.entity, field, value if isinstance(value, str) else str(value)))
        return frozenset(claims)

    def _run(self, batch: Batch, first: list[Future[None]]) -> None:
        if first:
            wait(first)
            if any(f.cancelled() or f.exception() is not None for f in first):
                raise LoadError(f"batch {batch.seq} not written: an earlier batch failed")
        for entity, objects in batch.objects.items():
            self.db[entity].batch_put(objects)
        written = batch.valid
        for put in batch.puts:
            reason = self._put(put)
            if reason is not None:
                batch.rejects.append(Reject(put.index, put.record, reason))
                written -= 1
        batch.written = written
        with self._lock:
            self._done[batch.seq] = batch
            while self._next in self._done:
                self.acknowledged(self._done.pop(self._next))
                self._next += 1

    def _put(self, put: Put) -> str | None:
        """Write one record with its markers, its item as the file gives it; why it is
        rejected, or None. Putting it again changes nothing and is not a reject."""
        try:
            self.db[put.entity].put(put.obj, as_given=True)
        except UniqueViolation as exc:
            return taken(exc)
        except ConditionFailed as exc:  # the item changed between its read and its write
            return str(exc)
        except DynamoError as exc:
            if exc.code == "UnknownOperationException":
                raise LoadError(
                    f"{put.entity} has unique fields ({', '.join(self._unique[put.entity])}), "
                    "written one record a transaction, and this endpoint has no transactions "
                    f"(TransactWriteItems: {exc.code}); load it into DynamoDB or moto"
                ) from None
            raise
        return None


def taken(exc: UniqueViolation) -> str:
    """The reason of a record whose unique value another item holds."""
    try:
        value = _encode(exc.value).decode()
    except (TypeError, msgspec.EncodeError):
        value = repr(exc.value)
    return (
        f"{exc.entity}.{exc.field} value already taken: {value} is held by another item "
        "(earlier in the file, or already in the table)"
    )
