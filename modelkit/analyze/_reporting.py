"""Turn the analysis into the report's Structs: indexes, patterns, entities, timeline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from modelkit.analyze._capacity import GB, READ_LIMIT, WRITE_LIMIT
from modelkit.analyze._contributions import Contribution, PatternPlan
from modelkit.analyze._entity_sizes import EntitySize
from modelkit.analyze._exposure import Exposure, exposure, key_map
from modelkit.analyze._index_analysis import IndexAnalysis, key_text
from modelkit.analyze._partitions import KeyLoad
from modelkit.analyze._report import (
    VERDICT_TEXT,
    EntityReport,
    HotKey,
    IndexReport,
    PartitionLoad,
    PatternReport,
    Score,
    TimePoint,
)
from modelkit.analyze._scoring import combine, make_score, worst
from modelkit.analyze._units import READS
from modelkit.schema import PRIMARY, TableDesign

HOT_KEYS = 5
HOT_PARTITIONS = 5
#: Partitions listed one by one for the plot; beyond this, the most loaded ones.
PLOTTED_PARTITIONS = 2000


def index_report(index: IndexAnalysis) -> IndexReport:
    keys = sorted(
        (k for k in index.keys if k.label is not None or k.ratio > 1),
        key=lambda k: -k.ratio,
    )[:HOT_KEYS]
    placement = index.placement
    loads = [_partition(index, slot) for slot in range(placement.count)]
    loads.sort(key=lambda p: -max(p.read_pct, p.write_pct))
    return IndexReport(
        name=index.index.name,
        kind=index.index.kind,
        partitions=index.partitions,
        partitions_reason=index.partitions_reason,
        read_units=index.peak_read,
        write_units=index.peak_write,
        size_gb=index.size_gb,
        key_values=index.key_values,
        score=index.score,
        hot_keys=tuple(_hot_key(k) for k in keys),
        hot_partitions=tuple(loads[:HOT_PARTITIONS]),
        partition_loads=tuple(loads[:PLOTTED_PARTITIONS]),
    )


def _partition(index: IndexAnalysis, slot: int) -> PartitionLoad:
    placement = index.placement
    members = sorted(placement.keys[slot], key=lambda k: -k.ratio)[:3]
    return PartitionLoad(
        index=index.index.name,
        partition=slot,
        read_units=placement.read[slot],
        write_units=placement.write[slot],
        read_pct=100 * placement.read[slot] / READ_LIMIT,
        write_pct=100 * placement.write[slot] / WRITE_LIMIT,
        keys=tuple(key_text(k) for k in members),
    )


def _hot_key(key: KeyLoad) -> HotKey:
    verdict = worst([key.verdict("read"), key.verdict("write")])
    dimension = "read" if key.read / READ_LIMIT >= key.write / WRITE_LIMIT else "write"
    why = key.why_read if dimension == "read" else key.why_write
    if verdict == "safe":
        reason = ""
    elif verdict == "throttles-always":
        reason = f"over the {dimension} limit on {why}, which no split can spread"
    else:
        reason = f"over the {dimension} limit; a split for heat gives it a partition of its own"
    return HotKey(
        index=key.index,
        key=key_text(key),
        read_units=key.read,
        write_units=key.write,
        read_pct=100 * key.read / READ_LIMIT,
        write_pct=100 * key.write / WRITE_LIMIT,
        item_read_units=key.unsplit_read,
        item_write_units=key.unsplit_write,
        headroom=1 - key.ratio,
        verdict=verdict,
        reason=reason,
        patterns=key.patterns,
    )


def pattern_reports(
    design: TableDesign, plans: Sequence[PatternPlan], indexes: Sequence[IndexAnalysis]
) -> tuple[PatternReport, ...]:
    by_name = {i.index.name: i for i in indexes}
    maps = {i.index.name: key_map(i) for i in indexes}
    reports = []
    for plan in plans:
        pattern = plan.pattern
        reads = pattern.op in READS
        touched = plan.units.read if reads else plan.units.write
        scores: list[Score] = []
        for name in dict.fromkeys(PRIMARY if design.index(n).kind == "lsi" else n for n in touched):
            index = by_name[name]
            own = [c for c in plan.contributions if c.index == name]
            found = exposure(index, own, "read" if reads else "write", maps[name])
            scores.append(_dimension_score(index, found, reads, pattern.name))
        reports.append(
            PatternReport(
                name=pattern.name,
                op=pattern.op,
                index=pattern.index,
                rate=plan.load.rate,
                read_units=dict(plan.units.read),
                write_units=dict(plan.units.write),
                score=combine(scores),
                assumptions=plan.assumptions,
            )
        )
    return tuple(reports)


def _dimension_score(index: IndexAnalysis, found: Exposure, reads: bool, name: str) -> Score:
    verdict = found.verdict
    if verdict == "safe":
        return make_score("safe", found.utilisation, 0.0, ())
    reasons = list(index.score.reasons)
    dimension = "read" if reads else "write"
    if found.hot_share > 0:
        reasons.insert(
            0,
            f"{index.index.name}: {found.hot_share:.1%} of {name}'s {dimension} units land on "
            f"partitions over the {dimension} limit",
        )
    if not reads and index.index.kind == "gsi":
        reasons.insert(
            0,
            f"{index.index.name} {VERDICT_TEXT[verdict]} on writes, and a table write waits for "
            f"every GSI it touches: {name} is throttled with it (GSI back-pressure)",
        )
    if verdict == index.score.verdict:
        return Score(
            value=index.score.value,
            grade=index.score.grade,
            verdict=verdict,
            reasons=tuple(reasons),
        )
    return make_score(verdict, found.utilisation, found.utilisation, reasons)


def entity_reports(
    design: TableDesign, sizes: Mapping[str, EntitySize], patterns: Sequence[PatternReport]
) -> tuple[EntityReport, ...]:
    reports = []
    for entity in design.entities:
        size = sizes[entity.name]
        touching = [p.score for p in patterns if entity.name in _pattern_entities(design, p.name)]
        reports.append(
            EntityReport(
                name=entity.name,
                items=size.items,
                item_size=size.item_bytes,
                item_size_estimated=size.estimated,
                size_gb=sum(size.storage_bytes(i) for i in size.entries) / GB,
                score=combine(touching),
            )
        )
    return tuple(reports)


def _pattern_entities(design: TableDesign, name: str) -> tuple[str, ...]:
    for pattern in design.patterns:
        if pattern.name == name:
            return pattern.entities
    return ()


def timeline(
    indexes: Sequence[IndexAnalysis], by_index: Mapping[str, Sequence[Contribution]]
) -> list[TimePoint]:
    """Load of each index for each hour of the day, when some pattern has a profile."""
    if not any(c.profile for cs in by_index.values() for c in cs):
        return []
    points = []
    for index in indexes:
        members = by_index.get(index.index.name, [])
        for hour in range(24):
            read = sum(c.read * (c.profile[hour] if c.profile else 1.0) for c in members)
            write = sum(c.write * (c.profile[hour] if c.profile else 1.0) for c in members)
            points.append(
                TimePoint(
                    index=index.index.name,
                    time=f"{hour:02d}:00",
                    read_units=read,
                    write_units=write,
                )
            )
    return points
