"""The deployment the cache machine runs against: a table of its own on the user's DynamoDB
endpoint, and key prefixes of its own on the user's Redis, both removed afterwards."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from modelkit.cache import RedisCache, open_client
from modelkit.dynamo import Database, DynamoClient, StreamInvalidator, connect, deploy
from modelkit.schema import OnDemand, TableDesign
from modelkit.testing._outage import SwitchedTransport, switched_cache

ADMIN_TIMEOUT = 5.0
"""Timeout of the machine's own Redis commands (removing its keys, evicting values)."""


READS = frozenset({"GetItem", "BatchGetItem", "Query"})


class SlowReads(DynamoClient):
    """A process's DynamoDB client, whose reads reach it ``delay`` seconds late (the read
    happened at DynamoDB on time; the process goes on later), to widen races."""

    def __init__(self, inner: DynamoClient) -> None:  # shares inner's connection
        self.inner = inner
        self.endpoint = inner.endpoint
        self.region = inner.region
        self.delay = 0.0

    def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        response = self.inner.call(operation, request)
        if self.delay and operation in READS:
            time.sleep(self.delay)
        return response


class Process:
    """One application process: its repositories on a client whose reads can be slowed
    down, its cache (whose link to Redis can be cut) and its stream consumer."""

    def __init__(
        self,
        name: str,
        db: Database,
        client: SlowReads,
        cache: RedisCache,
        switch: SwitchedTransport,
    ) -> None:
        self.name = name
        self.db = db
        self.client = client
        self.cache = cache
        self.switch = switch
        self.invalidator: StreamInvalidator = db.stream_invalidator()

    def pending(self, entity: str, key: dict[str, Any]) -> bool:
        """Whether an invalidation of the item is pending in this process."""
        cache = self.db[entity].cache
        return cache is not None and cache.ref(key).value in self.cache.pending

    def close(self) -> None:
        self.cache.close()


class Deployment:
    """A fresh table named after ``design`` (on demand, without stream or replicas: the
    machine delivers stream records itself) and the Redis at ``redis_url``."""

    def __init__(
        self,
        design: TableDesign,
        client: DynamoClient,
        redis_url: str,
        *,
        timeout: float,
        cache_options: dict[str, Any],
    ) -> None:
        self.table = f"{design.name}-mkcheck-{uuid.uuid4().hex[:8]}"
        self.design = msgspec.structs.replace(
            design, name=self.table, stream=None, replicas=(), billing=OnDemand()
        )
        self.client = client
        self.redis_url = redis_url
        self.timeout = timeout
        self.cache_options = cache_options
        deploy(self.design, client)
        self.truth = connect(self.design, dynamodb=client)
        probe = RedisCache(redis_url, timeout=ADMIN_TIMEOUT)
        self.cluster = probe.transport.cluster
        probe.close()
        self.admin = open_client(redis_url, cluster=self.cluster, timeout=ADMIN_TIMEOUT)

    def processes(self, prefix: str, names: tuple[str, ...]) -> list[Process]:
        """Processes sharing the keys under ``prefix``."""
        made = []
        for name in names:
            cache, switch = switched_cache(
                self.redis_url, prefix=prefix, timeout=self.timeout, **self.cache_options
            )
            client = SlowReads(self.client)
            db = connect(self.design, dynamodb=client, cache=cache)
            made.append(Process(name, db, client, cache, switch))
        return made

    def keys(self, prefix: str) -> list[bytes]:
        """Every Redis key under ``prefix``."""
        return list(self.admin.scan_iter(match=f"{prefix}:*", count=1000))

    def drop(self, keys: list[bytes]) -> None:
        for key in keys:
            self.admin.delete(key)

    def close(self, *, keep_table: bool = False) -> None:
        """Delete the table (unless ``keep_table``) and close the Redis client."""
        try:
            if not keep_table:
                self.client.call("DeleteTable", {"TableName": self.table})
        finally:
            self.admin.close()
