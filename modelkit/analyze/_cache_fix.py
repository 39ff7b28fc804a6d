"""Caching as a fix: the hit ratio an entity's cache policy reaches under the workload's key
distribution, and the read units and dollars it saves.

Gets and batch gets are served from cached items, queries (when the policy caches them) from
cached pages; :mod:`modelkit.analyze._cache_model` computes the figures. An entity without a
policy is shown what the default policy (300 s) would do where its reads are hot or costly.
"""

from __future__ import annotations

from collections.abc import Sequence

from modelkit.analyze._cache_model import (
    CacheFigures,
    cache_figures,
    own_contribution,
    write_streams,
)
from modelkit.analyze._capacity import READ_LIMIT
from modelkit.analyze._contributions import PatternPlan
from modelkit.analyze._entity_sizes import EntitySize
from modelkit.analyze._fixes import read_dollars
from modelkit.analyze._prices import Prices
from modelkit.analyze._report import Fix
from modelkit.analyze._units import page_items
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
        own = own_contribution(design, plan)
        units = sum(plan.units.read.values())
        load = plan.load
        average = units * load.rate * profile_mean(load.profile)
        hot = own.read * own.spectrum.top
        if (
            not cached
            and hot < HOT_SHARE * READ_LIMIT
            and (read_dollars(average, prices) < COSTLY_DOLLARS)
        ):
            continue
        chosen = policy if cached else DEFAULT_POLICY
        capacity = None
        if workload.cache.size_mb:
            capacity = workload.cache.size_mb * 2**20 / _entry_bytes(plan, sizes)
        figures = cache_figures(
            plan,
            own,
            units,
            chosen,
            capacity,
            write_streams(plans, entity.name),
            sizes[entity.name].items,
        )
        dollars = read_dollars(figures.saved_average, prices)
        if dollars < MIN_DOLLARS and hot < HOT_SHARE * READ_LIMIT:
            continue
        fixes.append(_fix(pattern.name, pattern.op, chosen, cached, figures, dollars))
    return fixes


def _entry_bytes(plan: PatternPlan, sizes: dict[str, EntitySize]) -> float:
    """Bytes of one cached entry: an item, or a query page of its items."""
    names = plan.pattern.entities
    item = sum(sizes[n].item_bytes for n in names) / len(names)
    count = page_items(plan.pattern, plan.load) if plan.pattern.op == "query" else 1
    return max(1.0, item * count)


def _fix(
    name: str,
    op: str,
    chosen: CachePolicy,
    cached: bool,
    figures: CacheFigures,
    dollars: float,
) -> Fix:
    queries = " caching queries (cache_queries=True)" if op == "query" else ""
    how = (
        f"its {chosen.mode} policy (TTL {chosen.ttl:g} s)"
        if cached
        else f"a cache-aside policy{queries} with a {chosen.ttl:g} s TTL"
    )
    hot, after = figures.hot, figures.hot_after
    cooled = (
        f"; the hottest key drops from {hot:,.3g} to {after:,.3g} read units/s" if hot >= 1 else ""
    )
    daily = (
        f" ({figures.daily_hit_ratio:.1%} over the day)"
        if abs(figures.daily_hit_ratio - figures.hit_ratio) >= 0.0005
        else ""
    )
    return Fix(
        kind="cache",
        target=name,
        summary=(
            f"{name}: {how} serves {figures.hit_ratio:.1%} of reads from Redis at peak"
            f"{daily}, saving {figures.saved_peak:,.1f} read units/s at peak "
            f"(${dollars:,.2f}/month){cooled}"
        ),
        figures={
            "hit_ratio": figures.hit_ratio,
            "hit_ratio_daily": figures.daily_hit_ratio,
            "ttl": chosen.ttl,
            "read_units_saved": figures.saved_peak,
            "read_units_saved_average": figures.saved_average,
            "dollars_month": dollars,
            "hot_key_read_units": hot,
            "hot_key_read_units_after": after,
            "cached_already": 1.0 if cached else 0.0,
        },
    )
