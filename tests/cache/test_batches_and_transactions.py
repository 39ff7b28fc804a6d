"""Batch reads take what Redis has and read the rest in one DynamoDB batch; batch writes and
transactions drop (or, write-through batch puts, store) the cached items they write."""

from __future__ import annotations

from typing import Any

import pytest

from modelkit.dynamo import Database
from modelkit.errors import TransactionCanceled
from tests.cache.designs import Customer, Order, Session, Wallet
from tests.cache.helpers import item_cache, reads
from tests.redis_services import RedisServer

pytestmark = pytest.mark.services


def stored(db: Database, redis: RedisServer, cls: type[Any], keys: list[dict[str, Any]]) -> int:
    """How many of ``keys`` have a value (or negative entry) in Redis."""
    cache, shape = item_cache(db, cls), db.repo(cls).shape
    return int(redis.client().exists(*(cache.ref(shape.key(k)).value for k in keys)))


def customer(n: int, name: str = "Alice") -> Customer:
    return Customer(customer_id=f"c-{n:03d}", email=f"{n}@example.com", name=name)


def ckeys(numbers: range) -> list[dict[str, Any]]:
    return [{"customer_id": f"c-{n:03d}"} for n in numbers]


def reset(db: Database, cls: type[Any]) -> None:
    item_cache(db, cls).counters.reset()
    db.stats.reset()


# -- batch reads -----------------------------------------------------------------------------


def test_batch_get_reads_only_the_uncached_keys_in_one_batch(
    server_db: Database, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers = server_db.repo(Customer)
    everyone = [customer(n) for n in range(100)]
    customers.batch_put(everyone)
    assert customers.batch_get(ckeys(range(60))) == everyone[:60]
    reset(server_db, Customer)
    batches: list[int] = []
    original = customers._batch_read

    def counted(keys: list[dict[str, Any]], consistent: bool) -> list[Customer]:
        batches.append(len(keys))
        return original(keys, consistent)

    monkeypatch.setattr(customers, "_batch_read", counted)
    assert customers.batch_get(ckeys(range(100))) == everyone
    assert batches == [40]
    assert reads(server_db, "Customer") == 1
    m = customers.cache_metrics
    assert m is not None and (m.hits, m.misses, m.fills) == (60, 40, 40)
    assert stored(server_db, redis_server, Customer, ckeys(range(100))) == 100
    assert customers.batch_get(ckeys(range(100))) == everyone
    assert batches == [40] and reads(server_db, "Customer") == 1


def test_batch_get_leaves_missing_items_out_and_caches_their_absence(
    moto_db: Database, redis_server: RedisServer
) -> None:
    customers = moto_db.repo(Customer)
    customers.batch_put([customer(n) for n in range(5)])
    assert customers.batch_get(ckeys(range(10))) == [customer(n) for n in range(5)]
    assert customers.batch_get(ckeys(range(10))) == [customer(n) for n in range(5)]
    assert reads(moto_db, "Customer") == 1
    m = customers.cache_metrics
    assert m is not None and (m.hits, m.negative_hits, m.misses) == (10, 5, 10)
    assert customers.get(customer_id="c-007") is None
    assert reads(moto_db, "Customer") == 1


def test_batch_get_without_negative_ttl_stores_nothing_for_missing_items(
    moto_db: Database, redis_server: RedisServer
) -> None:
    sessions = moto_db.repo(Session)
    keys = [{"token": f"t-{n}"} for n in range(4)]
    assert sessions.batch_get(keys) == []
    assert stored(moto_db, redis_server, Session, keys) == 0
    assert sessions.batch_get(keys) == []
    assert reads(moto_db, "Session") == 2


def test_batch_get_consistent_reads_everything_from_dynamodb(
    moto_db: Database, redis_server: RedisServer
) -> None:
    customers = moto_db.repo(Customer)
    customers.batch_put([customer(n) for n in range(3)])
    assert customers.batch_get(ckeys(range(3)), consistent=True) == [customer(n) for n in range(3)]
    assert stored(moto_db, redis_server, Customer, ckeys(range(3))) == 0
    m = customers.cache_metrics
    assert m is not None and (m.hits, m.misses) == (0, 0)


# -- batch writes ----------------------------------------------------------------------------


def test_batch_put_drops_cached_items(moto_db: Database, redis_server: RedisServer) -> None:
    customers = moto_db.repo(Customer)
    customers.batch_put([customer(n) for n in range(5)])
    customers.batch_get(ckeys(range(5)))
    assert stored(moto_db, redis_server, Customer, ckeys(range(5))) == 5
    changed = [customer(n, name="Changed") for n in range(5)]
    customers.batch_put(changed)
    assert stored(moto_db, redis_server, Customer, ckeys(range(5))) == 0
    assert customers.batch_get(ckeys(range(5))) == changed
    assert customers.get(customer_id="c-003") == changed[3]


def test_write_through_batch_put_stores_every_item(
    moto_db: Database, redis_server: RedisServer
) -> None:
    wallets = moto_db.repo(Wallet)
    written = [Wallet(wallet_id=f"w-{n}", balance=n) for n in range(10)]
    wallets.batch_put(written)
    keys = [{"wallet_id": f"w-{n}"} for n in range(10)]
    assert stored(moto_db, redis_server, Wallet, keys) == 10
    assert wallets.batch_get(keys) == written
    assert wallets.get(wallet_id="w-4") == written[4]
    assert reads(moto_db, "Wallet") == 0
    m = wallets.cache_metrics
    assert m is not None and (m.hits, m.misses, m.invalidations) == (11, 0, 10)


def test_batch_delete_drops_cached_items(moto_db: Database, redis_server: RedisServer) -> None:
    customers, wallets = moto_db.repo(Customer), moto_db.repo(Wallet)
    customers.batch_put([customer(n) for n in range(4)])
    customers.batch_get(ckeys(range(4)))
    customers.batch_delete(ckeys(range(2)))
    assert stored(moto_db, redis_server, Customer, ckeys(range(2))) == 0
    assert customers.batch_get(ckeys(range(4))) == [customer(2), customer(3)]
    assert customers.get(customer_id="c-000") is None
    wkeys = [{"wallet_id": f"w-{n}"} for n in range(3)]
    wallets.batch_put([Wallet(wallet_id=f"w-{n}", balance=n) for n in range(3)])
    wallets.batch_delete(wkeys)
    assert wallets.batch_get(wkeys) == []
    assert wallets.get(wallet_id="w-1") is None


# -- transactions ----------------------------------------------------------------------------


def fill_all(db: Database) -> None:
    """Put and cache one customer, wallet, order and session."""
    db.repo(Customer).put(customer(1))
    db.repo(Wallet).put(Wallet(wallet_id="w-1", balance=10))
    db.repo(Order).put(Order(customer_id="c-001", order_id="o-1", total=5))
    db.repo(Customer).get(customer_id="c-001")
    db.repo(Order).get(customer_id="c-001", order_id="o-1")
    db.repo(Wallet).get(wallet_id="w-1")


def test_transaction_drops_cached_items_of_every_entity_it_writes(
    moto_db: Database, redis_server: RedisServer
) -> None:
    fill_all(moto_db)
    wallets = moto_db.repo(Wallet)
    with moto_db.transaction() as tx:
        tx.put(customer(1, name="Changed"))
        tx.update(Wallet, {"wallet_id": "w-1"}, wallets.f.balance.set(wallets.f.balance - 3))
        tx.delete(Order, {"customer_id": "c-001", "order_id": "o-1"})
    assert stored(moto_db, redis_server, Customer, [{"customer_id": "c-001"}]) == 0
    assert stored(moto_db, redis_server, Wallet, [{"wallet_id": "w-1"}]) == 0
    order_key = {"customer_id": "c-001", "order_id": "o-1"}
    assert stored(moto_db, redis_server, Order, [order_key]) == 0
    assert moto_db.repo(Customer).get(customer_id="c-001") == customer(1, name="Changed")
    assert wallets.get(wallet_id="w-1") == Wallet(wallet_id="w-1", balance=7)
    assert moto_db.repo(Order).get(order_key) is None
    metrics = moto_db.cache_metrics()
    assert [metrics[e].invalidations for e in ("Customer", "Wallet", "Order")] == [2, 2, 2]


def test_condition_check_leaves_its_item_cached(
    moto_db: Database, redis_server: RedisServer
) -> None:
    fill_all(moto_db)
    with moto_db.transaction() as tx:
        tx.check(Customer, {"customer_id": "c-001"}, moto_db.repo(Customer).f.name == "Alice")
        tx.put(Wallet(wallet_id="w-1", balance=11))
    assert stored(moto_db, redis_server, Customer, [{"customer_id": "c-001"}]) == 1
    assert stored(moto_db, redis_server, Wallet, [{"wallet_id": "w-1"}]) == 0
    assert moto_db.repo(Wallet).get(wallet_id="w-1") == Wallet(wallet_id="w-1", balance=11)


def test_canceled_transaction_still_drops_cached_items(
    moto_db: Database, redis_server: RedisServer
) -> None:
    fill_all(moto_db)
    reset(moto_db, Customer)
    tx = moto_db.transaction()
    tx.put(Wallet(wallet_id="w-1", balance=0))
    tx.put(customer(1, name="Again"), if_absent=True)  # exists: cancels the transaction
    with pytest.raises(TransactionCanceled):
        tx.commit()
    assert stored(moto_db, redis_server, Wallet, [{"wallet_id": "w-1"}]) == 0
    assert stored(moto_db, redis_server, Customer, [{"customer_id": "c-001"}]) == 0
    assert moto_db.repo(Wallet).get(wallet_id="w-1") == Wallet(wallet_id="w-1", balance=10)
    assert moto_db.repo(Customer).get(customer_id="c-001") == customer(1)
    assert reads(moto_db, "Customer") == reads(moto_db, "Wallet") == 1
