"""Reads through the item cache on a real redis-server: hits, misses, negative entries,
consistent reads, single flight under concurrent misses, leases refused after a write, and
the metrics API."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from modelkit.cache import RedisCache
from modelkit.dynamo import Database, connect
from tests.cache.designs import Customer, Note, Session, Wallet
from tests.cache.helpers import Variant, alice, envelope, item_cache, reads, value_key
from tests.redis_services import RedisServer

pytestmark = pytest.mark.services
TIMEOUT = 1.0  # as the conftest cache fixture's


def lease_key(db: Database, cls: type[Any], **key: Any) -> bytes:
    return item_cache(db, cls).ref(db.repo(cls).shape.key(key)).lease


def outsider(db: Database) -> Database:
    """The same table without a cache: its writes never reach Redis."""
    return connect(db.design, dynamodb=db.client, table_name=db.table)


# -- hits, misses, negative entries ----------------------------------------------------------


def test_miss_fills_and_second_get_is_a_hit_without_dynamodb(
    moto_db: Database, redis_server: RedisServer
) -> None:
    customers = moto_db.repo(Customer)
    customers.put(alice())
    assert customers.get(customer_id="c-1") == alice()
    assert customers.get(customer_id="c-1") == alice()
    assert reads(moto_db, "Customer") == 1
    m = customers.cache_metrics
    assert m is not None
    assert (m.hits, m.misses, m.fills, m.negative_hits) == (1, 1, 1, 0)
    assert m.hit_ratio == 0.5
    found = envelope(moto_db, redis_server, Customer, customer_id="c-1")
    assert found is not None and found.value == alice()
    assert found.run == redis_server.client().info("server")["run_id"].encode()


def test_missing_item_is_cached_as_negative_entry(
    moto_db: Database, redis_server: RedisServer
) -> None:
    customers = moto_db.repo(Customer)
    assert customers.get(customer_id="nobody") is None
    assert customers.get(customer_id="nobody") is None
    assert reads(moto_db, "Customer") == 1
    m = customers.cache_metrics
    assert m is not None
    assert (m.hits, m.negative_hits, m.misses) == (1, 1, 1)
    found = envelope(moto_db, redis_server, Customer, customer_id="nobody")
    assert found is not None and found.value is None
    key = value_key(moto_db, Customer, customer_id="nobody")
    assert 29_000 <= redis_server.client().pttl(key) <= 33_000  # negative_ttl 30 s, jitter 10%


def test_negative_entry_expires_after_negative_ttl(moto_db: Database, variant: Variant) -> None:
    db = variant(moto_db, "Customer", negative_ttl=0.5, jitter=0.0)
    customers, behind = db.repo(Customer), outsider(moto_db).repo(Customer)
    assert customers.get(customer_id="c-1") is None
    behind.put(alice())  # behind the cache's back
    assert customers.get(customer_id="c-1") is None  # the negative entry still answers
    time.sleep(0.7)
    assert db.cache is not None
    assert db.cache.client.exists(value_key(db, Customer, customer_id="c-1")) == 0
    assert customers.get(customer_id="c-1") == alice()
    assert reads(db, "Customer") == 2


def test_session_without_negative_ttl_stores_nothing_for_a_missing_item(
    moto_db: Database, redis_server: RedisServer, cache: RedisCache
) -> None:
    sessions = moto_db.repo(Session)
    assert sessions.get(token="gone") is None
    assert sessions.get(token="gone") is None
    assert reads(moto_db, "Session") == 2
    m = sessions.cache_metrics
    assert m is not None
    assert (m.misses, m.hits, m.fills, m.refused_fills) == (2, 0, 0, 0)
    prefix = item_cache(moto_db, Session).keys.prefix
    assert list(redis_server.client().scan_iter(match=prefix + "*")) == []


@pytest.mark.parametrize("stored", [b"not an envelope", None])
def test_value_not_trusted_is_replaced_from_dynamodb(
    moto_db: Database, redis_server: RedisServer, stored: bytes | None
) -> None:
    """Bytes that are not an envelope, or an envelope stamped by another server process
    (``None``: a run id that is not this server's), are read as a miss and replaced."""
    customers = moto_db.repo(Customer)
    customers.put(alice())
    codec = item_cache(moto_db, Customer).codec
    data = stored or codec.encode(b"0" * 40, time.time() + 60, 0.0, alice(name="Old"))
    key = value_key(moto_db, Customer, customer_id="c-1")
    redis_server.client().set(key, data, px=60_000)
    assert customers.get(customer_id="c-1") == alice()
    assert reads(moto_db, "Customer") == 1
    replaced = envelope(moto_db, redis_server, Customer, customer_id="c-1")
    assert replaced is not None and replaced.value == alice()
    m = customers.cache_metrics
    assert m is not None and (m.hits, m.misses, m.fills) == (0, 1, 1)


def test_consistent_read_bypasses_the_cache(moto_db: Database, redis_server: RedisServer) -> None:
    customers = moto_db.repo(Customer)
    customers.put(alice())
    assert customers.get(customer_id="c-1") == alice()
    outsider(moto_db).repo(Customer).put(alice(name="Alicia"))
    assert customers.get(customer_id="c-1") == alice()  # cached
    assert customers.get(customer_id="c-1", consistent=True) == alice(name="Alicia")
    assert reads(moto_db, "Customer") == 2
    m = customers.cache_metrics
    assert m is not None and (m.fills, m.hits, m.misses) == (1, 1, 1)
    found = envelope(moto_db, redis_server, Customer, customer_id="c-1")
    assert found is not None and found.value == alice()  # untouched
    assert customers.get(customer_id="c-2", consistent=True) is None
    assert redis_server.client().exists(value_key(moto_db, Customer, customer_id="c-2")) == 0


def test_load_that_raises_gives_its_lease_back(
    moto_db: Database, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers = moto_db.repo(Customer)
    customers.put(alice())

    def broken(key: Any, consistent: bool) -> Customer | None:
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(customers, "_read", broken)
    with pytest.raises(RuntimeError, match="DynamoDB is down"):
        customers.get(customer_id="c-1")
    assert redis_server.client().exists(lease_key(moto_db, Customer, customer_id="c-1")) == 0
    monkeypatch.undo()
    assert customers.get(customer_id="c-1") == alice()
    m = customers.cache_metrics
    assert m is not None and (m.waits, m.fills) == (0, 1)


# -- single flight ---------------------------------------------------------------------------

READERS = 8


def concurrent_gets(db: Database, load_wrapper: Callable[[Any], Any]) -> list[Customer | None]:
    """``READERS`` threads get customer c-1 at once; every DynamoDB read goes through
    ``load_wrapper(original_read)``."""
    customers = db.repo(Customer)
    customers._read = load_wrapper(customers._read)  # type: ignore[method-assign]
    start = threading.Barrier(READERS)

    def one(_: int) -> Customer | None:
        start.wait(timeout=10)
        return customers.get(customer_id="c-1")

    with ThreadPoolExecutor(READERS) as pool:
        return list(pool.map(one, range(READERS)))


def test_single_flight_one_dynamodb_read_for_concurrent_misses(
    server_db: Database, variant: Variant
) -> None:
    db = variant(server_db, "Customer", lease_wait=3.0, lease_ttl=5.0)
    db.repo(Customer).put(alice())
    m = db.repo(Customer).cache_metrics
    loads: list[bool] = []

    def slow(original: Callable[[Any, bool], Any]) -> Callable[[Any, bool], Any]:
        def read(key: Any, consistent: bool) -> Any:
            """Reads only once the other readers wait (at most 1 s), then takes 100 ms."""
            loads.append(consistent)
            give_up = time.monotonic() + 1.0
            while time.monotonic() < give_up:
                metrics = db.repo(Customer).cache_metrics
                if metrics is not None and metrics.waits >= READERS - 1:
                    break
                time.sleep(0.005)
            time.sleep(0.1)
            return original(key, consistent)

        return read

    results = concurrent_gets(db, slow)
    assert results == [alice()] * READERS
    assert loads == [True]  # one strongly consistent read
    assert reads(db, "Customer") == 1
    m = db.repo(Customer).cache_metrics
    assert m is not None
    assert (m.waits, m.misses, m.fills, m.hits) == (READERS - 1, 1, 1, READERS - 1)


def test_without_single_flight_every_reader_reads_dynamodb(
    server_db: Database, variant: Variant
) -> None:
    db = variant(server_db, "Customer", single_flight=False, lease_wait=1.0)
    db.repo(Customer).put(alice())
    together = threading.Barrier(READERS)

    def blocking(original: Callable[[Any, bool], Any]) -> Callable[[Any, bool], Any]:
        def read(key: Any, consistent: bool) -> Any:
            """Returns only when all readers are loading at once (fails otherwise)."""
            together.wait(timeout=10)
            return original(key, consistent)

        return read

    assert concurrent_gets(db, blocking) == [alice()] * READERS
    assert reads(db, "Customer") == READERS
    m = db.repo(Customer).cache_metrics
    assert m is not None
    assert (m.waits, m.misses, m.fills) == (0, READERS, 1)


# -- leases ----------------------------------------------------------------------------------


def test_fill_begun_before_a_write_is_refused(moto_db: Database) -> None:
    customers = moto_db.repo(Customer)
    cache = item_cache(moto_db, Customer)
    customers.put(alice())
    fill = cache.begin_fill(cache.ref(customers.shape.key({"customer_id": "c-1"})))
    assert fill is not None and fill.state == "leased"
    old = customers.get(customer_id="c-1", consistent=True)
    customers.put(alice(name="Alicia"))  # the write voids the reader's lease
    assert cache.commit_fill(fill, old) is False
    m = customers.cache_metrics
    assert m is not None and (m.refused_fills, m.fills) == (1, 0)
    assert customers.get(customer_id="c-1") == alice(name="Alicia")


def test_fill_without_a_write_is_stored_and_holds_off_other_fills(
    moto_db: Database, redis_server: RedisServer
) -> None:
    customers = moto_db.repo(Customer)
    cache = item_cache(moto_db, Customer)
    customers.put(alice())
    ref = cache.ref(customers.shape.key({"customer_id": "c-1"}))
    first = cache.begin_fill(ref)
    second = cache.begin_fill(ref)
    assert first is not None and first.state == "leased"
    assert second is not None and second.state == "held"
    assert 0 < redis_server.client().pttl(ref.lease) <= 2_000  # lease_ttl 2 s
    assert cache.commit_fill(first, alice()) is True
    assert redis_server.client().exists(ref.lease) == 0
    assert customers.get(customer_id="c-1") == alice()
    m = customers.cache_metrics
    assert m is not None and (m.fills, m.hits) == (1, 1)
    assert reads(moto_db, "Customer") == 0


# -- metrics API -----------------------------------------------------------------------------


def test_metrics_agree_across_repo_database_and_cache(moto_db: Database, cache: RedisCache) -> None:
    customers = moto_db.repo(Customer)
    customers.put(alice())
    customers.get(customer_id="c-1")
    customers.get(customer_id="c-1")
    moto_db.repo(Wallet).get(wallet_id="w-0")
    by_db = moto_db.cache_metrics()
    assert set(by_db) == {"Customer", "Wallet", "Session", "Order"}
    assert by_db["Customer"] == customers.cache_metrics == cache.metrics()["Customer"]
    assert (by_db["Customer"].hits, by_db["Customer"].misses) == (1, 1)
    assert by_db["Customer"].invalidations == 1
    assert by_db["Wallet"].misses == 1 and by_db["Wallet"].breaker == "closed"
    assert set(cache.metrics()) == set(by_db)


def test_note_is_not_cached(
    moto_db: Database, cache: RedisCache, redis_server: RedisServer
) -> None:
    notes = moto_db.repo(Note)
    assert notes.cache is None and notes.cache_metrics is None
    notes.put(Note(note_id="n-1", text="hello"))
    assert notes.get(note_id="n-1") == Note(note_id="n-1", text="hello")
    assert notes.get(note_id="n-1") == Note(note_id="n-1", text="hello")
    assert reads(moto_db, "Note") == 2
    assert "Note" not in moto_db.cache_metrics()
    assert list(redis_server.client().scan_iter(match=f"{cache.prefix}:*:Note:*")) == []
