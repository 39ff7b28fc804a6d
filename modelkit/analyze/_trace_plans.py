"""Pattern plans from a trace of observed requests, analysed like the synthetic ones.

Each kind of request in the trace (a named pattern, or an op on an entity) becomes a plan at
its peak rate: the busiest minute of the trace (the whole trace's average when it spans less
than two minutes). Its spread over key values is the trace's own: the heaviest values counted
exactly (within the reader's stated error) and the rest as one tail bin over the estimated
number of distinct values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from modelkit.analyze._contributions import QUERY_RANGE, SINGLE_ITEM, Contribution, PatternPlan
from modelkit.analyze._entity_sizes import EntitySize, entity_sizes
from modelkit.analyze._heavy import KeyCounts
from modelkit.analyze._report import TimePoint
from modelkit.analyze._spectrum import Bin, Spectrum
from modelkit.analyze._trace import ObservedRequests, TraceSummary, read_trace
from modelkit.analyze._units import READS, request_units
from modelkit.analyze._workload import PatternLoad, Workload
from modelkit.schema import PRIMARY, Operation, PatternDesign, TableDesign

#: Head values kept per kind and index.
HEAD = 1000


@dataclass(frozen=True, slots=True)
class TraceLoad:
    """What a trace adds to an analysis: plans, and its load over time per minute."""

    plans: tuple[PatternPlan, ...]
    timeline: tuple[TimePoint, ...]
    rows: int


def trace_load(
    design: TableDesign,
    workload: Workload,
    path: str | Path,
    *,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> TraceLoad:
    """Read the trace at ``path`` and turn it into plans for ``design``; ``progress`` is
    called with the rows read so far."""
    summary = read_trace(path, design, format=fmt, progress=progress)
    return plans_from_summary(design, workload, summary)


def plans_from_summary(design: TableDesign, workload: Workload, summary: TraceSummary) -> TraceLoad:
    sizes = entity_sizes(design, workload)
    plans = []
    minutes: dict[str, dict[int, list[float]]] = {}
    for observed in summary.requests.values():
        plan = _plan(design, workload, summary, observed, sizes)
        plans.append(plan)
        per_request = plan.units.read if plan.pattern.op in READS else plan.units.write
        for index, units in per_request.items():
            physical = PRIMARY if design.index(index).kind == "lsi" else index
            slots = minutes.setdefault(physical, {})
            for minute, count in observed.per_minute.items():
                slot = slots.setdefault(minute, [0.0, 0.0])
                slot[0 if plan.pattern.op in READS else 1] += count / 60 * units
    timeline = tuple(
        TimePoint(index=index, time=_minute(minute), read_units=r, write_units=w)
        for index, slots in minutes.items()
        for minute, (r, w) in sorted(slots.items())
    )
    return TraceLoad(tuple(plans), timeline if len(_times(timeline)) > 1 else (), summary.rows)


def _plan(
    design: TableDesign,
    workload: Workload,
    summary: TraceSummary,
    observed: ObservedRequests,
    sizes: dict[str, EntitySize],
) -> PatternPlan:
    declared = next((p for p in design.patterns if p.name == observed.pattern), None)
    pattern = PatternDesign(
        name=f"trace: {observed.kind}",
        entities=(observed.entity,),
        op=declared.op if declared else cast(Operation, observed.op),
        index=observed.index,
        given=declared.given if declared else (),
        limit=declared.limit if declared else None,
    )
    peak, average = _rates(summary, observed)
    given = workload.patterns.get(observed.pattern or "")
    load = PatternLoad(
        rate=peak,
        consistency=given.consistency if given else "eventual",
        items=given.items if given else None,
        sets=given.sets if given else None,
        index_changes=given.index_changes if given else {},
        profile=(average / peak,) * 24 if peak else None,
    )
    units = request_units(design, pattern, load, sizes)
    reads = pattern.op in READS
    contributions = []
    for index, per_request in (units.read if reads else units.write).items():
        entity = design.entity(observed.entity)
        key = entity.key(index)
        counts = observed.partitions.get(index)
        if key is None or counts is None or counts.total == 0:
            continue
        physical = PRIMARY if design.index(index).kind == "lsi" else index
        scale = counts.total / observed.count
        unsplit, why = _unsplittable(pattern, observed, index, counts)
        contributions.append(
            Contribution(
                pattern=pattern.name,
                entity=entity.name,
                index=physical,
                template=key.pk.text,
                spectrum=_spectrum(counts, key.pk.text),
                read=per_request * peak * scale if reads else 0.0,
                write=0.0 if reads else per_request * peak * scale,
                unsplittable=unsplit,
                why=why,
                profile=load.profile,
            )
        )
    return PatternPlan(pattern, load, units, tuple(contributions), ())


def _rates(summary: TraceSummary, observed: ObservedRequests) -> tuple[float, float]:
    """(peak, average) requests per second of one kind."""
    span = max(summary.last - summary.first, 1.0)
    average = observed.count / span
    if span < 120 or not observed.per_minute:
        return average, average
    return max(max(observed.per_minute.values()) / 60, average), average


def _spectrum(counts: KeyCounts, template: str) -> Spectrum:
    total = counts.total
    heavy = sorted(counts.heavy.items(), key=lambda kv: -kv[1])[:HEAD]
    bins = [Bin(1.0, n / total, _label(identity, template)) for identity, n in heavy]
    rest = total - sum(n for _, n in heavy)
    values = max(counts.distinct - len(heavy), 1.0)
    if rest > 0:
        bins.append(Bin(values, rest / total / values))
    bins.sort(key=lambda b: -b.p)
    return Spectrum(tuple(bins))


def _label(identity: tuple[str, ...], template: str) -> tuple[str, ...]:
    return identity[1:] if identity and identity[0] == template else identity


def _unsplittable(
    pattern: PatternDesign, observed: ObservedRequests, index: str, counts: KeyCounts
) -> tuple[float, str]:
    if pattern.op == "query":
        return 1.0, QUERY_RANGE
    items = observed.items.get(index)
    if not items or not items.heavy or not counts.heavy:
        return 0.0, ""
    return min(1.0, max(items.heavy.values()) / max(counts.heavy.values())), SINGLE_ITEM


def _minute(minute: int) -> str:
    return dt.datetime.fromtimestamp(minute * 60, dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def _times(points: Sequence[TimePoint]) -> set[str]:
    return {p.time for p in points}
