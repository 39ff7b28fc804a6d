"""Fail-open: with Redis stopped, paused or asleep, reads and writes go on against DynamoDB
alone, every cache call gives up after the client's timeout, and the errors are counted.

Latency budgets: a get makes at most two cache calls (a retry of pending invalidations and
the GET), each bounded by ``timeout`` (10 ms), plus one moto GetItem (a few ms). The bound
asserted, 300 ms, is that plus a wide margin for a busy 2-vCPU machine, and far below the
2 s of the pause: a get that waited for Redis would fail it."""

from __future__ import annotations

import time

import pytest

from modelkit.cache._transport import CacheDown
from tests.cache.designs import Customer, Wallet
from tests.cache.failures import (
    asleep,
    median,
    moto_cached,
    redis_process,
    run_id,
    stored,
    timed,
)
from tests.redis_services import RedisServer

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("aws_env")]
BOUND = 0.3
NEVER_OPEN = 10_000  # breaker_failures that keep every call going to Redis


def test_with_redis_stopped_reads_and_writes_use_dynamodb(fresh_redis: RedisServer) -> None:
    with moto_cached(fresh_redis, breaker_reset=0.2) as db:
        customers, wallets = db.repo(Customer), db.repo(Wallet)
        alice = customers.put(Customer(customer_id="a", email="a@x", name="Alice"))
        bob = customers.put(Customer(customer_id="b", email="b@x", name="Bob"))
        wallet = wallets.put(Wallet(wallet_id="w", balance=10))
        assert [customers.get(customer_id=c) for c in "ab"] == [alice, bob]
        fresh_redis.stop()
        assert [customers.get(customer_id=c) for c in "ab"] == [alice, bob]
        carol = customers.put(Customer(customer_id="c", email="c@x", name="Carol"))
        renamed = customers.update({"customer_id": "a"}, customers.f.name.set("Alice 2"))
        assert customers.delete(customer_id="b") == bob
        paid = wallets.update({"wallet_id": "w"}, wallets.f.balance.set(25))
        expected = {"a": renamed, "b": None, "c": carol}
        assert renamed.name == "Alice 2" and paid.balance == 25
        assert {c: customers.get(customer_id=c) for c in "abc"} == expected
        assert wallets.get(wallet_id="w") == paid != wallet
        metrics = customers.cache_metrics
        assert metrics is not None and metrics.errors >= 3
        fresh_redis.start()
        time.sleep(0.25)  # the breaker's reset: the next calls reach the new process
        for _ in range(3):
            assert {c: customers.get(customer_id=c) for c in "abc"} == expected
            assert wallets.get(wallet_id="w") == paid
        assert db.cache is not None and len(db.cache.pending) == 0
        after = customers.cache_metrics
        assert after is not None and after.hits >= 4 and after.breaker == "closed"


def test_with_redis_stopped_batches_use_dynamodb(fresh_redis: RedisServer) -> None:
    with moto_cached(fresh_redis, breaker_failures=NEVER_OPEN) as db:
        customers = db.repo(Customer)
        first = [Customer(customer_id=f"c{i}", email=f"{i}@x", name=f"n{i}") for i in range(30)]
        customers.batch_put(first)
        keys = [{"customer_id": c.customer_id} for c in first]
        assert customers.batch_get(keys) == first  # filled
        fresh_redis.stop()
        assert customers.batch_get(keys) == first
        second = [Customer(customer_id=c.customer_id, email=c.email, name="new") for c in first]
        customers.batch_put(second)
        assert customers.batch_get(keys) == second
        metrics = customers.cache_metrics
        assert metrics is not None
        assert metrics.errors >= 60  # the MGETs and lease requests, the marks and releases
        assert metrics.fills == 30  # only those made before the stop


def test_a_get_against_a_stopped_server_adds_only_milliseconds(fresh_redis: RedisServer) -> None:
    with moto_cached(fresh_redis, timeout=0.01, breaker_failures=NEVER_OPEN) as db:
        customers = db.repo(Customer)
        alice = customers.put(Customer(customer_id="a", email="a@x", name="Alice"))
        direct = [timed(lambda: customers.get(customer_id="a", consistent=True)) for _ in range(10)]
        fresh_redis.stop()
        cached = [timed(lambda: customers.get(customer_id="a")) for _ in range(10)]
        assert [v for v, _ in direct + cached] == [alice] * 20
        assert max(s for _, s in cached) < BOUND
        assert median([s for _, s in cached]) - median([s for _, s in direct]) < 0.05
        metrics = customers.cache_metrics
        assert metrics is not None
        assert (metrics.errors, metrics.hits, metrics.breaker) == (10, 0, "closed")


def test_a_paused_server_costs_each_call_its_timeout_not_the_pause(
    fresh_redis: RedisServer,
) -> None:
    """CLIENT PAUSE ALL for 2 s: each get waits for one timeout (10 ms, so never less) and
    returns DynamoDB's value well within the bound; writes go through and are read back;
    after the pause the invalidations are delivered and the cache serves again."""
    with moto_cached(fresh_redis, timeout=0.01, breaker_failures=NEVER_OPEN) as db:
        customers = db.repo(Customer)
        alice = customers.put(Customer(customer_id="a", email="a@x", name="Alice"))
        assert customers.get(customer_id="a") == alice
        fresh_redis.pause(2000)
        paused = time.monotonic()
        gets = [timed(lambda: customers.get(customer_id="a")) for _ in range(10)]
        assert [v for v, _ in gets] == [alice] * 10
        assert all(0.009 <= s < BOUND for _, s in gets), [round(s, 4) for _, s in gets]
        bob, seconds = timed(
            lambda: customers.put(Customer(customer_id="b", email="b@x", name="Bob"))
        )
        assert seconds < BOUND
        renamed, seconds = timed(
            lambda: customers.update({"customer_id": "a"}, customers.f.name.set("Alice 2"))
        )
        assert seconds < BOUND
        assert customers.get(customer_id="a") == renamed
        assert customers.get(customer_id="b") == bob
        assert time.monotonic() - paused < 1.9  # all of it while Redis was paused
        metrics = customers.cache_metrics
        assert metrics is not None and metrics.errors >= 14 and metrics.fills == 1
        time.sleep(max(0.0, paused + 2.1 - time.monotonic()))
        assert [customers.get(customer_id=c) for c in "ab" * 5] == [renamed, bob] * 5
        cached = stored(fresh_redis, customers, customer_id="a")
        assert cached is not None and cached.value == renamed
        after = customers.cache_metrics
        assert after is not None and after.hits >= 1  # the cache serves again


def test_a_cache_call_to_a_paused_server_gives_up_after_the_timeout(
    fresh_redis: RedisServer,
) -> None:
    with moto_cached(fresh_redis, timeout=0.01, breaker_failures=NEVER_OPEN) as db:
        assert db.cache is not None
        transport = db.cache.transport
        assert transport.call(b"k", ("PING",)).value == b"PONG"
        fresh_redis.pause(500)
        for _ in range(5):
            started = time.perf_counter()
            with pytest.raises(CacheDown, match="Timeout"):
                transport.call(b"k", ("PING",))
            assert 0.009 <= time.perf_counter() - started < 0.2


def test_a_sleeping_server_neither_slows_nor_stales_reads() -> None:
    """DEBUG SLEEP (allowed by ``--enable-debug-command yes``; Redis 7 refuses DEBUG without
    it) blocks the whole server: a get during the sleep returns DynamoDB's value before the
    server wakes. An update during the sleep cannot reach Redis (its connections time out in
    their handshake), so the old value is still there when the server wakes, with the
    server's own run id; the item is read from DynamoDB until its invalidation is delivered
    (after the breaker's reset, 1.2 s), then cached anew."""
    with (
        redis_process("--enable-debug-command", "yes") as server,
        moto_cached(server, breaker_reset=1.2) as db,
    ):
        customers = db.repo(Customer)
        alice = customers.put(Customer(customer_id="a", email="a@x", name="Alice"))
        assert customers.get(customer_id="a") == alice
        with asleep(server, 0.6) as sleeper:
            value, seconds = timed(lambda: customers.get(customer_id="a"))
            assert (value, sleeper.is_alive()) == (alice, True)
            assert seconds < BOUND
            renamed = customers.update({"customer_id": "a"}, customers.f.name.set("Alice 2"))
            opened = time.monotonic()  # three failures by now: the breaker is open
            assert customers.get(customer_id="a") == renamed
            assert sleeper.is_alive()
        left = stored(server, customers, customer_id="a")
        assert left is not None and left.value == alice and left.run == run_id(server)
        assert [customers.get(customer_id="a") for _ in range(5)] == [renamed] * 5
        time.sleep(max(0.0, opened + 1.25 - time.monotonic()))  # the retry may go now
        assert [customers.get(customer_id="a") for _ in range(3)] == [renamed] * 3
        cached = stored(server, customers, customer_id="a")
        assert cached is not None and cached.value == renamed
        metrics = customers.cache_metrics
        assert metrics is not None
        assert (metrics.errors, metrics.bypasses, metrics.fills, metrics.hits) == (3, 6, 2, 2)


def test_redis_refuses_debug_sleep_without_the_option(fresh_redis: RedisServer) -> None:
    """Why the slow-server test starts its own server with ``--enable-debug-command yes``."""
    with pytest.raises(Exception, match="DEBUG command not allowed"):
        fresh_redis.client().execute_command("DEBUG", "SLEEP", "0")
