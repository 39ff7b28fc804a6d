"""The circuit breaker: its state machine under an injected clock, and the breaker of a
RedisCache in front of a redis-server that is stopped and started again on its port."""

from __future__ import annotations

import threading
import time

import pytest

from modelkit.cache import CircuitBreaker
from tests.cache.designs import Customer
from tests.cache.failures import moto_cached, timed
from tests.redis_services import RedisServer

pytestmark = [pytest.mark.services, pytest.mark.usefixtures("aws_env")]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_the_given_run_of_failures() -> None:
    clock = Clock()
    breaker = CircuitBreaker(3, 1.0, clock)
    breaker.failure()
    breaker.failure()
    assert (breaker.state, breaker.allow(), breaker.opened) == ("closed", True, 0)
    breaker.failure()
    assert (breaker.state, breaker.allow(), breaker.opened) == ("open", False, 1)


def test_a_success_ends_the_run_of_failures() -> None:
    breaker = CircuitBreaker(3, 1.0, Clock())
    for _ in range(5):
        breaker.failure()
        breaker.failure()
        breaker.success()
    assert (breaker.state, breaker.opened) == ("closed", 0)


def test_open_lets_exactly_one_probe_through_after_the_reset_time() -> None:
    clock = Clock()
    breaker = CircuitBreaker(2, 1.0, clock)
    breaker.failure()
    breaker.failure()
    clock.now += 0.999
    assert breaker.allow() is False
    clock.now += 0.001
    assert breaker.allow() is True
    assert breaker.state == "half-open"
    assert [breaker.allow() for _ in range(5)] == [False] * 5  # one probe at a time
    clock.now += 10
    assert breaker.allow() is False  # still waiting for the probe's outcome


def test_a_successful_probe_closes_the_breaker() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 0.5, clock)
    breaker.failure()
    clock.now += 0.5
    assert breaker.allow()
    breaker.success()
    assert (breaker.state, breaker.opened) == ("closed", 1)
    breaker.failure()  # a fresh run: one failure opens it again (failures=1)
    assert (breaker.state, breaker.opened) == ("open", 2)


def test_a_failed_probe_opens_it_again_for_a_full_reset_time() -> None:
    clock = Clock()
    breaker = CircuitBreaker(3, 1.0, clock)
    for _ in range(3):
        breaker.failure()
    clock.now += 1.5
    assert breaker.allow()
    breaker.failure()  # one failure in half-open is enough
    assert (breaker.state, breaker.opened) == ("open", 2)
    clock.now += 0.9
    assert breaker.allow() is False  # timed from the failed probe, not the first opening
    clock.now += 0.1
    assert breaker.allow() is True


def test_only_one_of_many_threads_gets_the_probe() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 1.0, clock)
    breaker.failure()
    clock.now += 1.0
    start = threading.Barrier(8)
    allowed: list[bool] = []

    def ask() -> None:
        start.wait()
        allowed.append(breaker.allow())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(allowed) == [False] * 7 + [True]


@pytest.mark.parametrize(("failures", "reset"), [(0, 1.0), (3, 0.0), (3, -1.0)])
def test_refuses_settings_that_never_open_or_never_close(failures: int, reset: float) -> None:
    with pytest.raises(ValueError, match="failures >= 1 and reset_after > 0"):
        CircuitBreaker(failures, reset)


def test_an_open_breaker_bypasses_redis_without_counting_errors(fresh_redis: RedisServer) -> None:
    """Three failed calls open the breaker; the gets that follow read DynamoDB without
    asking Redis: counted as bypasses, not errors, and fast."""
    with moto_cached(fresh_redis, breaker_reset=5.0) as db:
        repo = db.repo(Customer)
        alice = repo.put(Customer(customer_id="c1", email="a@x", name="Alice"))
        fresh_redis.stop()
        for _ in range(3):
            assert repo.get(customer_id="c1") == alice
        metrics = repo.cache_metrics
        assert metrics is not None
        assert (metrics.errors, metrics.breaker) == (3, "open")
        gets = [timed(lambda: repo.get(customer_id="c1")) for _ in range(10)]
        assert [value for value, _ in gets] == [alice] * 10
        assert max(seconds for _, seconds in gets) < 0.3
        after = repo.cache_metrics
        assert after is not None
        assert (after.errors, after.bypasses, after.breaker) == (3, 10, "open")


def test_an_open_breaker_does_not_connect_to_a_server_that_is_back(
    fresh_redis: RedisServer,
) -> None:
    """While the breaker is open, a server that came back sees no connection from the
    cache (its count of connections received does not move), and gets still read
    DynamoDB."""
    with moto_cached(fresh_redis, breaker_reset=3.0) as db:
        repo = db.repo(Customer)
        alice = repo.put(Customer(customer_id="c1", email="a@x", name="Alice"))
        assert repo.get(customer_id="c1") == alice
        fresh_redis.stop()
        for _ in range(3):
            assert repo.get(customer_id="c1") == alice
        opened = time.monotonic()
        fresh_redis.start()
        admin = fresh_redis.client()
        before = admin.info("stats")["total_connections_received"]
        assert [repo.get(customer_id="c1") for _ in range(10)] == [alice] * 10
        assert admin.info("stats")["total_connections_received"] == before
        assert time.monotonic() - opened < 3.0  # the breaker was open all along
        metrics = repo.cache_metrics
        assert metrics is not None
        assert metrics.breaker == "open"


def test_after_the_reset_time_one_probe_goes_and_a_restart_closes_the_breaker(
    fresh_redis: RedisServer,
) -> None:
    """breaker_reset = 0.2 s: a probe against the stopped server fails and opens the breaker
    again; once the server is started again on its port, the next probe closes it and hits
    resume."""
    with moto_cached(fresh_redis, breaker_reset=0.2) as db:
        repo = db.repo(Customer)
        alice = repo.put(Customer(customer_id="c1", email="a@x", name="Alice"))
        fresh_redis.stop()
        for _ in range(3):
            assert repo.get(customer_id="c1") == alice
        breaker = db.cache.transport.node_for(b"any").breaker if db.cache else None
        assert breaker is not None
        assert (breaker.state, breaker.opened) == ("open", 1)
        time.sleep(0.25)
        assert repo.get(customer_id="c1") == alice  # the probe, refused by the dead port
        assert (breaker.state, breaker.opened) == ("open", 2)
        fresh_redis.start()
        time.sleep(0.25)
        assert repo.get(customer_id="c1") == alice  # the probe: a miss that fills
        assert breaker.state == "closed"
        before = repo.cache_metrics
        assert before is not None
        assert [repo.get(customer_id="c1") for _ in range(3)] == [alice] * 3
        after = repo.cache_metrics
        assert after is not None
        assert (after.hits - before.hits, after.errors - before.errors) == (3, 0)
        assert (after.breaker, after.fills) == ("closed", 1)
