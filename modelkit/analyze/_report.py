"""The analysis report: plain msgspec Structs with a documented, stable JSON form.

``FORMAT`` names the JSON schema version; fields are only ever added within a version.
Units are per second at the workload's peak unless a name says otherwise; money is USD per
month; percentages are of DynamoDB's per-partition limits (3,000 read units/s, 1,000 write
units/s; REFERENCE.md, "Partitions").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import msgspec

FORMAT = "modelkit.analyze/1"

Verdict = Literal["safe", "throttles-until-split", "throttles-always"]
"""``safe``; ``throttles-until-split``: throttles until DynamoDB splits a partition for heat
or scales the table; ``throttles-always``: throttles whatever DynamoDB does."""

VERDICT_TEXT: dict[Verdict, str] = {
    "safe": "safe",
    "throttles-until-split": "throttles until a split",
    "throttles-always": "throttles whatever DynamoDB does",
}

Grade = Literal["A", "B", "C", "D", "F"]
FixKind = Literal[
    "write-sharding", "status-to-sort-key", "sparse-index", "cache", "capacity", "billing"
]


class Score(msgspec.Struct, frozen=True, kw_only=True):
    """0-100 with a letter, the verdict and the reasons behind it (worst first)."""

    value: int
    grade: Grade
    verdict: Verdict
    reasons: tuple[str, ...] = ()


class HotKey(msgspec.Struct, frozen=True, kw_only=True):
    """One partition key value of an index, at peak.

    ``key`` is the value as a template with the requested value in each hole
    (``CUSTOMER#{customer_id=#1}``: the most requested customer). ``item_*`` is the load no
    split can spread (its hottest item, the range a query reads, a sequential sort key or a
    time-ordered key). ``headroom`` is the fraction of the tighter limit left (negative
    when over).
    """

    index: str
    key: str
    read_units: float
    write_units: float
    read_pct: float
    write_pct: float
    item_read_units: float
    item_write_units: float
    headroom: float
    verdict: Verdict
    reason: str
    patterns: tuple[str, ...]


class PartitionLoad(msgspec.Struct, frozen=True, kw_only=True):
    """One partition of an index: its load, in % of the limits, and its hottest keys."""

    index: str
    partition: int
    read_units: float
    write_units: float
    read_pct: float
    write_pct: float
    keys: tuple[str, ...] = ()


class IndexReport(msgspec.Struct, frozen=True, kw_only=True):
    """The table's own key (``primary``) or a secondary index."""

    name: str
    kind: Literal["table", "gsi", "lsi"]
    partitions: int
    partitions_reason: str
    read_units: float
    write_units: float
    size_gb: float
    key_values: float
    score: Score
    hot_keys: tuple[HotKey, ...]
    hot_partitions: tuple[PartitionLoad, ...]
    partition_loads: tuple[PartitionLoad, ...]


class PatternReport(msgspec.Struct, frozen=True, kw_only=True):
    """One named access pattern: its cost per request, by index, and its score."""

    name: str
    op: str
    index: str
    rate: float
    read_units: dict[str, float]
    write_units: dict[str, float]
    score: Score
    assumptions: tuple[str, ...] = ()


class EntityReport(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    items: float
    item_size: float
    item_size_estimated: bool
    size_gb: float
    score: Score


class Fix(msgspec.Struct, frozen=True, kw_only=True):
    """A change with its numbers: ``figures`` holds the quantities the summary quotes."""

    kind: FixKind
    target: str
    summary: str
    figures: dict[str, float] = {}


class Cost(msgspec.Struct, frozen=True, kw_only=True):
    """USD per month by what is paid for."""

    reads: float
    writes: float
    replicated_writes: float
    storage: float
    total: float


class IndexCapacity(msgspec.Struct, frozen=True, kw_only=True):
    """One index's provisioned capacity (the fixed mode's) and its own average load over it."""

    rcu: float
    wcu: float
    utilisation_reads: float
    utilisation_writes: float


class CostReport(msgspec.Struct, frozen=True, kw_only=True):
    """Monthly cost under each billing mode, and which is cheaper at this workload.

    Provisioned capacity is sized at the peak over the target utilisation (fixed), or each
    hour of the profile over it (auto scaling). ``break_even_*`` is the average utilisation
    above which provisioned beats on-demand; ``utilisation_*`` is this workload's, over all
    indexes (``capacity_by_index`` gives each index's own capacity and utilisation: a GSI has
    its own provisioned capacity, billed at the same price).
    """

    prices_date: str
    region: str
    on_demand: Cost
    provisioned: Cost
    provisioned_autoscaled: Cost
    provisioned_rcu: float
    provisioned_wcu: float
    target_utilisation: float
    break_even_reads: float
    break_even_writes: float
    utilisation_reads: float
    utilisation_writes: float
    cheaper: Literal["on-demand", "provisioned", "provisioned-autoscaled"]
    by_index: dict[str, float]
    storage_gb: float
    replicas: tuple[str, ...] = ()
    capacity_by_index: dict[str, IndexCapacity] = {}


class TimePoint(msgspec.Struct, frozen=True, kw_only=True):
    """Load of one index at one time (an hour of the profile, or a trace minute)."""

    index: str
    time: str
    read_units: float
    write_units: float


def timeline_totals(points: Sequence[TimePoint]) -> dict[str, tuple[float, float]]:
    """Read and write units summed over the indexes, for each time of a timeline."""
    totals: dict[str, tuple[float, float]] = {}
    for p in points:
        reads, writes = totals.get(p.time, (0.0, 0.0))
        totals[p.time] = (reads + p.read_units, writes + p.write_units)
    return totals


class TableReport(msgspec.Struct, frozen=True, kw_only=True):
    table: str
    schema: str
    workload: str
    billing: str
    score: Score
    indexes: tuple[IndexReport, ...]
    patterns: tuple[PatternReport, ...]
    entities: tuple[EntityReport, ...]
    fixes: tuple[Fix, ...]
    cost: CostReport
    timeline: tuple[TimePoint, ...] = ()
    assumptions: tuple[str, ...] = ()


class Ranked(msgspec.Struct, frozen=True, kw_only=True):
    """One design in a comparison, best first."""

    rank: int
    schema: str
    table: str
    score: int
    grade: Grade
    verdict: Verdict
    monthly_cost: float
    why: str


class Comparison(msgspec.Struct, frozen=True, kw_only=True):
    ranking: tuple[Ranked, ...]
    winner: str
    why: str


class Report(msgspec.Struct, frozen=True, kw_only=True):
    """What ``modelkit analyze`` prints; ``--json`` is ``msgspec.json.encode(report)``."""

    format: str = FORMAT
    tables: tuple[TableReport, ...]
    comparison: Comparison | None = None
