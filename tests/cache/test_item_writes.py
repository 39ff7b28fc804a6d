"""Writes through the repositories keep the item cache coherent: cache-aside writes drop the
cached value (also when they fail), write-through writes store what they wrote, and a write
whose lease another write took stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from modelkit.dynamo import Database, connect
from modelkit.errors import ConditionFailed, NotFound
from tests.cache.designs import Customer, Wallet
from tests.cache.helpers import alice, item_cache, reads
from tests.redis_services import RedisServer

pytestmark = pytest.mark.services


def cached(db: Database, redis: RedisServer, cls: type[Any], **key: Any) -> tuple[bool, Any]:
    """(whether Redis holds a value for the item, the value of its envelope)."""
    cache = item_cache(db, cls)
    raw = redis.client().get(cache.ref(db.repo(cls).shape.key(key)).value)
    assert raw is None or isinstance(raw, bytes)
    if raw is None:
        return False, None
    envelope = cache.codec.decode(raw)
    assert envelope is not None
    return True, envelope.value


# -- cache-aside -----------------------------------------------------------------------------


def test_put_drops_the_cached_value(moto_db: Database, redis_server: RedisServer) -> None:
    customers = moto_db.repo(Customer)
    customers.put(alice())
    assert customers.get(customer_id="c-1") == alice()
    customers.put(alice(name="Alicia"))
    assert cached(moto_db, redis_server, Customer, customer_id="c-1") == (False, None)
    assert customers.get(customer_id="c-1") == alice(name="Alicia")
    assert customers.get(customer_id="c-1") == alice(name="Alicia")
    assert reads(moto_db, "Customer") == 2
    m = customers.cache_metrics
    assert m is not None and (m.invalidations, m.hits) == (2, 1)


def test_update_drops_the_cached_value(moto_db: Database, redis_server: RedisServer) -> None:
    customers = moto_db.repo(Customer)
    customers.put(alice())
    customers.get(customer_id="c-1")
    updated = customers.update({"customer_id": "c-1"}, customers.f.name.set("Alicia"))
    assert updated == alice(name="Alicia")
    assert cached(moto_db, redis_server, Customer, customer_id="c-1") == (False, None)
    assert customers.get(customer_id="c-1") == alice(name="Alicia")


def test_delete_drops_the_cached_value(moto_db: Database, redis_server: RedisServer) -> None:
    customers = moto_db.repo(Customer)
    customers.put(alice())
    customers.get(customer_id="c-1")
    customers.delete(customer_id="c-1")
    assert cached(moto_db, redis_server, Customer, customer_id="c-1") == (False, None)
    assert customers.get(customer_id="c-1") is None
    assert cached(moto_db, redis_server, Customer, customer_id="c-1") == (True, None)


def test_create_replaces_a_negative_entry(moto_db: Database, redis_server: RedisServer) -> None:
    customers = moto_db.repo(Customer)
    assert customers.get(customer_id="c-1") is None
    assert cached(moto_db, redis_server, Customer, customer_id="c-1") == (True, None)
    customers.create(alice())
    assert customers.get(customer_id="c-1") == alice()


def test_failed_conditional_put_still_drops_the_cached_value(
    moto_db: Database, redis_server: RedisServer
) -> None:
    """The cached value may already be stale (a write outside modelkit); a refused write
    drops it anyway, so the next read sees DynamoDB."""
    customers = moto_db.repo(Customer)
    customers.put(alice())
    customers.get(customer_id="c-1")
    connect(moto_db.design, dynamodb=moto_db.client).repo(Customer).put(alice(version=2))
    with pytest.raises(ConditionFailed):
        customers.put(alice(name="Nope"), condition=customers.f.version == 1)
    assert cached(moto_db, redis_server, Customer, customer_id="c-1") == (False, None)
    lease = item_cache(moto_db, Customer).ref(customers.shape.key(alice())).lease
    assert redis_server.client().exists(lease) == 0
    assert customers.get(customer_id="c-1") == alice(version=2)


def test_failed_create_leaves_no_stale_value(moto_db: Database, redis_server: RedisServer) -> None:
    customers = moto_db.repo(Customer)
    customers.put(alice())
    customers.get(customer_id="c-1")
    with pytest.raises(ConditionFailed) as failed:
        customers.create(alice(name="Second"))
    assert failed.value.item == alice()
    assert cached(moto_db, redis_server, Customer, customer_id="c-1") == (False, None)
    assert customers.get(customer_id="c-1") == alice()


def test_failed_update_of_a_missing_item_keeps_it_missing(
    moto_db: Database, redis_server: RedisServer
) -> None:
    customers = moto_db.repo(Customer)
    assert customers.get(customer_id="c-9") is None
    with pytest.raises(NotFound):
        customers.update({"customer_id": "c-9"}, customers.f.name.set("Ghost"))
    assert cached(moto_db, redis_server, Customer, customer_id="c-9") == (False, None)
    assert customers.get(customer_id="c-9") is None


# -- write-through ---------------------------------------------------------------------------


def test_write_through_put_stores_the_written_value(
    server_db: Database, redis_server: RedisServer
) -> None:
    wallets = server_db.repo(Wallet)
    wallets.put(Wallet(wallet_id="w-1", balance=10))
    assert cached(server_db, redis_server, Wallet, wallet_id="w-1") == (
        True,
        Wallet(wallet_id="w-1", balance=10),
    )
    assert wallets.get(wallet_id="w-1") == Wallet(wallet_id="w-1", balance=10)
    assert reads(server_db, "Wallet") == 0
    m = wallets.cache_metrics
    assert m is not None and (m.hits, m.misses) == (1, 0)
    key = item_cache(server_db, Wallet).ref(wallets.shape.key({"wallet_id": "w-1"}))
    assert 55_000 <= redis_server.client().pttl(key.value) <= 66_000
    assert redis_server.client().exists(key.lease) == 0


def test_write_through_update_stores_the_updated_item(
    moto_db: Database, redis_server: RedisServer
) -> None:
    wallets = moto_db.repo(Wallet)
    wallets.put(Wallet(wallet_id="w-1", balance=10))
    wallets.update({"wallet_id": "w-1"}, wallets.f.balance.set(wallets.f.balance + 5))
    assert cached(moto_db, redis_server, Wallet, wallet_id="w-1") == (
        True,
        Wallet(wallet_id="w-1", balance=15),
    )
    assert wallets.get(wallet_id="w-1") == Wallet(wallet_id="w-1", balance=15)
    assert reads(moto_db, "Wallet") == 0


def test_write_through_delete_leaves_none(moto_db: Database, redis_server: RedisServer) -> None:
    wallets = moto_db.repo(Wallet)
    wallets.put(Wallet(wallet_id="w-1", balance=10))
    wallets.delete(wallet_id="w-1")
    stored, value = cached(moto_db, redis_server, Wallet, wallet_id="w-1")
    assert value is None  # a negative entry, or nothing at all
    assert wallets.get(wallet_id="w-1") is None
    assert reads(moto_db, "Wallet") == (0 if stored else 1)


def test_write_through_failed_put_stores_nothing(
    moto_db: Database, redis_server: RedisServer
) -> None:
    wallets = moto_db.repo(Wallet)
    wallets.put(Wallet(wallet_id="w-1", balance=10))
    with pytest.raises(ConditionFailed):
        wallets.put(Wallet(wallet_id="w-1", balance=99), condition=wallets.f.balance == 0)
    assert cached(moto_db, redis_server, Wallet, wallet_id="w-1") == (False, None)
    assert wallets.get(wallet_id="w-1") == Wallet(wallet_id="w-1", balance=10)


@pytest.mark.parametrize("first_done", ["older", "newer"])
def test_overlapping_write_through_writes_store_nothing_stale(
    moto_db: Database, redis_server: RedisServer, first_done: str
) -> None:
    """Two writes of one item overlap (both marked before either ends): whichever ends
    first, the older value is never left in Redis."""
    wallets = moto_db.repo(Wallet)
    cache = item_cache(moto_db, Wallet)
    key = wallets.shape.key({"wallet_id": "w-1"})
    older = cache.begin_write([key])
    newer = cache.begin_write([key])
    outside = connect(moto_db.design, dynamodb=moto_db.client).repo(Wallet)
    outside.put(Wallet(wallet_id="w-1", balance=2))  # what DynamoDB ends with
    if first_done == "older":
        cache.end_write(older, [Wallet(wallet_id="w-1", balance=1)])
        cache.end_write(newer, [Wallet(wallet_id="w-1", balance=2)])
    else:
        cache.end_write(newer, [Wallet(wallet_id="w-1", balance=2)])
        cache.end_write(older, [Wallet(wallet_id="w-1", balance=1)])
    _, value = cached(moto_db, redis_server, Wallet, wallet_id="w-1")
    assert value in (None, Wallet(wallet_id="w-1", balance=2))
    assert wallets.get(wallet_id="w-1") == Wallet(wallet_id="w-1", balance=2)


# -- values msgpack cannot hold ------------------------------------------------------------

HUGE = 2**70
"""An integer DynamoDB stores (up to 38 digits) but msgpack cannot (at most 64 bits)."""


def test_unencodable_values_are_written_and_read_but_not_cached(
    moto_db: Database, redis_server: RedisServer
) -> None:
    """A write-through put of such a value succeeds and stores nothing in Redis; reads
    come from DynamoDB every time, and nothing raises."""
    wallets = moto_db.repo(Wallet)
    assert wallets.put(Wallet(wallet_id="w-1", balance=HUGE)).balance == HUGE
    assert cached(moto_db, redis_server, Wallet, wallet_id="w-1") == (False, None)
    assert wallets.get(wallet_id="w-1") == Wallet(wallet_id="w-1", balance=HUGE)
    assert wallets.get(wallet_id="w-1") == Wallet(wallet_id="w-1", balance=HUGE)
    metrics = wallets.cache_metrics
    assert metrics is not None
    assert (metrics.unencodable, metrics.misses, metrics.hits, metrics.fills) == (3, 2, 0, 0)
    wallets.put(Wallet(wallet_id="w-1", balance=5))
    assert wallets.get(wallet_id="w-1") == Wallet(wallet_id="w-1", balance=5)
    assert cached(moto_db, redis_server, Wallet, wallet_id="w-1") == (
        True,
        Wallet(wallet_id="w-1", balance=5),
    )
