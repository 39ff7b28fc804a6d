"""The in-process near cache (``near_ttl``): answers without Redis, forgets this process's
own writes at once, other processes' writes after ``near_ttl``, never outlives the item, and
hands out independent copies."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from modelkit.dynamo import Database
from tests.cache.designs import Customer, Session
from tests.cache.helpers import Variant, alice, item_cache, reads, value_key
from tests.redis_services import RedisServer

pytestmark = pytest.mark.services
TIMEOUT = 1.0  # as the conftest cache fixture's

NEAR_TTL = 0.6


@pytest.fixture
def near(moto_db: Database, variant: Variant) -> Database:
    """The shared table with Customer near-cached for ``NEAR_TTL`` s, holding alice."""
    db = variant(moto_db, "Customer", near_ttl=NEAR_TTL)
    db.repo(Customer).put(alice())
    return db


def test_second_get_is_a_near_hit_without_redis(near: Database, redis_server: RedisServer) -> None:
    customers = near.repo(Customer)
    assert customers.get(customer_id="c-1") == alice()
    redis_server.client().delete(value_key(near, Customer, customer_id="c-1"))
    assert customers.get(customer_id="c-1") == alice()  # Redis no longer has it
    m = customers.cache_metrics
    assert m is not None and (m.near_hits, m.hits, m.misses) == (1, 0, 1)
    assert reads(near, "Customer") == 1


def test_redis_hit_fills_the_near_cache(
    near: Database, variant: Variant, redis_server: RedisServer
) -> None:
    assert near.cache is not None
    other = variant(near, "Customer", prefix=near.cache.prefix, near_ttl=NEAR_TTL).repo(Customer)
    near.repo(Customer).get(customer_id="c-1")
    assert other.get(customer_id="c-1") == alice()  # from Redis
    redis_server.client().delete(value_key(near, Customer, customer_id="c-1"))
    assert other.get(customer_id="c-1") == alice()  # from its near cache
    m = other.cache_metrics
    assert m is not None and (m.hits, m.near_hits, m.misses) == (1, 1, 0)


def test_own_writes_drop_the_near_entry(near: Database) -> None:
    customers = near.repo(Customer)
    customers.get(customer_id="c-1")
    customers.put(alice(name="Alicia"))
    assert customers.get(customer_id="c-1") == alice(name="Alicia")
    customers.update({"customer_id": "c-1"}, customers.f.version.set(2))
    assert customers.get(customer_id="c-1") == alice(name="Alicia", version=2)
    customers.delete(customer_id="c-1")
    assert customers.get(customer_id="c-1") is None
    m = customers.cache_metrics
    assert m is not None and (m.near_hits, m.misses) == (0, 4)


def test_other_processes_writes_show_after_near_ttl(near: Database, variant: Variant) -> None:
    assert near.cache is not None
    other = variant(near, "Customer", prefix=near.cache.prefix, near_ttl=NEAR_TTL)
    customers = near.repo(Customer)
    customers.get(customer_id="c-1")
    other.repo(Customer).put(alice(name="Alicia"))  # drops the Redis value, not our near entry
    assert customers.get(customer_id="c-1") == alice()
    time.sleep(NEAR_TTL + 0.2)
    assert customers.get(customer_id="c-1") == alice(name="Alicia")
    m = customers.cache_metrics
    assert m is not None and (m.near_hits, m.misses) == (1, 2)


def test_near_entries_expire_after_near_ttl(near: Database) -> None:
    customers = near.repo(Customer)
    customers.get(customer_id="c-1")
    customers.get(customer_id="c-1")
    time.sleep(NEAR_TTL + 0.2)
    assert customers.get(customer_id="c-1") == alice()
    m = customers.cache_metrics
    assert m is not None and (m.near_hits, m.hits, m.misses) == (1, 1, 1)


def test_near_entry_never_outlives_the_item(
    moto_db: Database, variant: Variant, redis_server: RedisServer
) -> None:
    db = variant(moto_db, "Session", near_ttl=30.0)
    sessions = db.repo(Session)
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3.0)
    sessions.put(Session(token="t-1", user="u-1", expires_at=soon))
    assert sessions.get(token="t-1") is not None
    assert sessions.get(token="t-1") is not None
    time.sleep(max(0.0, (soon - dt.datetime.now(dt.UTC)).total_seconds()) + 0.2)
    assert sessions.get(token="t-1") is None
    m = sessions.cache_metrics
    assert m is not None and (m.near_hits, m.misses) == (1, 2)


def test_gets_return_independent_copies(near: Database) -> None:
    customers = near.repo(Customer)
    first = customers.get(customer_id="c-1")
    second = customers.get(customer_id="c-1")
    assert first is not None and second is not None and first is not second
    second.name = "Mutated"
    third = customers.get(customer_id="c-1")
    assert third == alice() and third is not second
    m = customers.cache_metrics
    assert m is not None and m.near_hits == 2


def test_near_cache_keeps_at_most_near_items(moto_db: Database, variant: Variant) -> None:
    db = variant(moto_db, "Customer", near_ttl=30.0, near_items=2)
    customers = db.repo(Customer)
    customers.batch_put([alice(customer_id=f"c-{n}") for n in range(3)])
    for n in range(3):
        customers.get(customer_id=f"c-{n}")
    assert customers.get(customer_id="c-2") == alice(customer_id="c-2")  # kept
    assert customers.get(customer_id="c-0") == alice(customer_id="c-0")  # dropped: from Redis
    m = customers.cache_metrics
    assert m is not None and (m.near_hits, m.hits, m.misses) == (1, 1, 3)


def test_a_value_read_before_this_process_writes_is_not_kept_near(near: Database) -> None:
    """A reader that read v1 from Redis before another thread of this process wrote v2 must
    not put v1 in the near cache after the write dropped it (the steps of get, replayed)."""
    customers = near.repo(Customer)
    assert customers.get(customer_id="c-1") == alice()  # v1 in Redis (and near)
    cache = item_cache(near, Customer)
    ref = cache.ref(customers.shape.key({"customer_id": "c-1"}))  # a get begins ...
    reply = cache.cache.transport.call(ref.value, ("GET", ref.value))  # ... reads v1 ...
    v1 = cache._valid(reply.value, reply.run_id)
    assert v1 is not None and v1.value == alice()
    customers.put(alice(name="Alicia"))  # ... another thread writes v2 ...
    cache._hit(ref, v1, reply.value)  # ... and the first get returns v1: not kept near
    assert customers.get(customer_id="c-1") == alice(name="Alicia")
