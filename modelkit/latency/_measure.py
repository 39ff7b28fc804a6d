"""One run of a read-heavy workload through a repository: each read timed and, with a cache,
told a hit or a miss by the entity's cache counters before and after it."""

from __future__ import annotations

import random
import time
from typing import Any

import msgspec

from modelkit.cache import CacheMetrics
from modelkit.dynamo import Repository
from modelkit.latency._items import BenchItems
from modelkit.latency._keys import ZipfKeys


class Operation(msgspec.Struct, array_like=True, frozen=True):
    """Read (or, with ``write``, put back) the item of index ``index``."""

    index: int
    write: bool


def workload(requests: int, keys: int, s: float, writes: float, seed: int = 0) -> list[Operation]:
    """``requests`` operations on Zipf(``s``)-chosen keys, each a write with probability
    ``writes``; the same seed gives the same list."""
    if not 0.0 <= writes <= 1.0:
        raise ValueError(f"the write fraction must be between 0 and 1, got {writes:g}")
    choose = ZipfKeys(keys, s, seed)
    coin = random.Random(seed + 1)
    return [Operation(choose(), coin.random() < writes) for _ in range(requests)]


class RunTimes(msgspec.Struct, kw_only=True):
    """Seconds per read by outcome (``other``: neither a hit nor a miss, e.g. a bypass while
    an invalidation is undelivered), write count, and the read units DynamoDB reported."""

    hits: list[float] = msgspec.field(default_factory=list)
    misses: list[float] = msgspec.field(default_factory=list)
    other: list[float] = msgspec.field(default_factory=list)
    reads: list[float] = msgspec.field(default_factory=list)
    writes: int = 0
    read_units: float = 0.0


def run(repo: Repository[Any], operations: list[Operation], items: BenchItems) -> RunTimes:
    """Run ``operations`` through ``repo``; writes put the item back as last stored (and
    keep the new version in ``items``)."""
    times = RunTimes()
    stats = repo.db.stats
    units_before = stats.total(entity=repo.name).read_units
    clock = time.perf_counter
    for op in operations:
        if op.write:
            items.objects[op.index] = repo.put(items.objects[op.index])
            times.writes += 1
            continue
        key = items.keys[op.index]
        before = repo.cache_metrics
        started = clock()
        repo.get(key)
        elapsed = clock() - started
        times.reads.append(elapsed)
        if before is not None:
            after = repo.cache_metrics
            assert after is not None
            _classify(times, before, after, elapsed)
    times.read_units = stats.total(entity=repo.name).read_units - units_before
    return times


def _classify(times: RunTimes, before: CacheMetrics, after: CacheMetrics, elapsed: float) -> None:
    if after.hits + after.near_hits > before.hits + before.near_hits:
        times.hits.append(elapsed)
    elif after.misses > before.misses:
        times.misses.append(elapsed)
    else:
        times.other.append(elapsed)
