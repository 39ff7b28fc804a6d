"""One index under the workload: partitions, hot keys, hot partitions, verdicts and score."""

from __future__ import annotations

from dataclasses import dataclass

from modelkit.analyze._capacity import (
    READ_LIMIT,
    WRITE_LIMIT,
    Capacity,
    partitions_for,
    table_limits,
)
from modelkit.analyze._contributions import Contribution
from modelkit.analyze._partitions import KeyLoad, Placement, key_loads, partition_verdict, place
from modelkit.analyze._report import VERDICT_TEXT, Score, Verdict
from modelkit.analyze._scoring import make_score, worst
from modelkit.analyze._workload import profile_mean
from modelkit.keys import KeyTemplate
from modelkit.schema import IndexDesign

#: Bins at least this large stand for fresh values (``unique``), not a counted key space.
UNBOUNDED = 1e14


@dataclass(slots=True)
class IndexAnalysis:
    index: IndexDesign
    capacity: Capacity
    partitions: int
    partitions_reason: str
    peak_read: float
    peak_write: float
    average_read: float
    average_write: float
    size_gb: float
    key_values: float
    keys: list[KeyLoad]
    placement: Placement
    read_verdict: Verdict
    write_verdict: Verdict
    limit_verdicts: dict[str, Verdict]
    """Index-wide verdicts (capacity, quota, on-demand scaling), by dimension; what each
    pattern suffers is :func:`modelkit.analyze._exposure.exposure`."""
    score: Score


def analyse_index(
    index: IndexDesign,
    capacity: Capacity,
    contributions: list[Contribution],
    size_gb: float,
) -> IndexAnalysis:
    """Place the load of ``contributions`` on the partitions of ``index`` and judge it."""
    peak_read = sum(c.read for c in contributions)
    peak_write = sum(c.write for c in contributions)
    average_read = sum(c.read * profile_mean(c.profile) for c in contributions)
    average_write = sum(c.write * profile_mean(c.profile) for c in contributions)
    count, why = partitions_for(capacity, peak_read, peak_write, size_gb)
    keys, spread_read, spread_write = key_loads(contributions)
    placement = place(keys, count, (spread_read, spread_write))
    verdicts: dict[str, Verdict] = {}
    limit_verdicts: dict[str, Verdict] = {}
    reasons: list[tuple[float, str]] = []
    utilisation = 0.0
    unsplittable = 0.0
    for dimension, loads, limit in (
        ("read", placement.read, READ_LIMIT),
        ("write", placement.write, WRITE_LIMIT),
    ):
        found = [partition_verdict(placement, s, dimension) for s in range(count)]
        verdicts[dimension] = worst(found)
        utilisation = max(utilisation, max(loads, default=0.0) / limit)
        for key in keys:
            load, unsplit = (
                (key.read, key.unsplit_read)
                if dimension == "read"
                else (key.write, key.unsplit_write)
            )
            verdict = key.verdict(dimension)
            if verdict != "safe":
                unsplittable = max(unsplittable, unsplit / limit)
                reasons.append((load / limit, _key_reason(key, dimension, limit, verdict)))
    for dimension, verdict, reason, ratio in table_limits(
        capacity, peak_read, peak_write, average_read, average_write
    ):
        verdicts[dimension] = worst([verdicts[dimension], verdict])
        limit_verdicts[dimension] = worst([limit_verdicts.get(dimension, "safe"), verdict])
        utilisation = max(utilisation, ratio)
        if verdict == "throttles-always":
            unsplittable = max(unsplittable, ratio)
        reasons.append((ratio, reason))
    overall = worst([verdicts["read"], verdicts["write"]])
    if overall != "safe" and not reasons:
        reasons.append((utilisation, "partitions shared by several keys are over the limit"))
    if overall == "safe":
        reasons.append((utilisation, _safe_reason(utilisation)))
    reasons.sort(key=lambda r: -r[0])
    named = [f"{index.name}: {r}" for _, r in reasons[:5]]
    score = make_score(overall, utilisation, unsplittable, named)
    return IndexAnalysis(
        index=index,
        capacity=capacity,
        partitions=count,
        partitions_reason=why,
        peak_read=peak_read,
        peak_write=peak_write,
        average_read=average_read,
        average_write=average_write,
        size_gb=size_gb,
        key_values=sum(k.count for k in keys if k.count < UNBOUNDED),
        keys=keys,
        placement=placement,
        read_verdict=verdicts["read"],
        write_verdict=verdicts["write"],
        limit_verdicts=limit_verdicts,
        score=score,
    )


def key_text(key: KeyLoad) -> str:
    """``CUSTOMER#{customer_id=#1}``: the template with the requested value in each hole."""
    template = KeyTemplate.parse(key.template)
    labels = list(key.label or ())
    parts: list[str] = []
    for segment in template.segments:
        if segment.field is None:
            parts.append(segment.text)
            continue
        label = labels.pop(0) if labels else None
        if label is None:
            parts.append(f"{{{segment.field}=any of {key.count:,.0f}}}")
        elif label.startswith("#") or label in ("now", "*"):
            parts.append(f"{{{segment.field}={label}}}")
        else:
            parts.append(label)
    return "#".join(parts)


def _key_reason(key: KeyLoad, dimension: str, limit: float, verdict: Verdict) -> str:
    load = key.read if dimension == "read" else key.write
    why = key.why_read if dimension == "read" else key.why_write
    where = f" on {why}" if verdict == "throttles-always" and why else ""
    many = "" if key.count == 1 else f" (each of {key.count:,.0f} values)"
    return (
        f"{key_text(key)}{many} takes {load:,.0f} {dimension} units/s, "
        f"{load / limit:.0%} of a partition's {limit:,.0f}{where}: {VERDICT_TEXT[verdict]}"
    )


def _safe_reason(utilisation: float) -> str:
    return f"the hottest partition runs at {utilisation:.0%} of its limit"
