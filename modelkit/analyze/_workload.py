"""The workload a design is analysed against, as a workload file declares it.

A workload file (TOML, YAML or JSON) names the schema's access patterns and says how hard
each is driven: the peak rate, an optional daily profile, consistency, items per query page
and, for each key field, which values the requests hit. :mod:`modelkit.analyze._workload_file`
reads and checks it; this module holds only the shape.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from modelkit.analyze._distributions import Distribution

Consistency = Literal["eventual", "strong", "transactional"]
IndexChange = Literal["changes", "enters", "leaves", "none"]


def profile_mean(profile: tuple[float, ...] | None) -> float:
    """The daily average as a share of the peak (1 for a flat load)."""
    return sum(profile) / len(profile) if profile else 1.0


class PatternLoad(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one named access pattern is driven.

    ``rate``: peak requests per second. ``profile``: 24 hourly multipliers of the peak (0-1),
    hour 0 first; flat when omitted. ``items``: items a query page reads (defaults to the
    pattern's limit), or items written per request by entity for transactions and batches.
    ``keys``: a distribution per key field. ``sets``: for updates, the fields the update
    changes (decides GSI write amplification). ``index_changes``: what a write does to a
    secondary index entry, when the schema cannot tell.
    """

    rate: float
    profile: tuple[float, ...] | None = None
    consistency: Consistency = "eventual"
    items: int | dict[str, int] | None = None
    keys: dict[str, Distribution] = {}
    sets: tuple[str, ...] | None = None
    index_changes: dict[str, IndexChange] = {}


class EntityLoad(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How much of an entity the table holds.

    ``item_size``: average stored bytes (estimated from the schema when omitted).
    ``indexed``: the fraction of the entity's items present in a sparse index.
    """

    items: float
    item_size: float | None = None
    indexed: dict[str, float] = {}


class Throughput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Read and write units per second."""

    reads: float = 0.0
    writes: float = 0.0


class TableLoad(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Capacity settings that override the schema's.

    ``billing``: ``on-demand`` or ``provisioned`` (the schema's when omitted).
    ``previous_peak``: the highest throughput an on-demand table has served (a new table
    when omitted). ``rcu``/``wcu``: provisioned capacity of the table; ``indexes``: that of
    each GSI (the table's when omitted). ``replicas``: replica Regions of a global table.
    """

    billing: Literal["on-demand", "provisioned"] | None = None
    previous_peak: Throughput | None = None
    rcu: float | None = None
    wcu: float | None = None
    indexes: dict[str, Throughput] = {}
    replicas: tuple[str, ...] | None = None


class CacheLoad(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The Redis in front of the table: memory for cached values (unbounded when omitted)."""

    size_mb: float | None = None


class TraceRef(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A trace of observed requests (JSONL or CSV) to analyse beside or instead of the
    synthetic patterns; a relative ``path`` is read from the workload file's folder."""

    path: str
    format: Literal["jsonl", "csv"] | None = None


class Workload(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A whole workload file."""

    description: str = ""
    table: TableLoad = TableLoad()
    entities: dict[str, EntityLoad] = {}
    patterns: dict[str, PatternLoad] = {}
    cache: CacheLoad = CacheLoad()
    trace: TraceRef | None = None
    source: str = ""
    """The file it was read from (set by the loader)."""
