"""Analyse a design against a workload: the one entry point the CLI and users call."""

from __future__ import annotations

from collections import defaultdict

from modelkit.analyze._cache_fix import cache_fixes
from modelkit.analyze._capacity import GB, index_capacity
from modelkit.analyze._contributions import Contribution, plan_patterns
from modelkit.analyze._costing import cost_report
from modelkit.analyze._entity_sizes import EntitySize, entity_sizes
from modelkit.analyze._fixes import capacity_fixes, sharding_fixes, sparse_fixes, status_fixes
from modelkit.analyze._index_analysis import analyse_index
from modelkit.analyze._prices import Prices, load_prices
from modelkit.analyze._report import TableReport, timeline_totals
from modelkit.analyze._reporting import entity_reports, index_report, pattern_reports, timeline
from modelkit.analyze._scoring import combine
from modelkit.analyze._trace_plans import TraceLoad
from modelkit.analyze._workload import Workload
from modelkit.schema import PRIMARY, TableDesign


def analyze(
    design: TableDesign,
    workload: Workload,
    *,
    prices: Prices | None = None,
    trace: TraceLoad | None = None,
) -> TableReport:
    """Score ``design`` under ``workload``: hot keys and partitions, verdicts, fixes, cost.

    ``trace``: observed requests (:func:`~modelkit.analyze._trace_plans.trace_load`),
    analysed beside the workload's own patterns; its load per minute becomes the timeline.
    """
    prices = prices or load_prices()
    sizes = entity_sizes(design, workload)
    plans = [*plan_patterns(design, workload, sizes), *(trace.plans if trace else ())]
    by_index: dict[str, list[Contribution]] = defaultdict(list)
    for plan in plans:
        for c in plan.contributions:
            by_index[c.index].append(c)
    indexes = [
        analyse_index(
            index,
            index_capacity(design, workload, index),
            by_index.get(index.name, []),
            _size_gb(design, sizes, index.name),
        )
        for index in design.indexes
        if index.kind != "lsi"
    ]
    hourly = list(trace.timeline) if trace and trace.timeline else timeline(indexes, by_index)
    totals = list(timeline_totals(hourly).values())
    replicas = workload.table.replicas if workload.table.replicas is not None else design.replicas
    billing = indexes[0].capacity.billing
    cost = cost_report(indexes, totals, prices, tuple(replicas), billing == "provisioned")
    fixes = [
        *(f for i in indexes for f in sharding_fixes(i, plans, prices)),
        *(f for i in indexes for f in status_fixes(i)),
        *(f for i in indexes for f in sparse_fixes(i, plans, prices)),
        *cache_fixes(design, workload, plans, sizes, prices),
        *capacity_fixes(indexes, cost, billing),
    ]
    patterns = pattern_reports(design, plans, indexes)
    assumptions = list(dict.fromkeys(a for p in plans for a in p.assumptions))
    missing = [p.name for p in design.patterns if p.name not in workload.patterns]
    if trace is not None:
        assumptions.append(f"{trace.rows:,} trace rows analysed beside the workload's patterns")
        observed = {p.pattern.name.removeprefix("trace: ") for p in trace.plans}
        missing = [m for m in missing if m not in observed]
    if missing:
        assumptions.append("not in the workload, so not analysed: " + ", ".join(missing))
    return TableReport(
        table=design.name,
        schema=design.source,
        workload=workload.source,
        billing=billing,
        score=combine(i.score for i in indexes),
        indexes=tuple(index_report(i) for i in indexes),
        patterns=patterns,
        entities=entity_reports(design, sizes, patterns),
        fixes=tuple(fixes),
        cost=cost,
        timeline=tuple(hourly),
        assumptions=tuple(assumptions),
    )


def _size_gb(design: TableDesign, sizes: dict[str, EntitySize], index: str) -> float:
    names = [index]
    if index == PRIMARY:
        names.extend(i.name for i in design.lsis)
    return sum(s.storage_bytes(n) for s in sizes.values() for n in names) / GB
