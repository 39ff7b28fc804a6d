"""Batches written through the repositories' batch_put, on one thread or several, and
acknowledged in file order."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import msgspec

from modelkit.dynamo import Database


class Batch(msgspec.Struct):
    """Records ``[start, end)`` of the file: the instances to write by entity, and the
    counts (and rejects file size) the load reaches once this batch and all before it are
    acknowledged."""

    seq: int
    end: int
    objects: dict[str, list[Any]]
    size: int
    loaded: int
    rejected: int
    rejects_bytes: int


class Writer:
    """Writes batches; calls ``acknowledged`` for each batch, in ``seq`` order, once it and
    every earlier batch are written. With ``threads`` > 1 each batch is written whole by one
    thread of a pool, at most two batches a thread in flight."""

    def __init__(self, db: Database, threads: int, acknowledged: Callable[[Batch], None]) -> None:
        self.db = db
        self.acknowledged = acknowledged
        self._pool = ThreadPoolExecutor(threads) if threads > 1 else None
        self._limit = threads * 2
        self._inflight: deque[Future[None]] = deque()
        self._lock = threading.Lock()
        self._done: dict[int, Batch] = {}
        self._next = 0

    def submit(self, batch: Batch) -> None:
        """Write ``batch`` (now, or on a thread of the pool); raises a failure of any."""
        if self._pool is None:
            self._run(batch)
            return
        while self._inflight and (len(self._inflight) >= self._limit or self._inflight[0].done()):
            self._inflight.popleft().result()
        self._inflight.append(self._pool.submit(self._run, batch))

    def close(self, wait: bool = True) -> None:
        """Wait for the batches in flight (raising the first failure) and stop the pool."""
        if self._pool is None:
            return
        try:
            while wait and self._inflight:
                self._inflight.popleft().result()
        finally:
            for future in self._inflight:
                future.cancel()
            self._pool.shutdown(wait=True)

    def _run(self, batch: Batch) -> None:
        for entity, objects in batch.objects.items():
            self.db[entity].batch_put(objects)
        with self._lock:
            self._done[batch.seq] = batch
            while self._next in self._done:
                self.acknowledged(self._done.pop(self._next))
                self._next += 1
