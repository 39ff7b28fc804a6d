"""A state machine that checks the repositories and their Redis cache against a deployment of
yours: your DynamoDB endpoint and your Redis (one server or a cluster).

>>> report = run_cache_machine(design, endpoint_url="http://localhost:8000",
...                            redis_url="redis://localhost:6379")   # doctest: +SKIP
>>> report.reads_checked > 0                                          # doctest: +SKIP
True

The machine makes a table of its own (``<table>-mkcheck-<random>``, on demand) and deletes
it afterwards; its Redis keys start with ``mkcheck-`` and are removed after each example.
Two application processes (each its own :class:`~modelkit.cache.RedisCache`) share the
table and the Redis. Hypothesis drives puts, updates, deletes and transactions through either
process,
writes made outside modelkit with their stream records delivered later, Redis evicting keys,
a process's link to Redis cut and restored, and races of writer and reader threads on one
item. Every get, batch get and query page read through a process is compared with the
table's strongly consistent answer; a difference raises ``AssertionError`` with Hypothesis's
shortest sequence of steps that shows it.

Reads that may lawfully be older are not compared (and are counted as exempt): of an item
whose outside write was not delivered yet, whose invalidation is pending in the other
process (its link to Redis was cut), or that the other process wrote within the entity's
``near_ttl``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from modelkit.dynamo import DynamoClient, connect_dynamodb
from modelkit.schema import TableDesign
from modelkit.testing._deployment import Deployment
from modelkit.testing._machine import Options, machine_class

DEFAULT_TIMEOUT = 0.25
"""The processes' Redis timeout: longer than the 10 ms default, so that a slow network to
Redis shows up as few exempt reads (a timed-out invalidation is pending, like an outage)."""


NO_EXPLAIN = tuple(p for p in Phase if p is not Phase.explain)
"""Hypothesis's phases but the explanation of a failure, which traces every line run and
can take many minutes on a Redis Cluster client's start."""


class CacheMachineReport(msgspec.Struct, frozen=True):
    """What a run did: the machine runs (Hypothesis's examples, the ones it discarded
    included), reads compared (``reads_checked``) and lawfully
    older ones not compared (``reads_exempt``), query pages compared, races run and the
    reads made during them, cache hits and misses, and the count of every other event."""

    table: str
    runs: int
    reads_checked: int
    reads_exempt: int
    queries_checked: int
    races: int
    race_reads_checked: int
    hits: int
    misses: int
    counts: dict[str, int]


def run_cache_machine(
    design: TableDesign,
    *,
    redis_url: str,
    endpoint_url: str | None = None,
    dynamodb: DynamoClient | None = None,
    region: str | None = None,
    entities: list[str] | None = None,
    examples: int = 20,
    steps: int = 40,
    timeout: float = DEFAULT_TIMEOUT,
    index_lag: float = 0.0,
    races: bool = True,
    outages: bool = True,
    transactions: bool = True,
    keep_table: bool = False,
    hypothesis_settings: settings | None = None,
    **cache_options: Any,
) -> CacheMachineReport:
    """Run the cache machine (see the module docstring) on ``design``'s cached entities, or
    on ``entities``; raise ``AssertionError`` on a stale read.

    DynamoDB is ``dynamodb``, or the client made for ``endpoint_url`` and ``region``.
    ``timeout`` and ``cache_options`` (``breaker_failures``, ``index_settle``, ...) configure
    each process's :class:`~modelkit.cache.RedisCache`. ``index_lag``: how long a GSI may
    take to show a write (0 for moto and dynalite; a second or two for DynamoDB).
    ``transactions=False`` leaves transactions out, for endpoints without them (dynalite).
    Queries run for every ``get`` and ``query`` pattern of the chosen entities.
    """
    chosen = _entities(design, entities)
    patterns = tuple(
        p
        for p in design.patterns
        if p.op in ("get", "query") and all(name in chosen for name in p.entities)
    )
    options = Options(chosen, patterns, index_lag, races, outages, transactions)
    client = dynamodb or connect_dynamodb(endpoint_url=endpoint_url, region=region)
    deployment = Deployment(design, client, redis_url, timeout=timeout, cache_options=cache_options)
    tally: Counter[str] = Counter()
    try:
        machine = machine_class(deployment, options, tally)
        chosen_settings = hypothesis_settings or settings(
            phases=NO_EXPLAIN,
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        run_state_machine_as_test(machine, settings=chosen_settings)
    finally:
        deployment.close(keep_table=keep_table)
    main = {"runs", "reads checked", "reads exempt", "queries checked", "races"}
    main |= {"race reads checked", "hits", "misses"}
    return CacheMachineReport(
        table=deployment.table,
        runs=tally["runs"],
        reads_checked=tally["reads checked"],
        reads_exempt=tally["reads exempt"],
        queries_checked=tally["queries checked"],
        races=tally["races"],
        race_reads_checked=tally["race reads checked"],
        hits=tally["hits"],
        misses=tally["misses"],
        counts={k: v for k, v in sorted(tally.items()) if k not in main},
    )


def _entities(design: TableDesign, names: list[str] | None) -> tuple[str, ...]:
    cached = [e.name for e in design.entities if e.cache.mode != "off" or e.cache.cache_queries]
    if names is None:
        if not cached:
            raise ValueError(
                f"design {design.name!r} caches no entity: give one a CachePolicy, or name "
                "the entities to run with entities=[...]"
            )
        names = cached
    known = {e.name for e in design.entities}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(
            f"design {design.name!r} has no entity {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(sorted(known))})"
        )
    bare = [n for n in names if design.entity(n).struct is None]
    if bare:
        raise ValueError(f"entities {', '.join(bare)} have no class (a design loaded without code)")
    return tuple(names)
