"""Cached query pages, one hash per index partition, invalidated by generation.

A page is stored under the partition's generation (and, for a GSI, the index's generation,
which writes that cannot name the partitions they left bump). A write replaces the
partition's generation after DynamoDB acknowledged it, so fills begun before can no longer
store, and pages stored before are ignored. GSI reads are eventually consistent, so a page
read from a GSI within ``settle`` seconds of its partition's last invalidation is served but
not stored. See docs/cache.md."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec

from modelkit.cache._metrics import CacheMetrics, Counters
from modelkit.cache._naming import partition_tag
from modelkit.cache._query_scripts import (
    BEGIN_INDEX,
    BEGIN_PAGE,
    COMMIT_PAGE,
    INVALIDATE_PARTITION,
)
from modelkit.cache._transport import CacheDown, Reply

if TYPE_CHECKING:
    from modelkit.cache._redis_cache import RedisCache

MOST_PAGES = 1000
"""A partition holding this many pages is dropped whole at the next store."""
INDEX_GENERATION_TTL = 86_400.0


class PageEnvelope(msgspec.Struct, array_like=True):
    run: bytes
    generation: bytes
    index_generation: bytes | None
    expires: float
    payload: bytes


class PageFill:
    """A fill of one page: the generations it was begun under."""

    __slots__ = ("generation", "index_generation", "key", "run", "server_ms", "settled", "started")

    def __init__(
        self,
        key: bytes,
        begun: Reply,
        index_generation: bytes | None,
        settle_ms: int,
    ) -> None:
        generation, invalidated_ms, server_ms = begun.value
        self.key = key
        self.run = begun.run_id
        self.generation: bytes = generation
        self.index_generation = index_generation
        self.server_ms = int(server_ms)
        self.settled = self.server_ms - int(invalidated_ms) >= settle_ms
        self.started = time.monotonic()


class QueryCache:
    """The cached pages of one table's queries."""

    def __init__(self, cache: RedisCache, table: str, settle: float = 1.0) -> None:
        self.cache = cache
        self.settle_ms = int(settle * 1000)
        self._prefix = f"{cache.prefix}:{table}:"
        self._encode = msgspec.msgpack.Encoder().encode
        self._decode = msgspec.msgpack.Decoder(PageEnvelope).decode
        self._counters: dict[str, Counters] = {}

    def partition_key(self, index: str, pk: str) -> bytes:
        return (self._prefix + "q:" + partition_tag(index, pk)).encode()

    def index_key(self, index: str) -> bytes:
        return (self._prefix + "g:{" + index + "}").encode()

    def counters(self, pattern: str) -> Counters:
        found = self._counters.get(pattern)
        if found is None:
            found = self._counters.setdefault(pattern, Counters())
        return found

    def metrics(self) -> dict[str, CacheMetrics]:
        """Counters of every cached query pattern, by pattern name."""
        state = self.cache.transport.breaker_state()
        return {name: c.snapshot(state) for name, c in self._counters.items()}

    # -- reads -----------------------------------------------------------------------------

    def lookup(
        self, pattern: str, index: str, pk: str, page_id: bytes, gsi: bool
    ) -> tuple[bytes | None, bool]:
        """(payload of the cached page or None, whether a fill may be tried)."""
        counters = self.counters(pattern)
        key = self.partition_key(index, pk)
        index_key = self.index_key(index)
        self.cache.pending.retry()
        if key in self.cache.pending or (gsi and index_key in self.cache.pending):
            counters.add("bypasses")
            return None, False
        commands: list[tuple[bytes, tuple[Any, ...]]] = [(key, ("HMGET", key, "#g", page_id))]
        if gsi:
            commands.append((index_key, ("GET", index_key)))
        replies = self.cache.transport.calls(commands)
        if any(isinstance(r, Exception) for r in replies):
            counters.add("errors")
            counters.add("misses")
            return None, False
        first = replies[0]
        assert isinstance(first, Reply)
        generation, data = first.value
        index_generation = replies[1].value if gsi else None  # type: ignore[union-attr]
        if data is not None and generation is not None:
            page = self._valid(data, first.run_id, generation, index_generation)
            if page is not None:
                counters.add("hits")
                return page.payload, True
        counters.add("misses")
        return None, True

    def _valid(
        self, data: bytes, run: bytes, generation: bytes, index_generation: bytes | None
    ) -> PageEnvelope | None:
        try:
            page = self._decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        if (
            page.run != run
            or page.generation != generation
            or page.index_generation != index_generation
            or page.expires <= time.time()
        ):
            return None
        return page

    # -- fills -----------------------------------------------------------------------------

    def begin(self, pattern: str, index: str, pk: str, gsi: bool, ttl: float) -> PageFill | None:
        """Note the generations before the query is sent (None: Redis unreachable)."""
        key = self.partition_key(index, pk)
        ttl_ms = str(max(1, round(ttl * 1000)))
        commands = [(key, BEGIN_PAGE.command((key,), (os.urandom(8).hex(), ttl_ms)))]
        if gsi:
            index_key = self.index_key(index)
            long_ms = str(round(INDEX_GENERATION_TTL * 1000))
            commands.append(
                (index_key, BEGIN_INDEX.command((index_key,), (os.urandom(8).hex(), long_ms)))
            )
        replies = self.cache.transport.calls(commands)
        if any(isinstance(r, Exception) for r in replies):
            self.counters(pattern).add("errors")
            return None
        first = replies[0]
        assert isinstance(first, Reply)
        index_generation = replies[1].value if gsi else None  # type: ignore[union-attr]
        return PageFill(key, first, index_generation, self.settle_ms if gsi else 0)

    def commit(
        self, pattern: str, fill: PageFill, page_id: bytes, payload: bytes, ttl: float
    ) -> bool:
        """Store the page if no write came since :meth:`begin`; True when stored."""
        counters = self.counters(pattern)
        if not fill.settled:
            return False
        data = self._encode(
            PageEnvelope(
                fill.run, fill.generation, fill.index_generation, time.time() + ttl, payload
            )
        )
        deadline = self.cache.deadline(fill.server_ms, fill.started)
        ttl_ms = str(max(1, round(ttl * 1000)))
        command = COMMIT_PAGE.command(
            (fill.key,), (fill.generation, page_id, data, ttl_ms, deadline, str(MOST_PAGES))
        )
        try:
            stored = self.cache.transport.call(fill.key, command)
        except CacheDown:
            counters.add("errors")
            return False
        if stored.value != 1:
            counters.add("refused_fills")
            return False
        counters.add("fills")
        return True

    # -- writes ----------------------------------------------------------------------------

    def invalidate(
        self, partitions: Iterable[tuple[str, str]], indexes: Iterable[str] = ()
    ) -> None:
        """After a write: new generations for ``partitions`` ((index, pk) pairs) and for
        whole ``indexes``. Never raises; what cannot be delivered is kept and retried."""
        upto = self.cache.pending.mark()
        keep_ms = str(max(1000, 2 * self.settle_ms))
        long_ms = str(round(INDEX_GENERATION_TTL * 1000))
        commands = []
        for index, pk in set(partitions):
            key = self.partition_key(index, pk)
            commands.append(
                (key, INVALIDATE_PARTITION.command((key,), (os.urandom(8).hex(), keep_ms)))
            )
        for index in set(indexes):
            key = self.index_key(index)
            commands.append((key, ("SET", key, os.urandom(8).hex(), "PX", long_ms)))
        if not commands:
            return
        replies = self.cache.transport.calls(commands)
        for (key, _), reply in zip(commands, replies, strict=True):
            if isinstance(reply, Exception):
                self.cache.pending.add((key,))
            else:
                self.cache.pending.clear(key, upto)
