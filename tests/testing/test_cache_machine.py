"""``modelkit.testing.run_cache_machine``: the repository-and-cache state machine users run
against their own deployment, run here against moto (its server and in-process), dynalite,
a standalone redis-server and a Redis Cluster, on the shipped schemas and the cache tests'
designs; and shown to fail on deliberately broken caches."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from moto import mock_aws

import modelkit
from modelkit.cache import _entity_cache, _redis_cache
from modelkit.cache._transport import Script
from modelkit.dynamo import StreamInvalidator, Transaction, connect_dynamodb
from modelkit.dynamo._stream_invalidator import InvalidationCounts
from modelkit.errors import TableNotFound
from modelkit.testing import CacheMachineReport, StaleRead, run_cache_machine
from tests.cache.designs import board_design, design
from tests.redis_services import RedisClusterProcesses, RedisServer, redis_cluster, redis_server
from tests.services import DUMMY_AWS_ENV

__all__ = ["redis_cluster", "redis_server"]
ROOT = Path(__file__).resolve().parents[2]
CACHED_SCHEMAS = ["ecommerce", "iot", "leaderboard", "saas", "sessions"]
SEARCH = settings(
    phases=[Phase.explicit, Phase.generate],
    max_examples=40,
    stateful_step_count=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
"""For the broken caches: derandomized, so that every run searches the same examples, and
not shrunk (shrinking a sequence of steps on real services takes minutes)."""


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in DUMMY_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def in_process_moto() -> Iterator[None]:
    with mock_aws():
        yield


def explored(report: CacheMachineReport) -> None:
    """The run compared reads, hit the cache and ran every kind of step it can."""
    assert report.reads_checked > 0 and report.hits > 0 and report.misses > 0
    assert report.runs > 0


@pytest.mark.parametrize("name", CACHED_SCHEMAS)
def test_shipped_schemas_on_moto_server(
    name: str, moto_server_url: str, redis_server: RedisServer
) -> None:
    schema = modelkit.load_design(str(ROOT / "schemas" / f"{name}.py"))
    report = run_cache_machine(
        schema,
        endpoint_url=moto_server_url,
        redis_url=redis_server.url,
        examples=6,
        steps=30,
        races=False,
    )
    explored(report)


def test_cache_designs_with_races_outages_and_streams(
    moto_server_url: str, redis_server: RedisServer
) -> None:
    """Every kind of step happened: races, queries of cached pages, outages with reads
    exempted while an invalidation was pending, outside writes delivered by the stream
    consumer, and transactions."""
    report = run_cache_machine(
        design, endpoint_url=moto_server_url, redis_url=redis_server.url, examples=15, steps=40
    )
    explored(report)
    assert report.races > 0 and report.race_reads_checked >= 6 * report.races
    assert report.queries_checked > 0 and report.reads_exempt > 0
    assert report.counts["links cut"] > 0 and report.counts["stream records delivered"] > 0
    assert report.counts["transactions"] > 0


def test_gsi_pages_on_dynalite_and_a_cluster(
    dynalite_url: str, redis_cluster: RedisClusterProcesses
) -> None:
    report = run_cache_machine(
        board_design,
        endpoint_url=dynalite_url,
        redis_url=redis_cluster.nodes[0].url,
        examples=8,
        steps=30,
        transactions=False,  # dynalite has none
    )
    explored(report)
    assert report.queries_checked > 0


def test_in_process_moto(in_process_moto: None, redis_server: RedisServer) -> None:
    report = run_cache_machine(
        design, dynamodb=connect_dynamodb(), redis_url=redis_server.url, examples=5, steps=30
    )
    explored(report)


def test_table_and_keys_are_removed(moto_server_url: str, redis_server: RedisServer) -> None:
    report = run_cache_machine(
        design, endpoint_url=moto_server_url, redis_url=redis_server.url, examples=2, steps=10
    )
    client = connect_dynamodb(endpoint_url=moto_server_url)
    with pytest.raises(TableNotFound):
        client.call("DescribeTable", {"TableName": report.table})
    assert list(redis_server.client().scan_iter(match="mkcheck-*")) == []


def test_keep_table(moto_server_url: str, redis_server: RedisServer) -> None:
    report = run_cache_machine(
        design,
        endpoint_url=moto_server_url,
        redis_url=redis_server.url,
        examples=2,
        steps=10,
        keep_table=True,
    )
    client = connect_dynamodb(endpoint_url=moto_server_url)
    table = client.call("DescribeTable", {"TableName": report.table})["Table"]
    assert table["TableName"] == report.table
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    scanned = client.call("Scan", {"TableName": report.table})
    assert scanned["Count"] == 0, "the examples' items are deleted"
    client.call("DeleteTable", {"TableName": report.table})


def test_refuses_a_design_without_cached_entities(redis_server: RedisServer) -> None:
    bare = modelkit.load_design(str(ROOT / "schemas" / "ecommerce.py"))
    with pytest.raises(ValueError, match="no entity 'Nope'"):
        run_cache_machine(bare, redis_url=redis_server.url, entities=["Nope"])
    uncached = [e for e in bare.entities if e.cache.mode == "off" and not e.cache.cache_queries]
    assert uncached, "ecommerce has an uncached entity"
    without = type(bare)(**{**_fields(bare), "entities": tuple(uncached)})
    with pytest.raises(ValueError, match="caches no entity"):
        run_cache_machine(without, redis_url=redis_server.url)


def _fields(design_: object) -> dict[str, object]:
    return {f: getattr(design_, f) for f in design_.__struct_fields__}  # type: ignore[attr-defined]


# -- the machine fails on broken caches ----------------------------------------------------


def test_finds_writes_that_leave_the_cached_value(
    monkeypatch: pytest.MonkeyPatch, moto_server_url: str, redis_server: RedisServer
) -> None:
    """A deliberate fault: writes neither drop the cached value before nor after. (Without
    races and outages, whose outcomes depend on timing (breaker resets, retries of pending
    invalidations), so that the search and its replay are the same every run.)"""
    monkeypatch.setattr(_entity_cache.EntityCache, "begin_write", _no_mark)
    monkeypatch.setattr(_entity_cache.EntityCache, "end_write", lambda *a, **k: None)
    with pytest.raises(StaleRead, match="read a stale"):
        run_cache_machine(
            design,
            endpoint_url=moto_server_url,
            redis_url=redis_server.url,
            races=False,
            outages=False,
            hypothesis_settings=SEARCH,
        )


def _no_mark(self: _entity_cache.EntityCache[object], keys: list[object]) -> object:
    return _entity_cache.WriteTicket(b"w", [self.ref(k) for k in keys])


def test_finds_a_stream_consumer_that_drops_records(
    monkeypatch: pytest.MonkeyPatch, moto_server_url: str, redis_server: RedisServer
) -> None:
    """A deliberate fault: the stream consumer reads records but invalidates nothing."""
    monkeypatch.setattr(StreamInvalidator, "handle", lambda self, records: InvalidationCounts())
    with pytest.raises(StaleRead, match="read a stale"):
        run_cache_machine(
            design,
            endpoint_url=moto_server_url,
            redis_url=redis_server.url,
            entities=["Customer"],
            races=False,
            outages=False,
            hypothesis_settings=SEARCH,
        )


BROKEN_COMMIT = Script(
    """#!lua
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('DEL', KEYS[2])
return 1
"""
)
"""A deliberate fault: COMMIT_FILL without its lease check."""


def test_races_find_a_commit_without_its_lease_check(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    moto_server_url: str,
    redis_server: RedisServer,
) -> None:
    """A deliberate fault that only concurrency shows: a fill stores what it read even
    though a write came between its read and its store. The races find it; as their outcome
    depends on timing, Hypothesis may not replay it and report a flaky test instead, so the
    stale read is looked for in the log, where the machine writes it as it finds it."""
    monkeypatch.setattr(_entity_cache, "COMMIT_FILL", BROKEN_COMMIT)
    monkeypatch.setattr(_redis_cache, "ALL", (*_redis_cache.ALL, BROKEN_COMMIT))
    with (
        caplog.at_level(logging.ERROR, logger="modelkit.testing"),
        pytest.raises((StaleRead, Flaky)),
    ):
        run_cache_machine(
            design,
            endpoint_url=moto_server_url,
            redis_url=redis_server.url,
            entities=["Customer"],
            outages=False,
            hypothesis_settings=SEARCH,
        )
    assert any("stale" in r.getMessage() for r in caplog.records)


def test_finds_transactions_that_do_not_invalidate(
    monkeypatch: pytest.MonkeyPatch, moto_server_url: str, redis_server: RedisServer
) -> None:
    """A deliberate fault: transactions neither mark their cached items nor make their
    query pages stale."""
    monkeypatch.setattr(Transaction, "_mark_cached", lambda self: [])
    monkeypatch.setattr(Transaction, "_invalidate_queries", lambda self: None)
    with pytest.raises(StaleRead, match="stale"):
        run_cache_machine(
            design,
            endpoint_url=moto_server_url,
            redis_url=redis_server.url,
            races=False,
            outages=False,
            hypothesis_settings=SEARCH,
        )
