"""CachePolicy rules as Redis sees them: TTLs with jitter, capped by the item's own expiry,
on every key modelkit writes; early refresh (XFetch); the size cap; policy validation."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from modelkit.cache import CachePolicy, RedisCache
from modelkit.dynamo import Database, connect
from modelkit.errors import SchemaError
from tests.cache.designs import Customer, Order, Session, Wallet
from tests.cache.helpers import Variant, envelope, item_cache, reads, value_key
from tests.redis_services import RedisServer

pytestmark = pytest.mark.services
TIMEOUT = 1.0  # as the conftest cache fixture's


def customer(n: int, name: str = "Alice") -> Customer:
    return Customer(customer_id=f"c-{n}", email=f"{n}@example.com", name=name)


# -- TTLs ------------------------------------------------------------------------------------


def test_ttl_with_jitter_lies_between_ttl_and_ttl_plus_jitter(
    moto_db: Database, redis_server: RedisServer
) -> None:
    customers = moto_db.repo(Customer)
    customers.batch_put([customer(n) for n in range(20)])
    started = time.monotonic()
    for n in range(20):
        customers.get(customer_id=f"c-{n}")
    client = redis_server.client()
    pttls = [client.pttl(value_key(moto_db, Customer, customer_id=f"c-{n}")) for n in range(20)]
    elapsed_ms = (time.monotonic() - started) * 1000
    assert all(60_000 - elapsed_ms - 5 <= p <= 66_000 for p in pttls), pttls
    assert max(pttls) - min(pttls) > 500  # jittered, not all alike
    found = envelope(moto_db, redis_server, Customer, customer_id="c-0")
    assert found is not None
    assert abs(found.expires - time.time() - pttls[0] / 1000) < 1.0 + elapsed_ms / 1000


def test_without_jitter_every_ttl_is_the_policys(
    moto_db: Database, variant: Variant, redis_server: RedisServer
) -> None:
    db = variant(moto_db, "Customer", ttl=20.0, jitter=0.0)
    db.repo(Customer).batch_put([customer(n) for n in range(5)])
    started = time.monotonic()
    assert len(db.repo(Customer).batch_get([{"customer_id": f"c-{n}"} for n in range(5)])) == 5
    client = redis_server.client()
    pttls = [client.pttl(value_key(db, Customer, customer_id=f"c-{n}")) for n in range(5)]
    elapsed_ms = (time.monotonic() - started) * 1000
    assert all(20_000 - elapsed_ms - 5 <= p <= 20_000 for p in pttls), pttls


def test_item_expiry_caps_the_cache_ttl(moto_db: Database, redis_server: RedisServer) -> None:
    sessions = moto_db.repo(Session)
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    sessions.put(Session(token="t-1", user="u-1", expires_at=soon))
    assert sessions.get(token="t-1") == Session(token="t-1", user="u-1", expires_at=soon)
    pttl = redis_server.client().pttl(value_key(moto_db, Session, token="t-1"))
    assert 3_000 < pttl <= 5_000  # the policy's ttl is 600 s


def test_expired_item_is_not_cached(
    moto_db: Database, cache: RedisCache, redis_server: RedisServer
) -> None:
    """A client whose clock reads 1970 still finds the session live and returns it; the
    cache, on the real clock, does not store it."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=60)
    expired = Session(token="t-1", user="u-1", expires_at=past)
    moto_db.repo(Session).put(expired)
    assert moto_db.repo(Session).get(token="t-1") is None
    late = connect(moto_db.design, dynamodb=moto_db.client, cache=cache, clock=lambda: 0.0)
    assert late.repo(Session).get(token="t-1") == expired
    prefix = item_cache(moto_db, Session).keys.prefix
    assert list(redis_server.client().scan_iter(match=prefix + "*")) == []
    m = moto_db.repo(Session).cache_metrics
    assert m is not None and (m.fills, m.misses) == (0, 2)


def test_every_key_modelkit_writes_carries_a_ttl(
    moto_db: Database, cache: RedisCache, redis_server: RedisServer
) -> None:
    customers, wallets = moto_db.repo(Customer), moto_db.repo(Wallet)
    customers.batch_put([customer(n) for n in range(4)])
    customers.get(customer_id="c-0")
    customers.get(customer_id="absent")
    customers.batch_get([{"customer_id": f"c-{n}"} for n in range(1, 6)])
    wallets.put(Wallet(wallet_id="w-1", balance=1))
    wallets.batch_put([Wallet(wallet_id=f"w-{n}", balance=n) for n in range(2, 5)])
    wallets.delete(wallet_id="w-2")
    moto_db.repo(Order).put(Order(customer_id="c-0", order_id="o-1", total=5))
    moto_db.repo(Order).get(customer_id="c-0", order_id="o-1")
    with moto_db.transaction() as tx:
        tx.put(customer(0, name="Changed"))
        tx.update(Wallet, {"wallet_id": "w-3"}, wallets.f.balance.set(30))
    ccache, wcache = item_cache(moto_db, Customer), item_cache(moto_db, Wallet)
    fill = ccache.begin_fill(ccache.ref(customers.shape.key({"customer_id": "c-7"})))
    assert fill is not None and fill.state == "leased"  # a reader's lease, left open
    wcache.begin_write([wallets.shape.key({"wallet_id": "w-9"})])  # a writer's, left open
    client = redis_server.client()
    keys = list(client.scan_iter(match=cache.prefix + ":*", count=1000))
    pttls = {key: client.pttl(key) for key in keys}
    assert all(p > 0 for p in pttls.values()), pttls
    assert sum(key.endswith(b":l") for key in keys) == 2
    assert sum(key.endswith(b":v") for key in keys) >= 10


# -- early refresh (XFetch) ------------------------------------------------------------------


def plant(
    db: Database, redis: RedisServer, value: Customer, expires_in: float, delta: float
) -> None:
    """Store ``value`` as if a fill that took ``delta`` seconds had stored it, with its
    envelope expiring in ``expires_in`` seconds (Redis keeps it 30 s)."""
    run_id = redis.client().info("server")["run_id"].encode()
    cache = item_cache(db, Customer)
    data = cache.codec.encode(run_id, time.time() + expires_in, delta, value)
    redis.client().set(value_key(db, Customer, customer_id=value.customer_id), data, px=30_000)


def test_value_near_expiry_is_refreshed_early(
    moto_db: Database, variant: Variant, redis_server: RedisServer
) -> None:
    """With β = 10, a fill time of 60 s and 2 ms left, XFetch refreshes unless
    -600·ln(u) < 0.002 (probability 3e-6)."""
    db = variant(moto_db, "Customer", early_refresh=10.0)
    db.repo(Customer).put(customer(1, name="Fresh"))
    plant(db, redis_server, customer(1, name="Stale"), expires_in=0.002, delta=60.0)
    assert db.repo(Customer).get(customer_id="c-1") == customer(1, name="Fresh")
    m = db.repo(Customer).cache_metrics
    assert m is not None and (m.early_refreshes, m.fills, m.hits) == (1, 1, 0)
    assert reads(db, "Customer") == 1
    key = value_key(db, Customer, customer_id="c-1")
    assert redis_server.client().pttl(key) > 55_000  # re-stored with the policy's 60 s
    found = envelope(db, redis_server, Customer, customer_id="c-1")
    assert found is not None and found.value == customer(1, name="Fresh")
    assert found.expires > time.time() + 55


def test_early_refresh_off_serves_the_value_until_it_expires(
    moto_db: Database, variant: Variant, redis_server: RedisServer
) -> None:
    db = variant(moto_db, "Customer", early_refresh=0.0)
    db.repo(Customer).put(customer(1, name="Fresh"))
    plant(db, redis_server, customer(1, name="Stale"), expires_in=-1.0, delta=60.0)
    assert db.repo(Customer).get(customer_id="c-1") == customer(1, name="Stale")
    m = db.repo(Customer).cache_metrics
    assert m is not None and (m.early_refreshes, m.hits) == (0, 1)
    assert reads(db, "Customer") == 0


def test_value_far_from_expiry_is_not_refreshed(
    moto_db: Database, variant: Variant, redis_server: RedisServer
) -> None:
    """β = 10, fill time 1 ms, a minute left: refreshing needs -0.01·ln(u) ≥ 60."""
    db = variant(moto_db, "Customer", early_refresh=10.0)
    plant(db, redis_server, customer(1, name="Cached"), expires_in=60.0, delta=0.001)
    for _ in range(20):
        assert db.repo(Customer).get(customer_id="c-1") == customer(1, name="Cached")
    m = db.repo(Customer).cache_metrics
    assert m is not None and (m.early_refreshes, m.hits) == (0, 20)


def test_refresh_in_progress_elsewhere_serves_the_cached_value(
    moto_db: Database, variant: Variant, redis_server: RedisServer
) -> None:
    """Another reader holds the lease (it is refreshing): this one does not wait or read."""
    db = variant(moto_db, "Customer", early_refresh=10.0)
    plant(db, redis_server, customer(1, name="Cached"), expires_in=0.0, delta=60.0)
    lease = item_cache(db, Customer).ref(db.repo(Customer).shape.key({"customer_id": "c-1"}))
    redis_server.client().set(lease.lease, b"someone-else", px=2_000)
    assert db.repo(Customer).get(customer_id="c-1") == customer(1, name="Cached")
    m = db.repo(Customer).cache_metrics
    assert m is not None and (m.early_refreshes, m.hits, m.waits, m.fills) == (1, 1, 0, 0)
    assert reads(db, "Customer") == 0


# -- size cap --------------------------------------------------------------------------------


def test_value_over_max_bytes_is_not_stored(
    moto_db: Database, variant: Variant, redis_server: RedisServer
) -> None:
    db = variant(moto_db, "Customer", max_bytes=200)
    big, small = customer(1, name="x" * 400), customer(2)
    db.repo(Customer).batch_put([big, small])
    for _ in range(2):
        assert db.repo(Customer).get(customer_id="c-1") == big
        assert db.repo(Customer).get(customer_id="c-2") == small
    m = db.repo(Customer).cache_metrics
    assert m is not None and (m.too_large, m.fills, m.hits, m.misses) == (2, 1, 1, 3)
    ref = item_cache(db, Customer).ref(db.repo(Customer).shape.key({"customer_id": "c-1"}))
    assert redis_server.client().exists(ref.value, ref.lease) == 0


def test_write_through_value_over_max_bytes_is_not_stored(
    moto_db: Database, variant: Variant, redis_server: RedisServer
) -> None:
    db = variant(moto_db, "Wallet", max_bytes=120)
    wallets = db.repo(Wallet)
    big, small = Wallet(wallet_id="w" * 100, balance=1), Wallet(wallet_id="w-1", balance=1)
    wallets.put(big)
    wallets.put(small)
    m = wallets.cache_metrics
    assert m is not None and m.too_large == 1
    client = redis_server.client()
    assert client.exists(value_key(db, Wallet, wallet_id=big.wallet_id)) == 0
    assert client.exists(value_key(db, Wallet, wallet_id="w-1")) == 1
    assert wallets.get(wallet_id=big.wallet_id) == big
    assert reads(db, "Wallet") == 1


# -- validation ------------------------------------------------------------------------------

BAD_POLICIES: list[tuple[str, Any]] = [
    ("mode", "read-through"),
    ("ttl", 0),
    ("ttl", float("nan")),
    ("lease_ttl", -1.0),
    ("negative_ttl", 0),
    ("near_ttl", -0.5),
    ("jitter", 1.5),
    ("jitter", -0.1),
    ("early_refresh", 10.5),
    ("early_refresh", -1),
    ("lease_wait", 2.5),
    ("lease_wait", -0.1),
    ("max_bytes", 63),
    ("near_items", 0),
]


@pytest.mark.parametrize(("field", "value"), BAD_POLICIES)
def test_bad_policy_value_names_its_field(field: str, value: Any) -> None:
    with pytest.raises(SchemaError) as raised:
        CachePolicy(**{field: value})
    assert raised.value.where == f"CachePolicy.{field}"
    assert str(raised.value).startswith(f"CachePolicy.{field}: ")


def test_policy_limits_are_accepted() -> None:
    edges = CachePolicy(
        jitter=1.0, early_refresh=10.0, lease_ttl=0.5, lease_wait=0.5, max_bytes=64,
        negative_ttl=None, near_ttl=0.01, near_items=1,
    )  # fmt: skip
    assert (edges.jitter, edges.lease_wait, edges.max_bytes) == (1.0, 0.5, 64)
    assert CachePolicy(jitter=0.0, early_refresh=0.0, lease_wait=0.0).early_refresh == 0.0
