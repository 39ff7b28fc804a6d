"""One entity's item cache: reads through Redis with leases, writes that mark and release.

The rule it keeps: a read that starts after a write through modelkit was acknowledged never
returns a value older than that write. A write deletes the cached value and voids every
fill's lease *after* DynamoDB acknowledged it (and before the write returns); a fill stores
its value only while its lease is still valid, and it reads DynamoDB only after taking the
lease, with a strongly consistent read. So a value in Redis after a write's release was read
after that write. See docs/cache.md for the whole argument and its limits."""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from modelkit.cache._envelope import Envelope, EnvelopeCodec
from modelkit.cache._metrics import CacheMetrics, Counters
from modelkit.cache._naming import EntityKeys, item_tag
from modelkit.cache._near import NearCache
from modelkit.cache._scripts import BEGIN_FILL, COMMIT_FILL, MARK, RELEASE_FILL, WRITE_THROUGH
from modelkit.cache._transport import CacheDown, CircuitOpen, Reply
from modelkit.schema import EntityDesign

if TYPE_CHECKING:
    from modelkit.cache._redis_cache import RedisCache

T = TypeVar("T")
Key = dict[str, dict[str, Any]]
WAIT_STEP = 0.002


class ItemRef:
    """The Redis keys of one item, and the near cache's generation when it was made (a value
    read after it is kept in the near cache only if no write of this process came since)."""

    __slots__ = ("lease", "since", "tag", "value")

    def __init__(self, tag: str, keys: EntityKeys, since: int | None = None) -> None:
        self.tag = tag
        self.value = keys.value_key(tag)
        self.lease = self.value[:-1] + b"l"
        self.since = since


class Fill:
    """One reader's attempt to fill an item: ``state`` is ``leased`` (this reader fills),
    ``held`` (another does), ``found`` (a value was there: ``found``) or ``taken`` (a value
    was there but not usable, and the lease was not asked for)."""

    __slots__ = ("begun", "data", "found", "ref", "started", "state", "token")

    def __init__(self, ref: ItemRef, token: bytes, begun: Reply, started: float) -> None:
        self.ref = ref
        self.token = token
        self.begun = begun
        self.started = started
        self.state = "leased"
        self.found: Envelope[Any] | None = None
        self.data: bytes | None = None


class WriteTicket:
    """What a write marked before going to DynamoDB, for :meth:`EntityCache.end_write`."""

    __slots__ = ("items", "marked", "token")

    def __init__(self, token: bytes, items: list[ItemRef]) -> None:
        self.token = token
        self.items = items
        self.marked: dict[bytes, tuple[int, float, bytes]] = {}
        """Per marked value key: the server's time (ms) at the mark, the local monotonic time
        before it, and the server's run id."""


class EntityCache(Generic[T]):
    """The cache of one entity, as its :class:`~modelkit.dynamo.Repository` uses it."""

    def __init__(
        self, cache: RedisCache, table: str, entity: EntityDesign, pk: str, sk: str | None
    ) -> None:
        self.cache = cache
        self.entity = entity
        self.policy = entity.cache
        self.keys = EntityKeys(cache.prefix, table, entity)
        self.codec: EnvelopeCodec[T] = EnvelopeCodec(entity.struct)
        self.counters = Counters()
        self.near = (
            NearCache(self.policy.near_ttl, self.policy.near_items)
            if self.policy.near_ttl is not None
            else None
        )
        self._pk = pk
        self._sk = sk
        self._ttl_field = entity.ttl_field
        self._lease_ms = str(max(1, round(self.policy.lease_ttl * 1000)))

    # -- naming ----------------------------------------------------------------------------

    def ref(self, key: Key) -> ItemRef:
        """The Redis keys of the item with primary key ``key`` (DynamoDB attribute values)."""
        sk = key[self._sk]["S"] if self._sk is not None else None
        since = self.near.generation if self.near is not None else None
        return ItemRef(item_tag(key[self._pk]["S"], sk), self.keys, since)

    def metrics(self) -> CacheMetrics:
        return self.counters.snapshot(self.cache.transport.breaker_state())

    # -- reads -----------------------------------------------------------------------------

    def get(self, key: Key, load: Callable[[], T | None]) -> T | None:
        """The item of ``key`` from the cache, or from ``load`` (a DynamoDB read) on a miss."""
        ref = self.ref(key)
        if self.near is not None:
            found = self._near_get(ref)
            if found is not None:
                return found.value
        self.cache.pending.retry()
        if ref.value in self.cache.pending:
            self.counters.add("bypasses")
            return load()
        try:
            reply = self.cache.transport.call(ref.value, ("GET", ref.value))
        except CircuitOpen:  # Redis not asked: a bypass, not an error
            self.counters.add("bypasses")
            return load()
        except CacheDown:
            return self._down(load)
        cached = self._valid(reply.value, reply.run_id) if reply.value is not None else None
        if cached is not None and not self._refresh_early(cached):
            return self._hit(ref, cached, reply.value)
        if cached is not None:
            self.counters.add("early_refreshes")
        forced = reply.value is not None
        return self._fill(ref, load, forced, cached)

    def _fill(
        self, ref: ItemRef, load: Callable[[], T | None], forced: bool, cached: Envelope[T] | None
    ) -> T | None:
        fill = self.begin_fill(ref, forced)
        if fill is None:
            return self._down(load)
        if fill.found is not None:
            return self._hit(ref, fill.found, fill.data)
        if fill.state == "taken":
            self.counters.add("misses")
            return load()
        if fill.state == "held":
            if cached is not None:  # another reader is refreshing it early: serve this one
                return self._hit(ref, cached, None)
            return self._wait(ref, load)
        self.counters.add("misses")
        try:
            value = load()
        except BaseException:
            self._give_back(ref, fill.token)
            raise
        self.commit_fill(fill, value)
        return value

    def begin_fill(self, ref: ItemRef, forced: bool = False) -> Fill | None:
        """Ask for the lease to fill ``ref`` (None when Redis cannot be reached). ``forced``
        asks for it even though a value is there (to replace it)."""
        token = os.urandom(12).hex().encode()
        command = BEGIN_FILL.command((ref.value, ref.lease), (token, self._lease_ms, int(forced)))
        try:
            begun = self.cache.transport.call(ref.value, command)
        except CacheDown:
            return None
        code, data = begun.value
        fill = Fill(ref, token, begun, begun.at)
        if code == 1:
            fill.found = self._valid(data, begun.run_id)
            fill.data = data
            fill.state = "found" if fill.found is not None else "taken"
        elif code == 2:
            fill.state = "held"
        return fill

    def commit_fill(self, fill: Fill, value: T | None) -> bool:
        """Store what the fill read, if its lease is still valid; True when stored."""
        return self.commit_fills([(fill, value)]) == 1

    def commit_fills(self, fills: Sequence[tuple[Fill, T | None]]) -> int:
        """Store what each fill read, if its lease is still valid (one pipeline per node);
        the number stored."""
        stores: list[tuple[Fill, bytes, float]] = []
        commands = []
        releases = []
        for fill, value in fills:
            ttl = self._ttl_for(value)
            data = b""
            if ttl is not None:
                delta = time.monotonic() - fill.started
                encoded = self.codec.encode(fill.begun.run_id, time.time() + ttl, delta, value)
                if encoded is None or len(encoded) > self.policy.max_bytes:
                    self.counters.add("too_large" if encoded else "unencodable")
                    ttl = None
                data = encoded or b""
            ref = fill.ref
            if ttl is None:
                releases.append((ref.lease, RELEASE_FILL.command((ref.lease,), (fill.token,))))
                continue
            deadline = self.cache.deadline(int(fill.begun.value[1]), fill.started)
            ttl_ms = str(max(1, round(ttl * 1000)))
            keys = (ref.value, ref.lease)
            commands.append(
                (ref.value, COMMIT_FILL.command(keys, (fill.token, data, ttl_ms, deadline)))
            )
            stores.append((fill, data, ttl))
        replies = self.cache.transport.calls(commands + releases)
        stored = 0
        for (fill, data, ttl), reply in zip(stores, replies, strict=False):
            if isinstance(reply, Exception):
                self.counters.add("errors")
            elif reply.value != 1:
                self.counters.add("refused_fills")
            else:
                stored += 1
                if self.near is not None:
                    self.near.put(fill.ref.tag, data, ttl, fill.ref.since)
        self.counters.add("fills", stored)
        if any(isinstance(r, Exception) for r in replies[len(stores) :]):
            self.counters.add("errors")
        return stored

    def _wait(self, ref: ItemRef, load: Callable[[], T | None]) -> T | None:
        """Another reader holds the lease: wait a little for its value, then read DynamoDB."""
        if self.policy.single_flight and self.policy.lease_wait > 0:
            self.counters.add("waits")
            give_up = time.monotonic() + self.policy.lease_wait
            while time.monotonic() < give_up:
                time.sleep(WAIT_STEP)
                try:
                    reply = self.cache.transport.call(ref.value, ("GET", ref.value))
                except CacheDown:
                    break
                if reply.value is not None:
                    found = self._valid(reply.value, reply.run_id)
                    if found is not None:
                        return self._hit(ref, found, reply.value)
        self.counters.add("misses")
        return load()

    def _give_back(self, ref: ItemRef, token: bytes) -> None:
        try:
            self.cache.transport.call(ref.lease, RELEASE_FILL.command((ref.lease,), (token,)))
        except CacheDown:
            self.counters.add("errors")

    def _down(self, load: Callable[[], T | None]) -> T | None:
        self.counters.add("errors")
        self.counters.add("misses")
        return load()

    def _hit(self, ref: ItemRef, found: Envelope[T], data: bytes | None) -> T | None:
        self.counters.add("hits")
        if found.value is None:
            self.counters.add("negative_hits")
        if self.near is not None and data is not None:
            self.near.put(ref.tag, data, found.expires - time.time(), ref.since)
        return found.value

    def _near_get(self, ref: ItemRef) -> Envelope[T] | None:
        assert self.near is not None
        data = self.near.get(ref.tag)
        found = self.codec.decode(data) if data is not None else None
        if found is not None:
            self.counters.add("near_hits")
        return found

    def _valid(self, data: bytes, run_id: bytes) -> Envelope[T] | None:
        """The envelope if it was stored by the server process that answered (not brought
        back by a restart from a snapshot, not replicated from a failed master)."""
        found = self.codec.decode(data)
        if found is None or found.run != run_id or not run_id:
            return None
        return found

    def _refresh_early(self, found: Envelope[T]) -> bool:
        """XFetch: refresh before expiry with a probability that grows as it nears."""
        beta = self.policy.early_refresh
        if beta <= 0:
            return False
        gap = -found.delta * beta * math.log(1.0 - random.random())
        return time.time() + gap >= found.expires

    def _ttl_for(self, value: T | None) -> float | None:
        """Seconds to keep ``value``: the policy's TTL with jitter, no later than the item's
        own expiry; None when it must not be cached."""
        policy = self.policy
        base = policy.ttl if value is not None else policy.negative_ttl
        if base is None:
            return None
        ttl = base * (1.0 + policy.jitter * random.random())
        if value is not None and self._ttl_field is not None:
            expiry = getattr(value, self._ttl_field, None)
            if expiry is not None:
                left = _epoch(expiry) - time.time()
                if left <= 0:
                    return None
                ttl = min(ttl, left)
        return ttl

    # -- batches ---------------------------------------------------------------------------

    def get_many(
        self,
        keys: Sequence[Key],
        load: Callable[[list[Key]], list[T]],
        key_of: Callable[[T], Key],
    ) -> list[T]:
        """The items of ``keys`` found in the cache, plus the rest from ``load`` (one
        DynamoDB batch), filled into the cache under leases. Keys are read with one MGET per
        slot, pipelined per node."""
        since = self.near.generation if self.near is not None else None
        prefix, pk, sk = self.keys.prefix, self._pk, self._sk
        unique: dict[bytes, tuple[str, Key]] = {}
        for key in keys:  # each item once, as DynamoDB's batch returns them
            tag = item_tag(key[pk]["S"], key[sk]["S"] if sk is not None else None)
            unique.setdefault((prefix + tag + ":v").encode(), (tag, key))
        value_keys = list(unique)
        pending = self.cache.pending
        pending.retry()
        found: dict[bytes, T] = {}
        missing: list[bytes] = []
        hits = negative = 0
        for value_key, reply in zip(value_keys, self._mget(value_keys), strict=True):
            data, run_id = reply if reply is not None else (None, b"")
            cached = None
            if data is not None and not (pending and value_key in pending):
                cached = self._valid(data, run_id)
            if cached is None or data is None:
                missing.append(value_key)
                continue
            hits += 1
            if cached.value is None:
                negative += 1
            else:
                found[value_key] = cached.value
            if self.near is not None:
                left = cached.expires - time.time()
                self.near.put(unique[value_key][0], data, left, since)
        self.counters.add("hits", hits)
        if negative:
            self.counters.add("negative_hits", negative)
        if missing:
            refs = [ItemRef(unique[v][0], self.keys, since) for v in missing]
            found.update(self._fill_many(refs, [unique[v][1] for v in missing], load, key_of))
        return [found[v] for v in value_keys if v in found]

    def _mget(self, value_keys: list[bytes]) -> list[tuple[bytes | None, bytes] | None]:
        if self.cache.transport.cluster:
            by_slot: dict[int, list[int]] = {}
            for i, key in enumerate(value_keys):
                by_slot.setdefault(self.cache.transport.slot_of(key), []).append(i)
            groups = list(by_slot.values())
        else:
            groups = [list(range(len(value_keys)))]
        replies = self.cache.transport.calls(
            [(value_keys[g[0]], ("MGET", *(value_keys[i] for i in g))) for g in groups]
        )
        result: list[tuple[bytes | None, bytes] | None] = [None] * len(value_keys)
        for group, reply in zip(groups, replies, strict=True):
            if isinstance(reply, Exception):
                self.counters.add("bypasses" if isinstance(reply, CircuitOpen) else "errors")
                continue
            for i, data in zip(group, reply.value, strict=True):
                result[i] = (data, reply.run_id)
        return result

    def _fill_many(
        self,
        refs: list[ItemRef],
        keys: list[Key],
        load: Callable[[list[Key]], list[T]],
        key_of: Callable[[T], Key],
    ) -> dict[bytes, T]:
        tokens = [os.urandom(12).hex().encode() for _ in refs]
        begun = self.cache.transport.calls(
            [
                (r.value, BEGIN_FILL.command((r.value, r.lease), (t, self._lease_ms, 1)))
                for r, t in zip(refs, tokens, strict=True)
            ]
        )
        self.counters.add("misses", len(refs))
        try:
            items = load(keys)
        except BaseException:
            for ref, token, reply in zip(refs, tokens, begun, strict=True):
                if isinstance(reply, Reply) and reply.value[0] == 0:
                    self._give_back(ref, token)
            raise
        by_value = {self.ref(key_of(item)).value: item for item in items}
        fills: list[tuple[Fill, T | None]] = []
        for ref, token, reply in zip(refs, tokens, begun, strict=True):
            if isinstance(reply, Exception):
                self.counters.add("errors")
            elif reply.value[0] == 0:
                fills.append((Fill(ref, token, reply, reply.at), by_value.get(ref.value)))
        self.commit_fills(fills)
        return by_value

    # -- writes ----------------------------------------------------------------------------

    def begin_write(self, keys: Sequence[Key]) -> WriteTicket:
        """Before a write: drop the cached values and void the fills' leases."""
        refs = [self.ref(k) for k in keys]
        ticket = WriteTicket(b"w" + os.urandom(12).hex().encode(), refs)
        replies = self.cache.transport.calls(
            [
                (r.value, MARK.command((r.value, r.lease), (ticket.token, self._lease_ms)))
                for r in refs
            ]
        )
        for ref, reply in self._delivered(refs, replies):
            ticket.marked[ref.value] = (int(reply.value), reply.at, reply.run_id)
        return ticket

    def end_write(self, ticket: WriteTicket, values: Sequence[T | None] | None = None) -> None:
        """After the write (acknowledged, refused or failed): drop the values and void the
        leases again, or, in write-through, store ``values`` (the items as written, None for
        a delete) if this write's lease survived. Never raises; an invalidation that cannot
        be delivered is kept and retried."""
        upto = self.cache.pending.mark()
        commands = []
        for i, ref in enumerate(ticket.items):
            command: tuple[Any, ...] = ("DEL", ref.value, ref.lease)
            if values is not None and self.policy.mode == "write-through":
                command = self._write_through(ticket, ref, values[i]) or command
            commands.append((ref.value, command))
        replies = self.cache.transport.calls(commands)
        self.counters.add("invalidations", len(ticket.items))
        for ref, _ in self._delivered(ticket.items, replies):
            self.cache.pending.clear(ref.value, upto)

    def _delivered(
        self, refs: list[ItemRef], replies: list[Reply | Exception]
    ) -> list[tuple[ItemRef, Reply]]:
        """The items whose write step reached Redis; the others are kept pending (this
        process reads them from DynamoDB until a retry delivers their invalidation). Drops
        their near-cache entries either way."""
        delivered = []
        for ref, reply in zip(refs, replies, strict=True):
            if self.near is not None:
                self.near.drop(ref.tag)
            if isinstance(reply, Exception):
                self.counters.add("errors")
                self.cache.pending.add((ref.value, ref.lease))
            else:
                delivered.append((ref, reply))
        return delivered

    def invalidate(self, keys: Sequence[Key]) -> None:
        """Drop the cached values of ``keys`` and void their fills' leases (for writes made
        outside the repositories, such as those a Streams consumer sees)."""
        self.end_write(WriteTicket(b"", [self.ref(k) for k in keys]))

    def _write_through(
        self, ticket: WriteTicket, ref: ItemRef, value: T | None
    ) -> tuple[Any, ...] | None:
        marked = ticket.marked.get(ref.value)
        ttl = self._ttl_for(value)
        if marked is None or ttl is None:
            return None
        server_ms, started, run_id = marked
        data = self.codec.encode(run_id, time.time() + ttl, 0.0, value)
        if data is None or len(data) > self.policy.max_bytes:
            self.counters.add("too_large" if data else "unencodable")
            return None
        return WRITE_THROUGH.command(
            (ref.value, ref.lease),
            (
                ticket.token,
                data,
                str(max(1, round(ttl * 1000))),
                self.cache.deadline(server_ms, started),
            ),
        )


def _epoch(value: Any) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)
