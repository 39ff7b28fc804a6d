"""A restart that loads an older RDB snapshot brings back values that writes had already
invalidated. They carry the run id of the process that stored them, which no longer
answers: they are never served, and the next fill replaces them."""

from __future__ import annotations

import pytest

from tests.cache.designs import Customer, Wallet
from tests.cache.failures import moto_cached, run_id, stored
from tests.redis_services import RedisServer

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("aws_env")]
IDS = [f"c{i:02}" for i in range(20)]


def test_values_restored_from_an_older_snapshot_are_never_served(
    fresh_redis: RedisServer,
) -> None:
    with moto_cached(fresh_redis) as db:
        customers = db.repo(Customer)
        old = [Customer(customer_id=c, email=f"{c}@x", name=f"old {c}") for c in IDS]
        customers.batch_put(old)
        keys = [{"customer_id": c} for c in IDS]
        assert customers.batch_get(keys) == old
        first_run = run_id(fresh_redis)
        fresh_redis.snapshot()
        new = [Customer(customer_id=c, email=f"{c}@x", name=f"new {c}") for c in IDS]
        customers.batch_put(new)
        assert [stored(fresh_redis, customers, customer_id=c) for c in IDS] == [None] * 20
        fresh_redis.restart()
        assert run_id(fresh_redis) != first_run
        restored = [stored(fresh_redis, customers, customer_id=c) for c in IDS]
        assert [(e.run, e.value) for e in restored if e is not None] == [
            (first_run, o) for o in old
        ]  # the condition: every old value is back in Redis
        assert [customers.get(customer_id=c) for c in IDS[:10]] == new[:10]
        assert customers.batch_get(keys[10:]) == new[10:]
        assert customers.batch_get(keys) == new  # now from the cache
        refilled = [stored(fresh_redis, customers, customer_id=c) for c in IDS]
        assert [(e.run, e.value) for e in refilled if e is not None] == [
            (run_id(fresh_redis), n) for n in new
        ]
        metrics = customers.cache_metrics
        assert metrics is not None and metrics.hits >= 20


def test_a_restored_absence_a_restored_delete_and_a_restored_write_through(
    fresh_redis: RedisServer,
) -> None:
    """The snapshot holds "no such item" for an item created since, the value of an item
    deleted since, and a write-through value older than the last write."""
    with moto_cached(fresh_redis) as db:
        customers, wallets = db.repo(Customer), db.repo(Wallet)
        gone = customers.put(Customer(customer_id="gone", email="g@x", name="Gone"))
        assert customers.get(customer_id="born") is None  # cached as absent
        assert customers.get(customer_id="gone") == gone
        assert wallets.put(Wallet(wallet_id="w", balance=1)).balance == 1
        fresh_redis.snapshot()
        born = customers.put(Customer(customer_id="born", email="b@x", name="Born"))
        assert customers.delete(customer_id="gone") == gone
        paid = wallets.update({"wallet_id": "w"}, wallets.f.balance.set(2))
        fresh_redis.restart()
        absent = stored(fresh_redis, customers, customer_id="born")
        kept = stored(fresh_redis, customers, customer_id="gone")
        balance = stored(fresh_redis, wallets, wallet_id="w")
        assert absent is not None and absent.value is None
        assert kept is not None and kept.value == gone
        assert balance is not None and balance.value == Wallet(wallet_id="w", balance=1)
        for _ in range(3):
            assert customers.get(customer_id="born") == born
            assert customers.get(customer_id="gone") is None
            assert wallets.get(wallet_id="w") == paid
        metrics = customers.cache_metrics
        assert metrics is not None
        assert metrics.negative_hits == 2  # only the absence cached after the restart
