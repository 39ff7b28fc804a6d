"""The cache's coherence rule under real concurrency: threads read and write a few items
through the repositories, against the standalone redis-server and moto's server.

Every write puts the item with the next value of a per-item counter, holding the item's lock
so that the counters reach DynamoDB in order (moto's server does not apply a conditional put
atomically when requests on one item run at once: a strongly consistent read returned 75
after the put of 77 had returned). Writers record the acknowledged counter right after their
put returns; a reader notes the acknowledged counter before it starts and checks that what
it gets is not lower. Some writes are refused (their condition is false): they release
their marks too. Writers of one item racing each other are the state machine's business."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from modelkit.cache import CacheMetrics, RedisCache
from modelkit.cache._redis_cache import DEFAULT_TIMEOUT
from modelkit.dynamo import Database
from modelkit.errors import ConditionFailed
from tests.cache.conftest import deployed
from tests.cache.designs import Customer, Wallet
from tests.redis_services import RedisServer

THREADS = 6
OPS = 300
IDS = [f"k{i}" for i in range(5)]
WRITES = 0.3
REFUSED = 0.1
"""Of the writes."""
BATCHES = 0.1
TIMEOUT = DEFAULT_TIMEOUT
"""The cache's own default (10 ms), not the 50 ms of the other cache tests: a call that
times out on this busy machine only sends the read to DynamoDB (and a write's invalidation
to the pending ones), which keeps the rule; ``errors`` in the printed metrics counts them."""


class Ledger:
    """Per item: the lock its writers hold and its acknowledged counter."""

    def __init__(self) -> None:
        self.locks = {i: threading.Lock() for i in IDS}
        self.acked = dict.fromkeys(IDS, 0)


class Workload:
    """The operations of the threads on one entity, and what they saw."""

    def __init__(self, db: Database, cls: type[Customer] | type[Wallet]) -> None:
        self.repo = db.repo(cls)
        self.wallets = cls is Wallet
        self.ledger = Ledger()
        self.counts: Counter[str] = Counter()
        self.stale: list[str] = []
        self.failures: list[BaseException] = []
        self._lock = threading.Lock()

    def item(self, item: str, counter: int) -> Any:
        if self.wallets:
            return Wallet(wallet_id=item, balance=counter)
        return Customer(customer_id=item, email=f"{item}@x.io", name="n", version=counter)

    def key(self, item: str) -> dict[str, str]:
        return {"wallet_id": item} if self.wallets else {"customer_id": item}

    def counter(self, value: Any) -> tuple[str, int]:
        if self.wallets:
            return value.wallet_id, value.balance
        return value.customer_id, value.version

    def write(self, item: str, refused: bool) -> None:
        field = self.repo.f.balance if self.wallets else self.repo.f.version
        with self.ledger.locks[item]:
            counter = self.ledger.acked[item] + 1
            condition = field < (0 if refused else counter)
            try:
                self.repo.put(self.item(item, counter), condition=condition)
            except ConditionFailed:
                self.note("refused writes")
                return
            self.ledger.acked[item] = counter
        self.note("writes")

    def read(self, item: str) -> None:
        floor = self.ledger.acked[item]
        got = self.repo.get(self.key(item))
        self.check(item, floor, got)
        self.note("reads")

    def read_batch(self) -> None:
        floors = dict(self.ledger.acked)
        got = {self.counter(v)[0]: v for v in self.repo.batch_get([self.key(i) for i in IDS])}
        for item in IDS:
            self.check(item, floors[item], got.get(item))
        self.note("batch reads")

    def check(self, item: str, floor: int, got: Any) -> None:
        seen = self.counter(got)[1] if got is not None else None
        if seen is None or seen < floor:
            with self._lock:
                self.stale.append(f"{item}: read {seen} after {floor} was acknowledged")

    def note(self, what: str) -> None:
        with self._lock:
            self.counts[what] += 1

    def run(self, seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(OPS):
                item, roll = rng.choice(IDS), rng.random()
                if roll < WRITES:
                    self.write(item, refused=rng.random() < REFUSED)
                elif roll < WRITES + BATCHES:
                    self.read_batch()
                else:
                    self.read(item)
        except BaseException as exc:
            self.failures.append(exc)


@pytest.fixture
def stress_db(aws_env: None, moto_server_url: str, redis_server: RedisServer) -> Iterator[Database]:
    """The shared design on moto's server, cached with the default timeout."""
    cache = RedisCache(redis_server.url, timeout=TIMEOUT, prefix=f"s{uuid.uuid4().hex[:8]}")
    yield deployed(moto_server_url, cache)
    cache.close()


def run_threads(workload: Workload) -> float:
    for item in IDS:
        workload.repo.put(workload.item(item, 0))
    threads = [threading.Thread(target=workload.run, args=(seed,)) for seed in range(THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


@pytest.mark.parametrize("cls", [Customer, Wallet], ids=["cache-aside", "write-through"])
def test_no_stale_read_under_contention(stress_db: Database, cls: type[Any]) -> None:
    workload = Workload(stress_db, cls)
    took = run_threads(workload)
    metrics: CacheMetrics = workload.repo.cache_metrics  # type: ignore[assignment]
    print(f"\n{cls.__name__}: {took:.1f} s, {dict(workload.counts)}, {metrics}")
    assert workload.failures == []
    assert workload.stale == []
    counts = workload.counts
    assert counts["writes"] > 50 and counts["reads"] > 500 and counts["batch reads"] > 50
    assert metrics.hits > 0.2 * (counts["reads"] + len(IDS) * counts["batch reads"])
    assert counts["refused writes"] > 0
    writes = len(IDS) + counts["writes"] + counts["refused writes"]
    assert metrics.invalidations == writes
    assert metrics.refused_fills + metrics.bypasses > 0
