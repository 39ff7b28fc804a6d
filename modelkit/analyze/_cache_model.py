"""What a cache in front of one read pattern serves: at the peak, over the day, and on the
hottest key.

The cache holds items for ``get`` and ``batch_get`` patterns and query pages (one per
partition key value) for queries; an item is named by its partition and sort key values,
whose spreads the workload gives field by field (taken as independent), so an item's share
is ``p_pk * p_sk``. Every write to the entity (``put``, ``update``, ``delete``, and each
item a ``transaction`` writes) deletes an entry; writes spread over the values like the
reads. Hit ratios come from :mod:`modelkit.analyze._hit_ratio`, at the rates of the moment:
the peak for the peak figures, each hour of the profiles for the daily average.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from modelkit.analyze._contributions import Contribution, PatternPlan
from modelkit.analyze._hit_ratio import characteristic_time, hit_ratio, value_hit_ratio
from modelkit.analyze._spectrum import Bin, Spectrum, product
from modelkit.schema import PRIMARY, CachePolicy, TableDesign

#: The grid ratio of an item spectrum's tail (see :func:`cached_values`).
ITEM_GRID = 1.05
#: A write stream: writes/s at its peak and its daily profile (None: flat).
WriteStream = tuple[float, tuple[float, ...] | None]


@dataclass(frozen=True, slots=True)
class CacheFigures:
    """``hit_ratio``: at the peak; ``daily_hit_ratio``: of the day's reads;
    ``saved_peak`` / ``saved_average``: read units/s saved at the peak and on the daily
    average; ``hot`` / ``hot_after``: the hottest partition key value's read units/s at the
    peak, without and with the cache."""

    hit_ratio: float
    daily_hit_ratio: float
    saved_peak: float
    saved_average: float
    hot: float
    hot_after: float


def own_contribution(design: TableDesign, plan: PatternPlan) -> Contribution:
    """The pattern's load on the index it names (an LSI's on the table): the key the cache
    entry is named by."""
    index = design.index(plan.pattern.index)
    physical = PRIMARY if index.kind == "lsi" else index.name
    own = [c for c in plan.contributions if c.index == physical]
    return max(own or plan.contributions, key=lambda c: c.read)


def cached_values(plan: PatternPlan, own: Contribution, items: float = 0.0) -> Spectrum:
    """The spread of the requests over the cache's entries: query pages by partition key
    value; items by partition and sort key values, ``pk x sk`` taken as independent unless
    that makes more values than the entity's ``items`` (then the fields are not independent,
    as when a user id names the user whatever its tenant: the key field whose count of
    values is nearest ``items``, by ratio, names the items). Item tails are grouped on a grid
    of ratio 1.05 in ``p``: the hit ratio moves by under 10^-4, at a fifth of the cost of
    1.02."""
    if plan.pattern.op == "query" or own.sort is None:
        return own.spectrum
    joint = _items(own.spectrum, own.sort)
    if items <= 0 or joint.values <= items * (1 + 1e-9) or not own.fields:
        return joint
    return min(own.fields, key=lambda f: (abs(math.log(f.values / items)), -f.values))


@lru_cache(maxsize=64)
def _items(pk: Spectrum, sk: Spectrum) -> Spectrum:
    return product(pk, sk, ratio=ITEM_GRID)


def write_streams(plans: Sequence[PatternPlan], entity: str) -> list[WriteStream]:
    """Writes/s to ``entity``'s items by pattern, with their profiles: each deletes the
    cached entry of the item it writes."""
    streams: list[WriteStream] = []
    for plan in plans:
        pattern, load = plan.pattern, plan.load
        if entity not in pattern.entities:
            continue
        if pattern.op in ("put", "update", "delete"):
            streams.append((load.rate, load.profile))
        elif pattern.op == "transaction":
            count = load.items.get(entity, 1) if isinstance(load.items, dict) else 1
            streams.append((load.rate * count, load.profile))
    return streams


def cache_figures(
    plan: PatternPlan,
    own: Contribution,
    units: float,
    policy: CachePolicy,
    capacity: float | None,
    writes: Sequence[WriteStream],
    items: float = 0.0,
) -> CacheFigures:
    """The figures of ``policy`` in front of ``plan`` (``units`` read units a request;
    ``capacity``: entries the cache's memory holds, None when unbounded; ``items``: the
    entity's items, 0 when unknown)."""
    rate, profile = plan.load.rate, plan.load.profile
    spec = cached_values(plan, own, items)

    def ratio(reads: float, written: float) -> float:
        return hit_ratio(
            spec, reads, policy.ttl, capacity=capacity, writes=written, jitter=policy.jitter
        )

    peak_writes = math.fsum(w for w, _ in writes)
    peak = ratio(rate, peak_writes)
    hours = _hours(profile, writes)
    if hours is None:
        daily = peak
    else:
        found: dict[tuple[float, float], float] = {}
        saved = read = 0.0
        for multiplier, written in hours:
            if (multiplier, written) not in found:
                found[multiplier, written] = ratio(rate * multiplier, written)
            saved += multiplier * found[multiplier, written]
            read += multiplier
        daily = saved / read if read else 0.0
    average = units * rate * (sum(profile) / len(profile) if profile else 1.0)
    hot = own.read * own.spectrum.top
    return CacheFigures(
        hit_ratio=peak,
        daily_hit_ratio=daily,
        saved_peak=units * rate * peak,
        saved_average=average * daily,
        hot=hot,
        hot_after=hot * _top_miss(plan, own, spec, policy, capacity, peak_writes),
    )


def _hours(
    profile: tuple[float, ...] | None, writes: Sequence[WriteStream]
) -> list[tuple[float, float]] | None:
    """(read multiplier, writes/s) for each hour of the day; None when nothing has a profile."""
    if profile is None and all(p is None for _, p in writes):
        return None
    return [
        (
            profile[hour] if profile else 1.0,
            math.fsum(w * (p[hour] if p else 1.0) for w, p in writes),
        )
        for hour in range(24)
    ]


def _top_miss(
    plan: PatternPlan,
    own: Contribution,
    spec: Spectrum,
    policy: CachePolicy,
    capacity: float | None,
    writes: float,
) -> float:
    """The share of the hottest partition key value's reads that miss at the peak: the same
    per-value hit ratio as the whole (TTL, jitter, memory, writes at the value's own rate),
    over the items of that value when the cache holds items."""
    rate, top = plan.load.rate, own.spectrum.top
    t_c = (
        math.inf
        if capacity is None
        else characteristic_time(
            spec, rate, policy.ttl, capacity, writes=writes, jitter=policy.jitter
        )
    )
    items = (Bin(1.0, 1.0),) if plan.pattern.op == "query" or own.sort is None else own.sort.bins
    misses = 0.0
    for b in items:
        lam, w = rate * top * b.p, writes * top * b.p
        misses += b.count * b.p * (1.0 - value_hit_ratio(lam, policy.ttl, t_c, w, policy.jitter))
    return misses
