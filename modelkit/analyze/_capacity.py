"""Partitions and table capacity, by the rules AWS has published (REFERENCE.md, "Partitions").

- A partition serves at most 3,000 read units/s and 1,000 write units/s and holds about 10 GB;
  reads and writes are capped independently.
- Partition count, the classic rule: max(ceil(RCU/3000 + WCU/1000), ceil(size_GB/10)).
- On-demand: a new table sustains 12,000 reads/s and 4,000 writes/s; it accommodates double its
  previous peak, and may throttle past that until it scales (within 30 minutes).
- Each table and GSI has a default quota of 40,000 read and 40,000 write units/s.
- Burst: up to 300 s of unused provisioned capacity is kept; it does not lift partition limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from modelkit.analyze._report import Verdict
from modelkit.analyze._workload import Throughput, Workload
from modelkit.schema import IndexDesign, Provisioned, TableDesign

READ_LIMIT = 3000.0
WRITE_LIMIT = 1000.0
PARTITION_GB = 10.0
GB = 1024.0**3
ON_DEMAND_INITIAL = Throughput(reads=12_000.0, writes=4_000.0)
QUOTA = 40_000.0
BURST_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class Capacity:
    """What an index can serve: billing, units per second and where they come from."""

    billing: str
    reads: float
    writes: float
    previous: Throughput | None = None

    @property
    def provisioned(self) -> bool:
        return self.billing == "provisioned"


def partition_count(reads: float, writes: float, size_gb: float) -> int:
    """The classic rule: enough partitions for the throughput and for the size."""
    by_throughput = math.ceil(round(reads / READ_LIMIT + writes / WRITE_LIMIT, 9))
    return max(1, by_throughput, math.ceil(round(size_gb / PARTITION_GB, 9)))


def index_capacity(design: TableDesign, workload: Workload, index: IndexDesign) -> Capacity:
    """The billing and capacity of ``index`` (a GSI has its own; an LSI shares the table's)."""
    table = workload.table
    billing = table.billing or (
        "provisioned" if isinstance(design.billing, Provisioned) else "on-demand"
    )
    if billing == "on-demand":
        return Capacity(
            "on-demand", ON_DEMAND_INITIAL.reads, ON_DEMAND_INITIAL.writes, table.previous_peak
        )
    own = table.indexes.get(index.name) if index.kind == "gsi" else None
    if own is not None:
        return Capacity("provisioned", own.reads, own.writes)
    if index.kind == "gsi" and index.capacity is not None:
        return Capacity("provisioned", float(index.capacity.rcu), float(index.capacity.wcu))
    if table.rcu is not None and table.wcu is not None:
        return Capacity("provisioned", table.rcu, table.wcu)
    if isinstance(design.billing, Provisioned):
        return Capacity("provisioned", float(design.billing.rcu), float(design.billing.wcu))
    raise ValueError("provisioned billing needs rcu and wcu in the workload's [table]")


def partitions_for(
    capacity: Capacity, peak_reads: float, peak_writes: float, size_gb: float
) -> tuple[int, str]:
    """The partition count of an index and the reason, as text."""
    if capacity.provisioned:
        reads, writes = capacity.reads, capacity.writes
        basis = f"provisioned {reads:,.0f} RCU / {writes:,.0f} WCU"
    else:
        previous = capacity.previous or Throughput()
        reads = max(capacity.reads, previous.reads, peak_reads)
        writes = max(capacity.writes, previous.writes, peak_writes)
        basis = f"on-demand, scaled to {reads:,.0f} reads/s and {writes:,.0f} writes/s"
    count = partition_count(reads, writes, size_gb)
    by_size = math.ceil(round(size_gb / PARTITION_GB, 9))
    if by_size >= count and by_size > 1:
        return count, f"{size_gb:,.1f} GB at 10 GB per partition"
    return count, f"{basis}: ceil(R/3000 + W/1000)"


def table_limits(
    capacity: Capacity,
    peak_reads: float,
    peak_writes: float,
    average_reads: float,
    average_writes: float,
) -> list[tuple[str, Verdict, str, float]]:
    """Index-wide limits the peak exceeds: (dimension, verdict, reason, load over limit)."""
    found: list[tuple[str, Verdict, str, float]] = []
    for what, peak, average, limit_attr in (
        ("read", peak_reads, average_reads, "reads"),
        ("write", peak_writes, average_writes, "writes"),
    ):
        if capacity.provisioned:
            limit = getattr(capacity, limit_attr)
            if peak > limit:
                burst = BURST_SECONDS * max(0.0, limit - average) / (peak - limit)
                found.append(
                    (
                        what,
                        "throttles-always",
                        f"peak {peak:,.0f} {what} units/s is over the provisioned {limit:,.0f}; "
                        f"burst capacity covers about {burst:,.0f} s of it",
                        peak / limit if limit else math.inf,
                    )
                )
            continue
        if peak > QUOTA:
            found.append(
                (
                    what,
                    "throttles-always",
                    f"peak {peak:,.0f} {what} units/s is over the default quota of 40,000 per "
                    "table and GSI; ask AWS for a higher quota",
                    peak / QUOTA,
                )
            )
            continue
        previous = capacity.previous or Throughput()
        ready = max(getattr(ON_DEMAND_INITIAL, limit_attr), 2 * getattr(previous, limit_attr))
        if peak > ready:
            found.append(
                (
                    what,
                    "throttles-until-split",
                    f"on-demand serves double the previous peak at once ({ready:,.0f} {what} "
                    f"units/s); a peak of {peak:,.0f} throttles while the table scales "
                    "(up to 30 minutes)",
                    peak / ready,
                )
            )
    return found
