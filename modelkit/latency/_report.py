"""What ``modelkit bench`` found, as a struct (its JSON form) and as text."""

from __future__ import annotations

import io

import msgspec
from rich.console import Console
from rich.table import Table as RichTable

from modelkit.latency._percentiles import Latency

FORMAT = "modelkit.bench/1"


class ReadUnits(msgspec.Struct, kw_only=True):
    """Read units DynamoDB reported for the reads of each run, and the difference."""

    uncached: float
    cached: float
    saved: float
    per_read: float
    """Uncached units over uncached reads: what one read costs without the cache."""


class BenchReport(msgspec.Struct, kw_only=True):
    """Latencies in milliseconds of cache hits, cache misses and uncached reads of the same
    workload, the hit ratio, and the read units the cache saved."""

    format: str = FORMAT
    schema: str
    table: str
    entity: str
    endpoint: str
    redis: str
    started: list[str]
    requests: int
    keys: int
    zipf: float
    write_fraction: float
    reads: int
    writes: int
    hit: Latency
    miss: Latency
    uncached: Latency
    other: int
    hit_ratio: float
    read_units: ReadUnits
    seconds: float


ROWS = (("cache hit", "hit"), ("cache miss", "miss"), ("uncached read", "uncached"))


def render_text(report: BenchReport, width: int = 100) -> str:
    """The report for a terminal: one row per kind of read, then the hit ratio and units."""
    out = io.StringIO()
    console = Console(file=out, width=width, no_color=True, highlight=False, soft_wrap=True)
    console.print(f"bench {report.entity}, table {report.table} ({report.schema})")
    console.print(f"  DynamoDB {report.endpoint}{_here(report, 'moto server')}")
    console.print(f"  Redis    {report.redis}{_here(report, 'redis-server')}")
    console.print(
        f"  {report.requests:,} requests a run on {report.keys:,} keys: Zipf {report.zipf:g}, "
        f"{report.write_fraction:.0%} writes ({report.reads:,} reads, {report.writes:,} writes)"
    )
    grid = RichTable(title="read latency (ms)", title_justify="left")
    for column in ("read", "count", "p50", "p95", "p99"):
        grid.add_column(column, justify="left" if column == "read" else "right")
    for label, name in ROWS:
        latency: Latency = getattr(report, name)
        grid.add_row(label, f"{latency.count:,}", *(_ms(latency, q) for q in ("p50", "p95", "p99")))
    console.print()
    console.print(grid)
    units = report.read_units
    console.print(f"hit ratio {report.hit_ratio:.3f}")
    console.print(
        f"read units: uncached {units.uncached:,.1f}, cached {units.cached:,.1f}, "
        f"saved {units.saved:,.1f} ({units.per_read:g} a read uncached)"
    )
    if report.other:
        console.print(f"{report.other:,} reads bypassed the cache (neither hit nor miss)")
    console.print(f"({report.seconds:.1f} s)")
    return out.getvalue()


def _here(report: BenchReport, service: str) -> str:
    return " (started here)" if service in report.started else ""


def _ms(latency: Latency, name: str) -> str:
    value: float | None = getattr(latency, name)
    return "-" if value is None else f"{value:.3f}"
