"""Fixtures of the cache tests: real Redis (see ``tests/redis_services.py``) in front of moto
(in-process, or its server) with the shared design of ``designs.py``.

``cache`` is a :class:`RedisCache` on the session's standalone server with a key prefix of
its own, so tests share the server without seeing each other's keys. Its timeout is 1 s
rather than the default 10 ms: these tests count hits and fills exactly on a busy 2-vCPU
machine, where a 10 ms call can time out (and fall through, correctly but uncounted); the
fail-open tests set their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from moto import mock_aws

from modelkit.cache import RedisCache
from modelkit.dynamo import Database, connect, deploy
from tests.cache.designs import design
from tests.cache.helpers import Variant, with_policy
from tests.redis_services import RedisServer, fresh_redis, redis_cluster, redis_server
from tests.services import DUMMY_AWS_ENV

__all__ = ["fresh_redis", "redis_cluster", "redis_server"]
TEST_TIMEOUT = 1.0


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in DUMMY_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def cache(redis_server: RedisServer) -> Iterator[RedisCache]:
    made = RedisCache(redis_server.url, timeout=TEST_TIMEOUT, prefix=f"t{uuid.uuid4().hex[:8]}")
    yield made
    made.close()


@pytest.fixture
def moto_db(aws_env: None, cache: RedisCache) -> Iterator[Database]:
    """The shared design on moto in-process, deployed, cached in ``cache``."""
    with mock_aws():
        db = connect(design, cache=cache)
        deploy(design, db.client)
        yield db


def deployed(url: str, cache: RedisCache | None, *, stream: bool = True) -> Database:
    """The shared design under a fresh table name on the endpoint ``url`` (without its
    stream for dynalite, which has none)."""
    named = msgspec.structs.replace(design, name=f"cache-{uuid.uuid4().hex[:10]}")
    db = connect(named, endpoint_url=url, cache=cache)
    deploy(named if stream else msgspec.structs.replace(named, stream=None), db.client)
    return db


@pytest.fixture
def server_db(aws_env: None, moto_server_url: str, cache: RedisCache) -> Database:
    """The shared design on moto's server (a table of its own), cached in ``cache``."""
    return deployed(moto_server_url, cache)


@pytest.fixture
def dynalite_db(aws_env: None, dynalite_url: str, cache: RedisCache) -> Database:
    """The shared design on dynalite (a table of its own), cached in ``cache``."""
    return deployed(dynalite_url, cache, stream=False)


@pytest.fixture
def variant(redis_server: RedisServer) -> Iterator[Variant]:
    """``variant(db, "Customer", ttl=5)``: ``db``'s table with one policy changed, cached in
    a RedisCache of its own (``prefix`` to share one between two variants, as two processes
    of one deployment would)."""
    made: list[RedisCache] = []

    def make(db: Database, entity: str, prefix: str = "", **changes: Any) -> Database:
        prefix = prefix or f"v{uuid.uuid4().hex[:8]}"
        own = RedisCache(redis_server.url, timeout=TEST_TIMEOUT, prefix=prefix)
        made.append(own)
        design = with_policy(db.design, entity, **changes)
        return connect(design, dynamodb=db.client, table_name=db.table, cache=own)

    yield make
    for own in made:
        own.close()
