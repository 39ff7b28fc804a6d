"""Deliveries that fail or come late: a write whose invalidation cannot reach Redis keeps the
item out of the cache for this process until it is delivered, and a fill whose store
reaches Redis after its deadline stores nothing."""

from __future__ import annotations

import time

import pytest

from modelkit.cache._scripts import COMMIT_FILL
from tests.cache.designs import Customer, Wallet
from tests.cache.failures import asleep, moto_cached, redis_process, run_id, stored, uncached
from tests.redis_services import RedisServer

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("aws_env")]


def test_a_write_during_a_pause_is_read_from_dynamodb_until_its_invalidation_lands(
    fresh_redis: RedisServer,
) -> None:
    """Values v1 are cached; Redis is paused for 600 ms; the writes of v2 cannot invalidate
    (their commands time out and are dropped with their connections) and three failures
    open the breaker (reset 2 s). After the pause Redis holds v1 again, stamped with its own
    run id, yet every get returns v2, counted as a bypass. Once the breaker lets the retry
    through, the keys are deleted and v2 is cached."""
    with moto_cached(fresh_redis, breaker_reset=2.0) as db:
        customers, wallets = db.repo(Customer), db.repo(Wallet)
        v1 = customers.put(Customer(customer_id="a", email="a@x", name="v1"))
        w1 = wallets.put(Wallet(wallet_id="w", balance=1))
        assert [customers.get(customer_id="a") for _ in range(2)] == [v1, v1]
        assert wallets.get(wallet_id="w") == w1  # stored by the write itself
        fresh_redis.pause(600)
        paused = time.monotonic()
        v2 = customers.update({"customer_id": "a"}, customers.f.name.set("v2"))
        w2 = wallets.update({"wallet_id": "w"}, wallets.f.balance.set(2))
        opened = time.monotonic()  # three failures by now: the breaker is open
        seen = [customers.get(customer_id="a") for _ in range(3)]
        assert db.cache is not None and len(db.cache.pending) == 2
        time.sleep(max(0.0, paused + 0.65 - time.monotonic()))
        for repo, before in ((customers, v1), (wallets, w1)):
            key = {"customer_id": "a"} if repo is customers else {"wallet_id": "w"}
            left = stored(fresh_redis, repo, **key)
            assert left is not None and left.value == before and left.run == run_id(fresh_redis)
        seen += [customers.get(customer_id="a") for _ in range(5)]
        assert wallets.get(wallet_id="w") == w2
        metrics = customers.cache_metrics
        assert metrics is not None
        assert (metrics.bypasses, metrics.breaker) == (8, "open")
        old = stored(fresh_redis, customers, customer_id="a")
        assert old is not None and old.value == v1  # still there, never served
        time.sleep(max(0.0, opened + 2.05 - time.monotonic()))
        seen += [customers.get(customer_id="a") for _ in range(3)]
        assert seen == [v2] * 11
        assert wallets.get(wallet_id="w") == w2
        assert len(db.cache.pending) == 0
        now = stored(fresh_redis, customers, customer_id="a")
        assert now is not None and now.value == v2
        after = customers.cache_metrics
        assert after is not None
        assert (after.hits - metrics.hits, after.fills, after.breaker) == (2, 2, "closed")


def test_a_pending_key_bypasses_a_redis_that_answers_with_the_old_value(
    fresh_redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The breaker never opens here, and retries of pending invalidations are slowed to one
    a second (RETRY_EVERY, a setting of the real module): after the pause Redis answers
    again and holds v1 with its own run id, a value the cache would trust. The get still
    returns v2, because the key is pending; the next retry delivers the DEL and v2 is
    cached."""
    monkeypatch.setattr("modelkit.cache._pending.RETRY_EVERY", 1.0)
    with moto_cached(fresh_redis, breaker_failures=10_000) as db:
        customers = db.repo(Customer)
        assert db.cache is not None
        v1 = customers.put(Customer(customer_id="a", email="a@x", name="v1"))
        assert customers.get(customer_id="a") == v1
        fresh_redis.pause(300)
        paused = time.monotonic()
        v2 = customers.update({"customer_id": "a"}, customers.f.name.set("v2"))
        assert customers.get(customer_id="a") == v2  # retried (and failed) here
        retried = time.monotonic()
        time.sleep(max(0.0, paused + 0.35 - time.monotonic()))
        left = stored(fresh_redis, customers, customer_id="a")
        assert left is not None and (left.value, left.run) == (v1, run_id(fresh_redis))
        assert time.monotonic() - retried < 0.9  # no retry since: still pending
        assert [customers.get(customer_id="a") for _ in range(5)] == [v2] * 5
        metrics = customers.cache_metrics
        assert metrics is not None and metrics.bypasses == 6 and metrics.hits == 0
        time.sleep(max(0.0, retried + 1.05 - time.monotonic()))
        assert [customers.get(customer_id="a") for _ in range(3)] == [v2] * 3
        assert len(db.cache.pending) == 0
        after = customers.cache_metrics
        assert after is not None and (after.bypasses, after.hits) == (6, 2)


def test_a_delete_while_redis_is_stopped_stays_deleted(fresh_redis: RedisServer) -> None:
    with moto_cached(fresh_redis, breaker_reset=0.2) as db:
        customers = db.repo(Customer)
        alice = customers.put(Customer(customer_id="a", email="a@x", name="Alice"))
        assert customers.get(customer_id="a") == alice
        fresh_redis.stop()
        assert customers.delete(customer_id="a") == alice
        assert db.cache is not None and len(db.cache.pending) == 1
        assert [customers.get(customer_id="a") for _ in range(3)] == [None] * 3
        fresh_redis.start()
        time.sleep(0.25)
        assert [customers.get(customer_id="a") for _ in range(3)] == [None] * 3
        assert len(db.cache.pending) == 0
        metrics = customers.cache_metrics
        assert metrics is not None
        assert (metrics.negative_hits, metrics.breaker) == (2, "closed")  # "none" cached


def test_a_later_invalidation_clears_only_entries_older_than_itself(
    fresh_redis: RedisServer,
) -> None:
    """An invalidation that started before a failed one was recorded (its sequence number
    is lower) does not clear it; a retry deletes the keys in Redis and then clears it."""
    with moto_cached(fresh_redis) as db:
        assert db.cache is not None
        pending = db.cache.pending
        admin = fresh_redis.client()
        admin.set("v", b"old", px=60_000)
        admin.set("l", b"lease", px=60_000)
        upto = pending.mark()
        pending.add((b"v", b"l"))
        pending.clear(b"v", upto)
        assert b"v" in pending
        pending.clear(b"v", pending.mark())
        assert b"v" not in pending
        pending.add((b"v", b"l"))
        pending.retry()
        assert (b"v" in pending, admin.exists("v", "l")) == (False, 0)


def test_a_commit_sent_during_a_pause_never_stores(fresh_redis: RedisServer) -> None:
    """A fill takes its lease, then Redis is paused for 300 ms and the item changes in
    DynamoDB (a write the cache never hears of). The fill's COMMIT is sent during the pause
    and times out. Redis reads the command and postpones it (CLIENT PAUSE holds commands,
    not connections); the client closes the connection on its timeout, and Redis, seeing it
    closed, frees the client together with its postponed command: the store never runs
    (its lease is still there afterwards, untouched). The next get reads DynamoDB."""
    with moto_cached(fresh_redis) as db:
        customers = db.repo(Customer)
        assert customers.cache is not None
        v1 = customers.put(Customer(customer_id="a", email="a@x", name="v1"))
        ref = customers.cache.ref(customers.shape.key({"customer_id": "a"}))
        fill = customers.cache.begin_fill(ref)
        assert fill is not None and fill.state == "leased"
        fresh_redis.pause(300)
        paused = time.monotonic()
        writer = uncached(db).repo(Customer)
        v2 = writer.update({"customer_id": "a"}, writer.f.name.set("v2"))
        assert customers.cache.commit_fill(fill, v1) is False
        assert time.monotonic() - paused < 0.25
        time.sleep(max(0.0, paused + 0.35 - time.monotonic()))
        admin = fresh_redis.client()
        assert (admin.get(ref.value), admin.get(ref.lease)) == (None, fill.token)
        assert customers.get(customer_id="a") == v2
        metrics = customers.cache_metrics
        assert metrics is not None and metrics.errors >= 1 and metrics.fills == 0


def test_a_commit_delivered_after_its_deadline_is_refused(fresh_redis: RedisServer) -> None:
    """The same store, sent during a 300 ms pause on a connection that waits the pause out:
    it runs when the pause ends, past the deadline the fill gave it (server time at the
    lease + elapsed + the client's timeout), and is refused with -1 (lease dropped, nothing
    stored)."""
    with moto_cached(fresh_redis) as db:
        customers = db.repo(Customer)
        cache = customers.cache
        assert cache is not None
        v1 = customers.put(Customer(customer_id="a", email="a@x", name="v1"))
        ref = cache.ref(customers.shape.key({"customer_id": "a"}))
        fill = cache.begin_fill(ref)
        assert fill is not None and fill.state == "leased"
        patient = fresh_redis.client(socket_timeout=5.0)
        patient.ping()
        fresh_redis.pause(300)
        deadline = cache.cache.deadline(int(fill.begun.value[1]), fill.started)
        data = cache.codec.encode(fill.begun.run_id, time.time() + 60, 0.0, v1)
        command = COMMIT_FILL.command((ref.value, ref.lease), (fill.token, data, "60000", deadline))
        started = time.monotonic()
        reply = patient.execute_command("EVAL", COMMIT_FILL.source, *command[2:])
        assert time.monotonic() - started >= 0.2  # it ran when the pause ended
        assert reply == -1
        assert patient.exists(ref.value, ref.lease) == 0


def test_a_commit_delivered_late_by_a_sleeping_server_is_refused() -> None:
    """DEBUG SLEEP 0.4 s blocks the server while a fill's COMMIT goes out on its open
    connection: the client gives up after 50 ms, but the bytes are already in the socket,
    so the server runs the script when it wakes (before it notices the closed connection),
    past the deadline: it drops the lease and stores nothing."""
    with redis_process("--enable-debug-command", "yes") as server, moto_cached(server) as db:
        customers = db.repo(Customer)
        cache = customers.cache
        assert cache is not None
        customers.put(Customer(customer_id="warm", email="w@x", name="w"))
        assert customers.get(customer_id="warm") is not None  # loads the fill scripts
        v1 = customers.put(Customer(customer_id="a", email="a@x", name="v1"))
        ref = cache.ref(customers.shape.key({"customer_id": "a"}))
        fill = cache.begin_fill(ref)
        assert fill is not None and fill.state == "leased"
        admin = server.client()
        assert admin.get(ref.lease) == fill.token
        with asleep(server, 0.4) as sleeper:
            assert cache.commit_fill(fill, v1) is False
            assert sleeper.is_alive()
        assert admin.exists(ref.value, ref.lease) == 0
        assert customers.get(customer_id="a") == v1
