"""Consumed capacity, recorded per entity, pattern and index from ReturnConsumedCapacity=INDEXES."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import msgspec

Kind = Literal["read", "write"]


class CapacityRow(msgspec.Struct, kw_only=True):
    """Units one (entity, pattern, index) consumed, and how many requests it took."""

    entity: str
    pattern: str
    index: str
    read_units: float = 0.0
    write_units: float = 0.0
    requests: int = 0


class CapacityStats:
    """Thread-safe totals; ``rows()`` gives them sorted, ``reset()`` clears them."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str, str], CapacityRow] = {}
        self._lock = threading.Lock()

    def record(
        self, entity: str, pattern: str, response: Mapping[str, Any], kind: Kind = "read"
    ) -> None:
        """Add the ConsumedCapacity of one response (a dict, or a list for batch calls).

        ``kind`` says whether the request read or wrote, for backends that report only a
        total (``CapacityUnits``) without the read/write split.
        """
        consumed = response.get("ConsumedCapacity")
        if consumed is None:
            return
        entries = consumed if isinstance(consumed, list) else [consumed]
        with self._lock:
            for entry in entries:
                for index, units in _per_index(entry, kind):
                    row = self._rows.get((entity, pattern, index))
                    if row is None:
                        row = self._rows[(entity, pattern, index)] = CapacityRow(
                            entity=entity, pattern=pattern, index=index
                        )
                    row.read_units += units.get("ReadCapacityUnits", 0.0)
                    row.write_units += units.get("WriteCapacityUnits", 0.0)
                    row.requests += 1

    def rows(self) -> list[CapacityRow]:
        with self._lock:
            return sorted(
                (msgspec.structs.replace(r) for r in self._rows.values()),
                key=lambda r: (r.entity, r.pattern, r.index),
            )

    def total(self, *, entity: str | None = None, index: str | None = None) -> CapacityRow:
        """Sum of the rows that match ``entity`` and ``index`` (all when None)."""
        total = CapacityRow(entity=entity or "*", pattern="*", index=index or "*")
        for row in self.rows():
            if entity not in (None, row.entity) or index not in (None, row.index):
                continue
            total.read_units += row.read_units
            total.write_units += row.write_units
            total.requests += row.requests
        return total

    def reset(self) -> None:
        with self._lock:
            self._rows.clear()


def _per_index(entry: Mapping[str, Any], kind: Kind) -> Iterable[tuple[str, Mapping[str, float]]]:
    """``(index name, units)`` for the table (``primary``) and each index in one entry."""
    table = entry.get("Table")
    if table is not None:
        yield "primary", _units(table, kind)
    elif "CapacityUnits" in entry:
        yield "primary", _units(entry, kind)
    for group in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        for name, units in (entry.get(group) or {}).items():
            yield name, _units(units, kind)


def _units(units: Mapping[str, Any], kind: Kind) -> dict[str, float]:
    read = units.get("ReadCapacityUnits")
    write = units.get("WriteCapacityUnits")
    if read is None and write is None:
        total = float(units.get("CapacityUnits", 0.0))
        return {"ReadCapacityUnits" if kind == "read" else "WriteCapacityUnits": total}
    return {"ReadCapacityUnits": float(read or 0.0), "WriteCapacityUnits": float(write or 0.0)}
