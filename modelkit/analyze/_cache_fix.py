"""Caching as a fix: the hit ratio an entity's cache policy reaches under the workload's key
distribution, and the read units and dollars it saves.

Reads of one item (gets; queries when the policy caches queries) are served from Redis for
``ttl`` seconds after a miss fills the entry; the hit ratio per value follows a TTL cache with
Poisson requests (and LRU eviction when the workload gives the cache's memory), computed by
:func:`modelkit.analyze._hit_ratio.hit_ratio`. An entity without a policy is shown what the
default policy (300 s) would do where its reads are hot or costly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from modelkit.analyze._capacity import READ_LIMIT
from modelkit.analyze._contributions import PatternPlan
from modelkit.analyze._entity_sizes import EntitySize
from modelkit.analyze._fixes import read_dollars
from modelkit.analyze._hit_ratio import hit_ratio
from modelkit.analyze._prices import Prices
from modelkit.analyze._report import Fix
from modelkit.analyze._workload import Workload, profile_mean
from modelkit.schema import CachePolicy, TableDesign

DEFAULT_POLICY = CachePolicy()
#: An uncached pattern is worth a cache fix above this share of a partition's read limit, or
#: this many dollars a month of reads.
HOT_SHARE = 0.25
COSTLY_DOLLARS = 50.0
#: A cache fix saving less than this a month, on a key that is not hot, is not shown.
MIN_DOLLARS = 1.0


def cache_fixes(
    design: TableDesign,
    workload: Workload,
    plans: Sequence[PatternPlan],
    sizes: dict[str, EntitySize],
    prices: Prices,
) -> list[Fix]:
    fixes = []
    for plan in plans:
        pattern = plan.pattern
        if pattern.op not in ("get", "query", "batch_get") or not plan.contributions:
            continue
        entity = design.entity(pattern.entities[0])
        policy = entity.cache
        cached = policy.mode != "off" and (pattern.op != "query" or policy.cache_queries)
        main = max(plan.contributions, key=lambda c: c.read)
        units = sum(plan.units.read.values())
        load = plan.load
        average = units * load.rate * profile_mean(load.profile)
        hot = main.read * main.spectrum.top
        if (
            not cached
            and hot < HOT_SHARE * READ_LIMIT
            and (read_dollars(average, prices) < COSTLY_DOLLARS)
        ):
            continue
        chosen = policy if cached else DEFAULT_POLICY
        capacity = None
        if workload.cache.size_mb:
            capacity = workload.cache.size_mb * 2**20 / max(1.0, sizes[entity.name].item_bytes)
        writes = _write_rate(plans, entity.name)
        ratio = hit_ratio(
            main.spectrum,
            load.rate,
            chosen.ttl,
            capacity=capacity,
            writes=writes,
            jitter=chosen.jitter,
        )
        top_rate = load.rate * main.spectrum.top
        top_ratio = top_rate * chosen.ttl / (1 + top_rate * chosen.ttl)
        saved = units * load.rate * ratio
        dollars = read_dollars(average * ratio, prices)
        if dollars < MIN_DOLLARS and hot < HOT_SHARE * READ_LIMIT:
            continue
        queries = " caching queries (cache_queries=True)" if pattern.op == "query" else ""
        how = (
            f"its {chosen.mode} policy (TTL {chosen.ttl:g} s)"
            if cached
            else f"a cache-aside policy{queries} with a {chosen.ttl:g} s TTL"
        )
        cooled = (
            f"; the hottest key drops from {hot:,.3g} to {hot * (1 - top_ratio):,.3g} read units/s"
            if hot >= 1
            else ""
        )
        fixes.append(
            Fix(
                kind="cache",
                target=pattern.name,
                summary=(
                    f"{pattern.name}: {how} serves {ratio:.1%} of reads from Redis, saving "
                    f"{saved:,.1f} read units/s at peak (${dollars:,.2f}/month){cooled}"
                ),
                figures={
                    "hit_ratio": ratio,
                    "ttl": chosen.ttl,
                    "read_units_saved": saved,
                    "dollars_month": dollars,
                    "hot_key_read_units": hot,
                    "hot_key_read_units_after": hot * (1 - top_ratio),
                    "cached_already": 1.0 if cached else 0.0,
                },
            )
        )
    return fixes


def _write_rate(plans: Sequence[PatternPlan], entity: str) -> float:
    """Writes/s to ``entity`` at peak: each deletes its cached entry. They are taken to hit
    the values with the reads' popularity (see :mod:`modelkit.analyze._hit_ratio`)."""
    return math.fsum(
        plan.load.rate
        for plan in plans
        if plan.pattern.op in ("put", "update", "delete") and entity in plan.pattern.entities
    )
