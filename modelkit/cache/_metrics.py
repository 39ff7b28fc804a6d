"""Counters of one entity's cache, readable from the API."""

from __future__ import annotations

import threading

import msgspec

from modelkit.cache._breaker import BreakerState


class CacheMetrics(msgspec.Struct, frozen=True, kw_only=True):
    """A snapshot of one entity's cache counters.

    ``hits`` count values served from Redis (``negative_hits`` of them were "no such item"),
    ``near_hits`` values served from the in-process cache; ``misses`` went to DynamoDB;
    ``fills`` stored what they read, ``refused_fills`` were refused because a write (or a
    newer fill) came first, ``waits`` waited for another reader's fill; values over
    ``max_bytes`` (``too_large``) or holding what msgpack cannot (``unencodable``: an integer
    beyond 64 bits) were not stored; ``bypasses`` went straight to DynamoDB (breaker open, or
    an invalidation not yet delivered); ``errors`` are Redis calls that failed or timed out;
    ``breaker`` is the worst state among the nodes.
    """

    hits: int = 0
    negative_hits: int = 0
    near_hits: int = 0
    misses: int = 0
    fills: int = 0
    refused_fills: int = 0
    early_refreshes: int = 0
    waits: int = 0
    too_large: int = 0
    unencodable: int = 0
    invalidations: int = 0
    bypasses: int = 0
    errors: int = 0
    breaker: BreakerState = "closed"

    @property
    def hit_ratio(self) -> float:
        """Hits (Redis and near) over all reads that asked the cache."""
        served = self.hits + self.near_hits
        total = served + self.misses
        return served / total if total else 0.0


COUNTERS = tuple(f for f in CacheMetrics.__struct_fields__ if f != "breaker")


class Counters:
    """Thread-safe counters behind :class:`CacheMetrics`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = dict.fromkeys(COUNTERS, 0)

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._values[name] += amount

    def snapshot(self, breaker: BreakerState) -> CacheMetrics:
        with self._lock:
            values = dict(self._values)
        return CacheMetrics(**values, breaker=breaker)

    def reset(self) -> None:
        with self._lock:
            self._values = dict.fromkeys(COUNTERS, 0)
