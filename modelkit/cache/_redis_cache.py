"""RedisCache: the Redis deployment (one server or a cluster) that repositories cache in."""

from __future__ import annotations

import time
from typing import Any

import redis
from redis.cluster import RedisCluster

from modelkit.cache._connection import RunIdAware, open_client
from modelkit.cache._entity_cache import EntityCache
from modelkit.cache._metrics import CacheMetrics
from modelkit.cache._naming import fingerprint
from modelkit.cache._pending import PendingInvalidations
from modelkit.cache._query_cache import QueryCache
from modelkit.cache._query_scripts import ALL as QUERY_SCRIPTS
from modelkit.cache._scripts import ALL
from modelkit.cache._transport import Transport
from modelkit.schema import CachePolicy, EntityDesign, TableDesign

DEFAULT_TIMEOUT = 0.01


class RedisCache:
    """Where the repositories cache: ``RedisCache("redis://host:6379")``.

    Every call gives up after ``timeout`` seconds (10 ms by default) without retrying, and
    the read or write goes on against DynamoDB alone. After ``breaker_failures`` failures in
    a row a node is left alone for ``breaker_reset`` seconds, then probed. ``cluster=None``
    asks the server whether it runs in cluster mode. Keys start with ``prefix``. A query page
    read from a GSI less than ``index_settle`` seconds after a write to its partition is not
    stored (GSIs are updated asynchronously).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: redis.Redis | RedisCluster | None = None,
        cluster: bool | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        prefix: str = "mk",
        breaker_failures: int = 3,
        breaker_reset: float = 1.0,
        index_settle: float = 1.0,
        **options: Any,
    ) -> None:
        if (url is None) == (client is None):
            raise ValueError("give RedisCache a url or a client made by modelkit.cache.open_client")
        if not timeout > 0:
            raise ValueError(f"timeout must be more than 0 seconds, got {timeout!r}")
        if client is None:
            assert url is not None
            client = open_client(url, cluster=cluster, timeout=timeout, **options)
        _check_client(client)
        self.url = url
        self.prefix = prefix
        self.timeout = timeout
        self.transport = Transport(
            client, breaker_failures=breaker_failures, breaker_reset=breaker_reset
        )
        for script in (*ALL, *QUERY_SCRIPTS):
            self.transport.register(script)
        self.pending = PendingInvalidations(self.transport)
        self.index_settle = index_settle
        self._entities: dict[tuple[str, str, str, CachePolicy], EntityCache[Any]] = {}
        self._queries: dict[str, QueryCache] = {}

    def __repr__(self) -> str:
        kind = "cluster" if self.transport.cluster else "server"
        return f"<RedisCache {kind} {self.url or ''}>"

    @property
    def client(self) -> redis.Redis | RedisCluster:
        """The underlying redis-py client (millisecond timeouts, no retries)."""
        return self.transport.client

    def entity(self, design: TableDesign, entity: EntityDesign, table: str) -> EntityCache[Any]:
        """The cache of ``entity`` in table ``table`` (made once, then shared)."""
        key = (table, entity.name, fingerprint(entity), entity.cache)
        found = self._entities.get(key)
        if found is None:
            found = self._entities.setdefault(
                key, EntityCache(self, table, entity, design.pk, design.sk)
            )
        return found

    def queries(self, table: str) -> QueryCache:
        """The cached query pages of table ``table``."""
        found = self._queries.get(table)
        if found is None:
            found = self._queries.setdefault(table, QueryCache(self, table, self.index_settle))
        return found

    def metrics(self) -> dict[str, CacheMetrics]:
        """Counters of every cached entity, by entity name."""
        return {key[1]: cache.metrics() for key, cache in self._entities.items()}

    def deadline(self, server_ms: int, started: float) -> str:
        """The latest server time (ms) at which a store begun at ``server_ms`` (local
        monotonic ``started``) may still land: later, its sender has given up on it."""
        elapsed = time.monotonic() - started
        return str(server_ms + int((elapsed + self.timeout) * 1000) + 1)

    def close(self) -> None:
        self.transport.close()


def _check_client(client: redis.Redis | RedisCluster) -> None:
    if isinstance(client, RedisCluster):
        cls = client.nodes_manager.connection_kwargs.get("connection_class")
    else:
        cls = client.connection_pool.connection_class
    if not (isinstance(cls, type) and issubclass(cls, RunIdAware)):
        raise ValueError(
            "the cache needs a client made by modelkit.cache.open_client (its connections "
            "know which server process answered)"
        )
