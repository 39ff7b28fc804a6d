"""Fixes with numbers: write sharding and its read fan-out, a status moved into the sort key,
a sparse index, capacity and billing. Caching is in :mod:`modelkit.analyze._cache_fix`.

Write sharding follows DG bp-partition-key-sharding (REFERENCE.md, "Write sharding"): N
shards at 80% of the per-partition write limit each; reading a logical key then takes N
requests, each at least half a read unit (eventual), even when a shard is empty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from modelkit.analyze._capacity import WRITE_LIMIT
from modelkit.analyze._contributions import TIME_ORDERED, PatternPlan
from modelkit.analyze._cost import on_demand_cost
from modelkit.analyze._index_analysis import IndexAnalysis, key_text
from modelkit.analyze._partitions import KeyLoad
from modelkit.analyze._prices import Prices
from modelkit.analyze._report import CostReport, Fix
from modelkit.analyze._units import read_factor

SHARD_TARGET = 0.8
LOW_CARDINALITY = 100


def read_dollars(units_per_s: float, prices: Prices) -> float:
    """On-demand USD per month of a steady read load."""
    return on_demand_cost(units_per_s, 0.0, 0.0, prices).reads


def write_dollars(units_per_s: float, prices: Prices) -> float:
    """On-demand USD per month of a steady write load."""
    return on_demand_cost(0.0, units_per_s, 0.0, prices).writes


def sharding_fixes(index: IndexAnalysis, plans: Sequence[PatternPlan], prices: Prices) -> list[Fix]:
    """Write sharding for each key over the write limit (the three hottest)."""
    hot = [k for k in index.keys if k.verdict("write") != "safe" and k.label is not None]
    fixes = []
    for key in sorted(hot, key=lambda k: -k.write)[:3]:
        shards = math.ceil(key.write / (WRITE_LIMIT * SHARD_TARGET))
        fan_out = _fan_out(index, key, plans, shards)
        summary = (
            f"shard {key_text(key)} over {shards} partition key values (a random or "
            f"calculated suffix 1..{shards}): {key.write:,.0f} write units/s become "
            f"{key.write / shards:,.0f} per shard"
        )
        if key.why_write in ("a single item", "a sort key written in sequence"):
            summary += f"; today they land on {key.why_write}, which no split can fix"
        if fan_out > 0:
            summary += (
                f". Reads of the key fan out to {shards} queries: +{fan_out:,.1f} read "
                f"units/s (${read_dollars(fan_out, prices):,.2f}/month); a calculated suffix "
                "(hash of an id mod N) keeps reads by id at one request"
            )
        fixes.append(
            Fix(
                kind="write-sharding",
                target=f"{index.index.name} {key_text(key)}",
                summary=summary,
                figures={
                    "shards": float(shards),
                    "write_units": key.write,
                    "write_units_per_shard": key.write / shards,
                    "extra_read_units": fan_out,
                    "extra_read_dollars_month": read_dollars(fan_out, prices),
                },
            )
        )
    return fixes


def _fan_out(index: IndexAnalysis, key: KeyLoad, plans: Sequence[PatternPlan], n: int) -> float:
    """Extra read units/s when every read of the key's template queries ``n`` shards: each
    pattern once, however many of its entities (an item collection) share the template."""
    extra = 0.0
    for plan in plans:
        if any(
            c.index == index.index.name and c.template == key.template and c.read > 0
            for c in plan.contributions
        ):
            extra += plan.load.rate * (n - 1) * read_factor(plan.load.consistency)
    return extra


def status_fixes(index: IndexAnalysis) -> list[Fix]:
    """A partition key with few values (a status, a constant) that runs hot: put a
    high-cardinality field first and move the status into the sort key."""
    fixes = []
    templates = {k.template for k in index.keys}
    for template in sorted(templates):
        family = [k for k in index.keys if k.template == template]
        values = sum(k.count for k in family)
        hottest = max(family, key=lambda k: k.ratio)
        if values > LOW_CARDINALITY or hottest.ratio < 0.5:
            continue
        if TIME_ORDERED in (hottest.why_read, hottest.why_write):
            continue
        total = sum(k.read + 3 * k.write for k in family) or 1.0
        share = (hottest.read + 3 * hottest.write) / total
        fixes.append(
            Fix(
                kind="status-to-sort-key",
                target=f"{index.index.name} {template}",
                summary=(
                    f"{template} takes only {values:,.0f} value(s) here and {key_text(hottest)} "
                    f"takes {share:.0%} of the index's load ({hottest.ratio:.0%} of a "
                    "partition's limit): lead the partition key with a field of many values "
                    "(the owner's id) and move the status into the sort key, or shard it"
                ),
                figures={
                    "values": values,
                    "hottest_share": share,
                    "hottest_limit_ratio": hottest.ratio,
                },
            )
        )
    return fixes


def sparse_fixes(index: IndexAnalysis, plans: Sequence[PatternPlan], prices: Prices) -> list[Fix]:
    """A GSI written for values its readers never ask for: index only those they read."""
    if index.index.kind != "gsi":
        return []
    read: set[str] = set()
    written: dict[str, float] = {}
    for plan in plans:
        for c in plan.contributions:
            if c.index != index.index.name:
                continue
            for b in c.spectrum.bins:
                if b.label is None:
                    return []
                name = "#".join(b.label)
                if c.read > 0:
                    read.add(name)
                if c.write > 0:
                    written[name] = written.get(name, 0.0) + c.write * b.p * b.count
    unread = {k: w for k, w in written.items() if k not in read}
    if not read or not unread:
        return []
    saved = sum(unread.values())
    return [
        Fix(
            kind="sparse-index",
            target=index.index.name,
            summary=(
                f"{index.index.name} is written for {', '.join(sorted(unread))}, which no "
                f"pattern reads: set its key attributes only for {', '.join(sorted(read))} "
                f"(a sparse index) and save {saved:,.1f} write units/s "
                f"(${write_dollars(saved, prices):,.2f}/month)"
            ),
            figures={"write_units_saved": saved, "dollars_month": write_dollars(saved, prices)},
        )
    ]


def capacity_fixes(indexes: Sequence[IndexAnalysis], cost: CostReport, billing: str) -> list[Fix]:
    """Provisioned capacity below the peak, and the cheaper billing mode."""
    fixes = []
    for index in indexes:
        cap = index.capacity
        if cap.provisioned and (index.peak_read > cap.reads or index.peak_write > cap.writes):
            rcu = math.ceil(index.peak_read / 0.7)
            wcu = math.ceil(index.peak_write / 0.7)
            fixes.append(
                Fix(
                    kind="capacity",
                    target=index.index.name,
                    summary=(
                        f"{index.index.name} is provisioned at {cap.reads:,.0f} RCU / "
                        f"{cap.writes:,.0f} WCU under a peak of {index.peak_read:,.0f} / "
                        f"{index.peak_write:,.0f}: provision {rcu:,} RCU / {wcu:,} WCU (70% "
                        "target) or turn on auto scaling"
                    ),
                    figures={"rcu": float(rcu), "wcu": float(wcu)},
                )
            )
    totals = {
        "on-demand": cost.on_demand.total,
        "provisioned": cost.provisioned.total,
        "provisioned-autoscaled": cost.provisioned_autoscaled.total,
    }
    current = totals["on-demand" if billing == "on-demand" else "provisioned"]
    best = cost.cheaper
    if totals[best] < current * 0.9:
        fixes.append(
            Fix(
                kind="billing",
                target="table",
                summary=(
                    f"{best} billing costs ${totals[best]:,.2f}/month against "
                    f"${current:,.2f} for {billing}: saves ${current - totals[best]:,.2f}/month"
                ),
                figures={"saving_dollars_month": current - totals[best]},
            )
        )
    return fixes
