"""Capacity units one request of a pattern consumes, per index, by DynamoDB's rules.

REFERENCE.md, "Capacity units": reads by 4 KB (eventual half, transactional double), GetItem
rounding each item, Query summing then rounding once, at least one unit (half) per request;
writes by 1 KB, transactional double. A write to an entity pays in every secondary index it
touches: 1 unit per KB of the entry to add or remove it, 2 when an indexed key value changes,
0 when it is in the index neither before nor after. LSI writes come out of the table's
capacity, so they are listed under ``primary``. Reads of a KEYS_ONLY or INCLUDE index fetch
the full items from the table afterwards (as the repositories do).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from modelkit.analyze._entity_sizes import EntitySize
from modelkit.analyze._workload import IndexChange, PatternLoad
from modelkit.codec._size import READ_UNIT_BYTES, WRITE_UNIT_BYTES
from modelkit.schema import PRIMARY, EntityDesign, IndexDesign, PatternDesign, TableDesign

READS = frozenset({"get", "query", "batch_get", "scan"})
#: Items a query page is taken to read when neither the workload nor the pattern says.
DEFAULT_PAGE_ITEMS = 10


@dataclass(slots=True)
class RequestUnits:
    """Read and write units of one request, by index (``primary`` for the table)."""

    read: dict[str, float] = field(default_factory=dict)
    write: dict[str, float] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)

    def add_read(self, index: str, units: float) -> None:
        self.read[index] = self.read.get(index, 0.0) + units

    def add_write(self, index: str, units: float) -> None:
        self.write[index] = self.write.get(index, 0.0) + units


def read_factor(consistency: str) -> float:
    """Units per 4 KB: eventual 0.5, strong 1, transactional 2."""
    return {"eventual": 0.5, "strong": 1.0, "transactional": 2.0}[consistency]


def get_units(size: float, consistency: str) -> float:
    """GetItem (and each key of BatchGetItem): the item rounded up to 4 KB."""
    return max(1, math.ceil(size / READ_UNIT_BYTES)) * read_factor(consistency)


def query_units(total_bytes: float, consistency: str) -> float:
    """One Query page: the items' sizes summed, rounded up once, at least one unit."""
    return max(1, math.ceil(total_bytes / READ_UNIT_BYTES)) * read_factor(consistency)


def write_units(size: float, *, transactional: bool = False) -> float:
    """One item written, by 1 KB (one unit at least); transactional writes double."""
    units = float(max(1, math.ceil(size / WRITE_UNIT_BYTES)))
    return units * 2 if transactional else units


def page_items(pattern: PatternDesign, load: PatternLoad) -> int:
    """Items a request of ``pattern`` reads or writes per entity type."""
    if isinstance(load.items, int):
        return load.items
    return pattern.limit or DEFAULT_PAGE_ITEMS


def request_units(
    design: TableDesign,
    pattern: PatternDesign,
    load: PatternLoad,
    sizes: dict[str, EntitySize],
) -> RequestUnits:
    """The units one request of ``pattern`` consumes, by index."""
    units = RequestUnits()
    if pattern.op in READS:
        _read(design, pattern, load, sizes, units)
    elif pattern.op == "transaction":
        for entity in pattern.entities:
            count = load.items.get(entity, 1) if isinstance(load.items, dict) else 1
            for _ in range(count):
                _write(design, "put", entity, load, sizes, units, transactional=True)
    else:
        for entity in pattern.entities:
            _write(design, pattern.op, entity, load, sizes, units, transactional=False)
    return units


def _read(
    design: TableDesign,
    pattern: PatternDesign,
    load: PatternLoad,
    sizes: dict[str, EntitySize],
    units: RequestUnits,
) -> None:
    index = design.index(pattern.index)
    entry = _mean(sizes[e].entries.get(index.name, sizes[e].item_bytes) for e in pattern.entities)
    item = _mean(sizes[e].item_bytes for e in pattern.entities)
    consistency = load.consistency
    if pattern.op == "scan":
        # a scan reads every entity's entries in the index, each at its own size
        total = sum(
            s.items * s.presence.get(index.name, 0.0) * s.entries.get(index.name, 0.0)
            for s in sizes.values()
        )
        units.add_read(index.name, query_units(total, consistency))
        return
    if pattern.op == "get" and index.kind == "table":
        units.add_read(PRIMARY, get_units(item, consistency))
        return
    count = 1 if pattern.op == "get" else page_items(pattern, load)
    if pattern.op == "batch_get":
        units.add_read(PRIMARY, count * get_units(item, consistency))
        return
    units.add_read(index.name, query_units(count * entry, consistency))
    if index.kind != "table" and index.projection.kind != "ALL":
        units.add_read(PRIMARY, count * get_units(item, "eventual"))
        units.assumptions.append(
            f"{pattern.name}: {index.name} projects {index.projection.kind}, so the "
            f"{count} item(s) read are fetched from the table (BatchGetItem, eventual)"
        )


def _write(
    design: TableDesign,
    op: str,
    entity: str,
    load: PatternLoad,
    sizes: dict[str, EntitySize],
    units: RequestUnits,
    *,
    transactional: bool,
) -> None:
    size = sizes[entity]
    units.add_write(PRIMARY, write_units(size.item_bytes, transactional=transactional))
    for index in design.indexes:
        if index.kind == "table" or index.name not in size.entries:
            continue
        per_entry = write_units(size.entries[index.name], transactional=transactional)
        writes = _index_writes(design.entity(entity), index, op, load)
        target = PRIMARY if index.kind == "lsi" else index.name
        units.add_write(target, writes * per_entry * size.presence[index.name])


def _index_writes(entity: EntityDesign, index: IndexDesign, op: str, load: PatternLoad) -> float:
    """Entry writes in ``index`` per item written: 1 to add or remove an entry, 2 when an
    indexed key value changes, 1 when only projected attributes change, 0 when untouched."""
    declared: IndexChange | None = load.index_changes.get(index.name)
    if declared is not None:
        return {"changes": 2.0, "enters": 1.0, "leaves": 1.0, "none": 0.0}[declared]
    if op in ("put", "delete"):
        return 1.0
    if load.sets is None:
        return 1.0 if index.projection.kind == "ALL" else 0.0
    key = entity.key(index.name)
    key_fields = set(key.pk.fields) | set(key.sk.fields if key.sk else ()) if key else set()
    if key_fields & set(load.sets):
        return 2.0
    if index.projection.kind == "ALL":
        return 1.0
    if index.projection.kind == "INCLUDE" and set(index.projection.attributes) & set(load.sets):
        return 1.0
    return 0.0


def _mean(values: Iterable[float]) -> float:
    found = list(values)
    return sum(found) / len(found) if found else 0.0
