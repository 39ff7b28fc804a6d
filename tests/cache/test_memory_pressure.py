"""Redis short of memory: a server with ``--maxmemory 2mb`` (about 1 MB above its own
footprint) gets about 3.8 MB of values through the repositories (120 items of ~32 KB;
moto's cost is mostly per item, so large items keep the tests quick). Whether it evicts
(allkeys-lru, volatile-lru: every key modelkit writes has a TTL) or refuses writes
(noeviction: the fill scripts are denied with OOM), every read returns exactly what
DynamoDB holds and no call raises."""

from __future__ import annotations

from contextlib import AbstractContextManager

import pytest
import redis

from modelkit.dynamo import Repository
from tests.cache.designs import Customer, Wallet
from tests.cache.failures import moto_cached, redis_process, stored
from tests.redis_services import RedisServer

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("aws_env")]
ITEMS = 120
SIZE = 32_000


def starved(policy: str) -> AbstractContextManager[RedisServer]:
    return redis_process("--maxmemory", "2mb", "--maxmemory-policy", policy)


def big(i: int, name: str = "v1") -> Customer:
    return Customer(customer_id=f"c{i:04}", email=f"{i}@x", name=f"{name}-{i}-" + "x" * SIZE)


def read_all(repo: Repository[Customer], ids: list[int]) -> list[Customer]:
    """Batch reads of 100 through the cache, in the order of ``ids``."""
    keys = [{"customer_id": f"c{i:04}"} for i in ids]
    found: list[Customer] = []
    for start in range(0, len(keys), 100):
        found += repo.batch_get(keys[start : start + 100])
    return found


def out_of_memory(server: RedisServer) -> None:
    """Asserts the server refuses a plain write for want of memory."""
    with pytest.raises(redis.ResponseError, match="maxmemory"):
        server.client().set("probe", b"x")


def value_keys(server: RedisServer) -> int:
    return sum(1 for _ in server.client().scan_iter(match="*:v", count=1000))


@pytest.mark.parametrize("policy", ["allkeys-lru", "volatile-lru", "noeviction"])
def test_every_read_returns_dynamodbs_value_when_values_do_not_fit(policy: str) -> None:
    with starved(policy) as server, moto_cached(server, timeout=0.1) as db:
        customers = db.repo(Customer)
        truth = [big(i) for i in range(ITEMS)]
        customers.batch_put(truth)
        ids = list(range(ITEMS))
        assert read_all(customers, ids) == truth  # fills until memory runs out
        for i in range(ITEMS - 1, 0, -12):  # writes succeed, some on items still cached ...
            truth[i] = customers.update({"customer_id": f"c{i:04}"}, customers.f.name.set("v2"))
        assert read_all(customers, ids[::-1]) == truth[::-1]  # ... and are read back
        assert [customers.get(customer_id=f"c{i:04}") for i in range(0, ITEMS, 6)] == truth[::6]
        info = server.client().info()
        assert value_keys(server) < ITEMS / 2  # most values never fitted
        metrics = customers.cache_metrics
        assert metrics is not None and metrics.fills > 0 and metrics.hits > 0
        if policy == "noeviction":
            assert info["evicted_keys"] == 0
            assert metrics.errors >= ITEMS / 2  # lease requests and stores denied with OOM
            assert metrics.fills < ITEMS / 2
        else:
            assert info["evicted_keys"] > ITEMS / 2
            assert metrics.fills + metrics.refused_fills >= ITEMS  # evicted leases refuse


def test_without_eviction_writes_still_invalidate_values_cached_before() -> None:
    """noeviction: once memory is full, a plain SET fails with OOM and fills stop, but the
    mark (an allow-oom script) and the DEL of a write still run: an item cached before
    memory filled up is read back as written. The fills leave the server at most one value
    (32 KB) over its limit, which a write's DEL could free; so maxmemory is then lowered
    256 KB under what is used (CONFIG SET), to keep the server out of memory throughout. A
    write-through store is denied too; its item is then dropped and read from DynamoDB."""
    with starved("noeviction") as server, moto_cached(server, timeout=0.1) as db:
        customers, wallets = db.repo(Customer), db.repo(Wallet)
        early = customers.put(big(9999, "early"))
        wallet = wallets.put(Wallet(wallet_id="w", balance=1))
        assert (customers.get(customer_id="c9999"), wallets.get(wallet_id="w")) == (early, wallet)
        customers.batch_put([big(i) for i in range(ITEMS)])
        assert read_all(customers, list(range(ITEMS))) == [big(i) for i in range(ITEMS)]
        filled = customers.cache_metrics
        assert filled is not None and filled.errors > 0  # fills denied: memory is full
        admin = server.client()
        admin.config_set("maxmemory", int(admin.info("memory")["used_memory"]) - 256 * 1024)
        for repo, key in ((customers, {"customer_id": "c9999"}), (wallets, {"wallet_id": "w"})):
            assert stored(server, repo, **key) is not None  # cached before memory filled up
        errors = filled.errors
        renamed = customers.update({"customer_id": "c9999"}, customers.f.name.set("late"))
        marked = customers.cache_metrics
        assert marked is not None and marked.errors == errors  # mark and DEL both ran
        paid = wallets.update({"wallet_id": "w"}, wallets.f.balance.set(2))
        out_of_memory(server)
        assert stored(server, customers, customer_id="c9999") is None
        assert stored(server, wallets, wallet_id="w") is None
        assert [customers.get(customer_id="c9999") for _ in range(3)] == [renamed] * 3
        assert [wallets.get(wallet_id="w") for _ in range(3)] == [paid] * 3
        assert db.cache is not None and len(db.cache.pending) == 0
        assert stored(server, customers, customer_id="c9999") is None  # no fill under OOM
        metrics = customers.cache_metrics
        assert metrics is not None and metrics.errors > 0 and metrics.breaker == "closed"
