"""The Redis cache of the repositories against its targets, on the ecommerce schema's
Customer (cache-aside).

a. ``repo.get`` on a cache hit against a raw redis-py GET of the same value key plus the
   msgspec decode of its bytes (``EnvelopeCodec``): at most ``HIT_TARGET`` times slower at p50.
b. A cached get (hit) against an uncached get, on moto's server and on dynalite: at least
   ``SPEEDUP_TARGET`` times faster at p50.
c. ``repo.batch_get`` of 100 cached items against one MGET of their 100 value keys with a
   plain client: at most ``BATCH_TARGET`` times slower at p50.
d. The hit ratio of a Zipf(0.99) read workload with writer threads updating Zipf-chosen keys
   at a fixed rate, against the analyzer's prediction for the same policy, rates and keys
   (:func:`modelkit.analyze._hit_ratio.hit_ratio` with the writes and the TTL jitter, as
   ``_cache_fix.cache_fixes`` calls it): within ``RATIO_TARGET_POINTS`` percentage points.

Timed sides alternate in rounds (the side that goes first alternates too), so drift and
noise from the machine fall on both alike. Starts redis-server, moto's server and dynalite
on free loopback ports (``modelkit.latency``) and stops them after.

Run: ``python bench/cache.py [--strict]``. Prints each figure beside its target and its
ratio, and MISSED for a missed target; exits 1 on a missed target only with ``--strict``.
"""

from __future__ import annotations

import argparse
import os
import random
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import msgspec
import redis

from modelkit.analyze import Zipf
from modelkit.analyze._hit_ratio import hit_ratio
from modelkit.analyze._spectrum import spectrum
from modelkit.cache import CacheMetrics, RedisCache
from modelkit.cache._envelope import EnvelopeCodec
from modelkit.dynamo import Database, connect, deploy
from modelkit.latency import (
    CACHE_TIMEOUT,
    BenchItems,
    Service,
    Services,
    ZipfKeys,
    endpoint_client,
    example_items,
    percentile,
    start_dynalite,
    start_moto,
    start_redis,
)
from modelkit.schema import TableDesign, load_design

ROOT = Path(__file__).resolve().parent.parent
ENTITY = "Customer"
HIT_TARGET = 1.3
SPEEDUP_TARGET = 10.0
BATCH_TARGET = 2.0
RATIO_TARGET_POINTS = 5.0
#: Items loaded for a, b and c, and for d.
ITEMS = 200
D_ITEMS = 1000
#: a: calls per side, in rounds of ROUND calls; b and c: calls per side.
HIT_CALLS = 5000
ROUND = 100
SPEEDUP_CALLS = 500
BATCH_CALLS = 500
BATCH = 100
#: d: policy TTL, reads/s, writes/s, reader and writer threads, seconds of warm-up then of
#: measure.
D_TTL = 2.0
D_READS = 400.0
D_WRITES = 80.0
D_READERS = 4
D_WRITERS = 2
D_WARMUP = 4.0
D_MEASURE = 16.0
ZIPF_S = 0.99


class Backend:
    """A table of its own on one DynamoDB service, loaded with ``items`` Customers (example
    values), with an uncached and a cached Database on it."""

    def __init__(
        self, service: Service, cache: RedisCache, design: TableDesign, items: int = ITEMS
    ) -> None:
        self.name = service.name
        table = msgspec.structs.replace(
            design, name=f"cachebench-{uuid.uuid4().hex[:8]}", stream=None
        )
        client = endpoint_client(service.url)
        deploy(table, client)
        self.plain: Database = connect(table, dynamodb=client)
        self.cached: Database = connect(table, dynamodb=client, cache=cache)
        self.items: BenchItems = example_items(table, table.entity(ENTITY), items)
        self.plain[ENTITY].batch_put(self.items.objects)

    def warm(self, keys: list[dict[str, Any]]) -> None:
        """Fill the cache for ``keys`` and check that they now hit."""
        repo = self.cached[ENTITY]
        for key in keys:
            repo.get(key)
        before = _metrics(self)
        for key in keys:
            repo.get(key)
        assert _metrics(self).hits - before.hits == len(keys), "warm keys must hit"


def _metrics(backend: Backend) -> CacheMetrics:
    found = backend.cached[ENTITY].cache_metrics
    assert found is not None
    return found


def timed(op: Callable[[], object], samples: list[float], calls: int) -> None:
    clock = time.perf_counter_ns
    for _ in range(calls):
        start = clock()
        op()
        samples.append((clock() - start) / 1000.0)


def interleave(
    sides: dict[str, Callable[[], object]], calls: int, per_round: int
) -> dict[str, list[float]]:
    """µs per call of each side: rounds of ``per_round`` calls of each side in turn, the
    first side of a round rotating."""
    samples: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for r in range(max(1, calls // per_round)):
        for k in range(len(names)):
            name = names[(r + k) % len(names)]
            timed(sides[name], samples[name], per_round)
    return samples


def line(label: str, detail: str, figure: float, unit: str, target: float, at_most: bool) -> bool:
    """Print ``label: detail: figure (target ≤/≥ target, ratio figure/target)``, MISSED when
    the target is missed; whether it is met."""
    met = figure <= target if at_most else figure >= target
    sign = "≤" if at_most else "≥"
    verdict = "" if met else ": MISSED"
    print(
        f"{label}: {detail}: {figure:.2f}{unit} (target {sign} {target:g}{unit}, "
        f"ratio {figure / target:.2f}){verdict}"
    )
    return met


# -- a. a hit against GET + decode ------------------------------------------------------------


def hit_against_raw(backend: Backend, raw: redis.Redis) -> bool:
    repo = backend.cached[ENTITY]
    keys = backend.items.keys[:ROUND]
    backend.warm(keys)
    assert repo.cache is not None
    value_keys = [repo.cache.ref(repo.shape.key(k)).value for k in keys]
    codec = EnvelopeCodec(repo.shape.cls)
    turn = {"repo": 0, "raw": 0}

    def get() -> object:
        i = turn["repo"] = (turn["repo"] + 1) % len(keys)
        return repo.get(keys[i])

    def raw_get() -> object:
        i = turn["raw"] = (turn["raw"] + 1) % len(keys)
        return codec.decode(cast(bytes, raw.get(value_keys[i])))

    before = _metrics(backend)
    samples = interleave({"repo": get, "raw": raw_get}, HIT_CALLS, ROUND)
    assert _metrics(backend).misses == before.misses, "every timed get must hit"
    mine, theirs = percentile(samples["repo"], 0.5), percentile(samples["raw"], 0.5)
    return line(
        "a. get on a cache hit vs raw GET + decode",
        f"p50 {mine:,.0f} µs vs {theirs:,.0f} µs over {len(samples['repo']):,} calls each",
        mine / theirs,
        "x",
        HIT_TARGET,
        at_most=True,
    )


# -- b. cached against uncached -----------------------------------------------------------------


def cached_against_uncached(backend: Backend) -> bool:
    cached, plain = backend.cached[ENTITY], backend.plain[ENTITY]
    keys = backend.items.keys[:ROUND]
    backend.warm(keys)
    turn = {"cached": 0, "uncached": 0}

    def side(repo: Any, name: str) -> Callable[[], object]:
        def get() -> object:
            i = turn[name] = (turn[name] + 1) % len(keys)
            found = repo.get(keys[i])
            assert found is not None
            return found

        return get

    before = _metrics(backend)
    sides = {"cached": side(cached, "cached"), "uncached": side(plain, "uncached")}
    samples = interleave(sides, SPEEDUP_CALLS, 10)
    assert _metrics(backend).misses == before.misses, "every timed cached get must hit"
    hit, miss = percentile(samples["cached"], 0.5), percentile(samples["uncached"], 0.5)
    return line(
        f"b. cached vs uncached get, {backend.name}, times faster",
        f"p50 {hit:,.0f} µs vs {miss:,.0f} µs over {len(samples['cached']):,} calls each",
        miss / hit,
        "x",
        SPEEDUP_TARGET,
        at_most=False,
    )


# -- c. batch_get against MGET ------------------------------------------------------------------


def batch_against_mget(backend: Backend, raw: redis.Redis) -> bool:
    repo = backend.cached[ENTITY]
    keys = backend.items.keys[:BATCH]
    backend.warm(keys)
    assert repo.cache is not None
    value_keys = [repo.cache.ref(repo.shape.key(k)).value for k in keys]
    codec = EnvelopeCodec(repo.shape.cls)

    def batch() -> object:
        found = repo.batch_get(keys)
        assert len(found) == BATCH
        return found

    def mget() -> object:
        return raw.mget(value_keys)

    def mget_decode() -> object:
        return [codec.decode(d) for d in cast("list[bytes]", raw.mget(value_keys))]

    before = _metrics(backend)
    sides = {"batch": batch, "mget": mget, "mget+decode": mget_decode}
    samples = interleave(sides, BATCH_CALLS, 10)
    assert _metrics(backend).misses == before.misses, "every timed batch must hit"
    mine, theirs = percentile(samples["batch"], 0.5), percentile(samples["mget"], 0.5)
    decoded = percentile(samples["mget+decode"], 0.5)
    return line(
        f"c. batch_get of {BATCH} cached items vs one MGET",
        f"p50 {mine:,.0f} µs vs {theirs:,.0f} µs (MGET + decode {decoded:,.0f} µs) over "
        f"{len(samples['batch']):,} calls each",
        mine / theirs,
        "x",
        BATCH_TARGET,
        at_most=True,
    )


# -- d. measured against predicted hit ratio ----------------------------------------------------


class Paced(threading.Thread):
    """Runs ``op`` on a schedule from ``gaps`` (seconds between starts) until ``stop``;
    late starts go at once. Keeps the error that ended it, for the caller to raise."""

    def __init__(self, op: Callable[[], object], gaps: Callable[[], float], stop: float) -> None:
        super().__init__(daemon=True)
        self.op, self.gaps, self.stop_at = op, gaps, stop
        self.error: BaseException | None = None

    def run(self) -> None:
        due = time.monotonic()
        try:
            while True:
                due += self.gaps()
                if due >= self.stop_at:
                    return
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                self.op()
        except BaseException as exc:
            self.error = exc


def hit_ratio_against_model(service: Service, cache: RedisCache, design: TableDesign) -> bool:
    entity = design.entity(ENTITY)
    policy = msgspec.structs.replace(entity.cache, ttl=D_TTL)
    entities = tuple(
        msgspec.structs.replace(e, cache=policy) if e.name == ENTITY else e for e in design.entities
    )
    backend = Backend(service, cache, msgspec.structs.replace(design, entities=entities), D_ITEMS)
    repo = backend.cached[ENTITY]
    keys = backend.items.keys
    counter = {"reads": 0, "writes": 0}
    lock = threading.Lock()

    def reader(seed: int) -> Callable[[], object]:
        choose = ZipfKeys(len(keys), ZIPF_S, seed)

        def read() -> object:
            found = repo.get(keys[choose()])
            with lock:
                counter["reads"] += 1
            return found

        return read

    def writer(seed: int) -> Callable[[], object]:
        choose = ZipfKeys(len(keys), ZIPF_S, 1000 + seed)

        def write() -> object:
            updated = repo.update(keys[choose()], repo.f.name.set(f"name {random.random():.6f}"))
            with lock:
                counter["writes"] += 1
            return updated

        return write

    started = time.monotonic()
    stop = started + D_WARMUP + D_MEASURE + 0.5
    threads = [
        Paced(reader(seed), _exponential(D_READS / D_READERS, seed), stop)
        for seed in range(D_READERS)
    ]
    threads += [Paced(writer(n), lambda: D_WRITERS / D_WRITES, stop) for n in range(D_WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, started + D_WARMUP - time.monotonic()))
    before, counted, opened = _metrics(backend), dict(counter), time.monotonic()
    time.sleep(max(0.0, opened + D_MEASURE - time.monotonic()))
    after, final, closed = _metrics(backend), dict(counter), time.monotonic()
    for thread in threads:
        thread.join()
        if thread.error is not None:
            raise thread.error
    seconds = closed - opened
    reads = (final["reads"] - counted["reads"]) / seconds
    writes = (final["writes"] - counted["writes"]) / seconds
    hits = after.hits + after.near_hits - before.hits - before.near_hits
    misses = after.misses - before.misses
    measured = hits / (hits + misses)
    spec = spectrum(Zipf(len(keys), ZIPF_S))
    # as _cache_fix.cache_fixes calls it: the policy's TTL and jitter, the entity's writes
    predicted = hit_ratio(spec, reads, policy.ttl, writes=writes, jitter=policy.jitter)
    no_writes = hit_ratio(spec, reads, policy.ttl, jitter=policy.jitter)
    no_expiry = hit_ratio(spec, reads, 1e9, writes=writes)
    gap = abs(measured - predicted) * 100
    met = line(
        "d. hit ratio with writers, measured vs predicted, points apart",
        f"{measured:.1%} vs {predicted:.1%}",
        gap,
        " points",
        RATIO_TARGET_POINTS,
        at_most=True,
    )
    print(
        f"   workload: {reads:,.0f} reads/s ({D_READERS} threads, Poisson) and {writes:,.0f} "
        f"writes/s ({D_WRITERS} threads, fixed rate), both on Zipf({ZIPF_S:g}) over "
        f"{len(keys):,} keys; "
        f"TTL {policy.ttl:g} s + up to {policy.jitter:.0%} jitter; {seconds:.1f} s measured "
        f"after {D_WARMUP:g} s of warm-up: {hits:,} hits, {misses:,} misses, "
        f"{after.invalidations - before.invalidations:,} invalidations, "
        f"{after.errors - before.errors} errors"
    )
    print(
        f"   predicted without writes {no_writes:.1%} ({(no_writes - predicted) * 100:+.1f} "
        f"points), without expiry {no_expiry:.1%} ({(no_expiry - predicted) * 100:+.1f} "
        "points): both matter"
    )
    return met


def _exponential(rate: float, seed: int) -> Callable[[], float]:
    draw = random.Random(seed + 100).expovariate
    return lambda: draw(rate)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    started = time.monotonic()
    design = load_design(str(ROOT / "schemas" / "ecommerce.py"))
    with Services() as services:
        redis_service = services.start(start_redis)
        moto = services.start(start_moto)
        dynalite = services.start(start_dynalite)
        cache = RedisCache(redis_service.url, timeout=CACHE_TIMEOUT, prefix="bench")
        raw = redis.Redis.from_url(redis_service.url)
        print(
            f"{ENTITY} of schemas/ecommerce.py, cache-aside; redis-server, moto server and "
            f"dynalite on loopback; {os.cpu_count()} CPUs, load average "
            + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        on_moto = Backend(moto, cache, design)
        on_dynalite = Backend(dynalite, cache, design)
        met = hit_against_raw(on_moto, raw)
        met = cached_against_uncached(on_moto) and met
        met = cached_against_uncached(on_dynalite) and met
        met = batch_against_mget(on_moto, raw) and met
        met = hit_ratio_against_model(dynalite, cache, design) and met
        raw.close()
        cache.close()
    print(f"targets: {'met' if met else 'MISSED'} ({time.monotonic() - started:.1f} s)")
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
