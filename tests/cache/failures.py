"""Helpers of the failure tests: the shared design on moto in-process, cached in a
redis-server of the test's own (to stop, pause, restart, put to sleep or starve of memory),
and ways to look at what that server holds."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import redis
from moto import mock_aws
from redis.backoff import NoBackoff
from redis.retry import Retry

from modelkit.cache import RedisCache
from modelkit.cache._envelope import Envelope
from modelkit.dynamo import Database, Repository, connect, deploy
from tests.cache.designs import design
from tests.redis_services import RedisServer

R = TypeVar("R")


@contextmanager
def redis_process(*options: str) -> Iterator[RedisServer]:
    """A redis-server started with extra ``options``, closed (and its files removed) after."""
    server = RedisServer(options=options).start()
    try:
        yield server
    finally:
        server.close()


@contextmanager
def moto_cached(
    server: RedisServer,
    *,
    timeout: float = 0.05,
    breaker_failures: int = 3,
    breaker_reset: float = 1.0,
) -> Iterator[Database]:
    """The shared design deployed on moto in-process, cached in ``server`` by a RedisCache
    with these settings (needs the ``aws_env`` fixture). The timeout is 50 ms unless a test
    measures latency: the machine is busy, and a spurious timeout would upset the counts."""
    cache = RedisCache(
        server.url,
        timeout=timeout,
        breaker_failures=breaker_failures,
        breaker_reset=breaker_reset,
    )
    try:
        with mock_aws():
            db = connect(design, cache=cache)
            deploy(design, db.client)
            yield db
    finally:
        cache.close()


def uncached(db: Database) -> Database:
    """The same table without a cache: writes the cache never hears of (call inside the
    ``moto_cached`` block)."""
    return connect(db.design, dynamodb=db.client)


def stored(server: RedisServer, repo: Repository[Any], **key: Any) -> Envelope[Any] | None:
    """The envelope Redis holds for the item ``key`` of ``repo`` (None when there is none)."""
    assert repo.cache is not None
    ref = repo.cache.ref(repo.shape.key(key))
    data = server.client().get(ref.value)
    if data is None:
        return None
    assert isinstance(data, bytes)
    return repo.cache.codec.decode(data)


def run_id(server: RedisServer) -> bytes:
    """The run id of the server's current process."""
    return str(server.client().info("server")["run_id"]).encode()


def timed(call: Callable[[], R]) -> tuple[R, float]:
    """``call()`` and the seconds it took."""
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


@contextmanager
def asleep(server: RedisServer, seconds: float) -> Iterator[threading.Thread]:
    """Blocks the server for ``seconds`` with ``DEBUG SLEEP`` sent on a connection of its own
    (the server must run with ``--enable-debug-command yes``); yields the sending thread
    once a probe's PING goes unanswered (the server is asleep), and waits for it at the
    end."""
    client = server.client()
    client.ping()
    probe = server.client(socket_timeout=0.1, retry=Retry(NoBackoff(), 0))
    probe.ping()
    thread = threading.Thread(
        target=lambda: client.execute_command("DEBUG", "SLEEP", str(seconds)), daemon=True
    )
    thread.start()
    try:
        while True:
            try:
                probe.ping()
            except redis.TimeoutError:
                break
            time.sleep(0.005)
        yield thread
    finally:
        thread.join(10)
