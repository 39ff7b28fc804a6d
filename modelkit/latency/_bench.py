"""``run_bench``: the same Zipf workload through a cached and an uncached repository on one
table, on the services given or on ones started for the run."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import msgspec
import redis

from modelkit.cache import RedisCache
from modelkit.dynamo import Database, DynamoClient, connect, connect_dynamodb, deploy
from modelkit.errors import ModelkitError
from modelkit.latency._items import BenchItems, cached_entity, example_items
from modelkit.latency._measure import RunTimes, run, workload
from modelkit.latency._percentiles import summarize
from modelkit.latency._report import BenchReport, ReadUnits
from modelkit.latency._services import Services, start_moto, start_redis
from modelkit.schema import EntityDesign, TableDesign

#: Seconds a cache call may take before the read falls through to DynamoDB: more than the
#: default 10 ms, so that a busy machine does not turn slow answers into misses.
CACHE_TIMEOUT = 0.05
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def run_bench(
    design: TableDesign,
    *,
    schema: str = "",
    entity: str | None = None,
    endpoint_url: str | None = None,
    redis_url: str | None = None,
    requests: int = 500,
    keys: int = 1000,
    zipf: float = 0.99,
    writes: float = 0.05,
    seed: int = 0,
) -> BenchReport:
    """Deploy a table of its own for ``design`` (named ``<table>-bench-<id>``, deleted after),
    load ``keys`` items of ``entity`` (the first cached one by default), then run
    ``requests`` operations (Zipf(``zipf``) keys, a ``writes`` fraction of puts) once through
    an uncached and once through a cached repository. Without ``endpoint_url`` or
    ``redis_url`` it starts moto's server or a redis-server for the run."""
    chosen = cached_entity(design, entity)
    _check(requests, keys, zipf, writes)
    started = time.monotonic()
    with Services() as services:
        if redis_url is None:  # first: it starts in milliseconds, moto in seconds
            redis_url = services.start(start_redis).url
        if endpoint_url is None:
            endpoint_url = services.start(start_moto).url
        names = [s.name for s in services.started]
        table = msgspec.structs.replace(
            design, name=f"{design.name}-bench-{uuid.uuid4().hex[:6]}", stream=None
        )
        client = endpoint_client(endpoint_url)
        cache = _cache(redis_url)
        try:
            deploy(table, client)
            try:
                plain = connect(table, dynamodb=client)
                cached = connect(table, dynamodb=client, cache=cache)
                items = _load(plain, chosen, table, keys)
                operations = workload(requests, len(items.keys), zipf, writes, seed)
                uncached_run = run(plain[chosen.name], operations, items)
                cached_run = run(cached[chosen.name], operations, items)
            finally:
                _drop_table(client, table.name)
        finally:
            _drop_keys(cache)
            cache.close()
    return _report(
        schema, table.name, chosen, endpoint_url, redis_url, names, requests, len(items.keys),
        zipf, writes, uncached_run, cached_run, time.monotonic() - started,
    )  # fmt: skip


def _check(requests: int, keys: int, zipf: float, writes: float) -> None:
    if requests < 1 or keys < 1:
        raise ModelkitError(f"requests and keys must be at least 1, got {requests} and {keys}")
    if not 0.0 <= zipf <= 10.0:
        raise ModelkitError(f"the Zipf exponent must be between 0 and 10, got {zipf:g}")
    if not 0.0 <= writes <= 1.0:
        raise ModelkitError(f"the write fraction must be between 0 and 1, got {writes:g}")


def endpoint_client(endpoint_url: str) -> DynamoClient:
    """A client for the endpoint; a loopback one (moto, dynalite) gets placeholder keys."""
    if urlsplit(endpoint_url).hostname not in LOOPBACK:
        return connect_dynamodb(endpoint_url=endpoint_url)
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    return connect_dynamodb(
        endpoint_url=endpoint_url,
        region=region,
        access_key_id="bench",
        secret_access_key="bench",
    )


def _cache(url: str) -> RedisCache:
    try:
        return RedisCache(url, timeout=CACHE_TIMEOUT, prefix=f"mkbench{uuid.uuid4().hex[:6]}")
    except (ValueError, redis.RedisError) as exc:
        raise ModelkitError(f"Redis at {url}: {exc}") from None


def _load(db: Database, entity: EntityDesign, design: TableDesign, count: int) -> BenchItems:
    items = example_items(design, entity, count)
    repo = db[entity.name]
    if entity.unique_fields:  # batch writes cannot keep unique markers
        items.objects = [repo.put(obj) for obj in items.objects]
    else:
        repo.batch_put(items.objects)
    return items


def _drop_table(client: DynamoClient, name: str) -> None:
    # the run's figures stand without it; a leftover table is the endpoint's to clean
    with contextlib.suppress(ModelkitError):
        client.call("DeleteTable", {"TableName": name})


def _drop_keys(cache: RedisCache) -> None:
    try:
        client: Any = cache.client
        for key in client.scan_iter(match=f"{cache.prefix}:*", count=1000):
            client.delete(key)
    except Exception:
        pass  # the keys expire with their TTLs anyway


def _report(
    schema: str,
    table: str,
    entity: EntityDesign,
    endpoint_url: str,
    redis_url: str,
    started: list[str],
    requests: int,
    keys: int,
    zipf: float,
    writes: float,
    uncached: RunTimes,
    cached: RunTimes,
    seconds: float,
) -> BenchReport:
    served = len(cached.hits) + len(cached.misses)
    per_read = uncached.read_units / len(uncached.reads) if uncached.reads else 0.0
    return BenchReport(
        schema=schema,
        table=table,
        entity=entity.name,
        endpoint=endpoint_url,
        redis=redis_url,
        started=started,
        requests=requests,
        keys=keys,
        zipf=zipf,
        write_fraction=writes,
        reads=len(cached.reads),
        writes=cached.writes,
        hit=summarize(cached.hits),
        miss=summarize(cached.misses),
        uncached=summarize(uncached.reads),
        other=len(cached.other),
        hit_ratio=len(cached.hits) / served if served else 0.0,
        read_units=ReadUnits(
            uncached=uncached.read_units,
            cached=cached.read_units,
            saved=uncached.read_units - cached.read_units,
            per_read=per_read,
        ),
        seconds=seconds,
    )
