"""Counting a trace's rows: what each kind of row touches, and bounded counts per index.

See :mod:`modelkit.analyze._trace` for the trace format and what a request touches.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import compress
from operator import and_
from typing import Any

from modelkit.analyze._heavy import HeavyCounter, KeyCounts
from modelkit.analyze._trace_formats import CsvParser, Groups, JsonlParser
from modelkit.analyze._trace_kinds import OPS, Plan, plan_of
from modelkit.analyze._trace_rows import BadLine, RawKind, Slow, minutes
from modelkit.schema._design import EntityKey, TableDesign

NEW_ITEMS = frozenset({"put", "transaction"})
"""Ops that write new items: each item is its own, so counting items would only cost."""
PIECE = 1 << 17
"""Bytes decoded at a time (whole lines): few enough rows to stay in the CPU's cache (read a
third faster than 2 MB pieces)."""
BATCH = 1 << 15
"""Identities a counter takes at a time, gathered over pieces: fewer batches cost less per
identity (a skewed trace repeats its keys) and add less to the error bound."""


@dataclass
class ObservedRequests:
    """The requests of one kind: a pattern's name, or ``"put Order"`` for op rows (a pattern
    with another entity than its first: ``"place order (OrderLine)"``)."""

    kind: str
    pattern: str | None
    op: str
    entity: str
    index: str
    count: int
    first: float
    last: float
    per_minute: dict[int, int]
    partitions: dict[str, KeyCounts]
    items: dict[str, KeyCounts]


@dataclass
class TraceSummary:
    """A trace read: its source, data rows, earliest and latest time (epoch seconds; 0 when
    empty) and the requests by kind."""

    source: str
    rows: int
    first: float
    last: float
    requests: dict[str, ObservedRequests]


@dataclass
class _Kind:
    """What has been counted of one kind of request (picklable, mergeable)."""

    plan: Plan
    heavy: int
    count: int = 0
    first: float = float("inf")
    last: float = float("-inf")
    per_minute: Counter[int] = field(default_factory=Counter)
    parts: dict[str, HeavyCounter] = field(default_factory=dict)
    items: dict[str, HeavyCounter] = field(default_factory=dict)

    def counter(self, table: dict[str, HeavyCounter], index: str) -> HeavyCounter:
        if index not in table:
            table[index] = HeavyCounter(self.heavy)
        return table[index]

    def merge(self, other: _Kind) -> None:
        self.count += other.count
        self.first, self.last = min(self.first, other.first), max(self.last, other.last)
        self.per_minute.update(other.per_minute)
        for mine, theirs in ((self.parts, other.parts), (self.items, other.items)):
            for index, counter in theirs.items():
                self.counter(mine, index).merge(counter)

    def observed(self) -> ObservedRequests:
        p = self.plan
        parts, items = {}, {}
        for t in p.targets:
            if t.index not in self.parts:
                continue
            if not t.sk:  # an item is its partition
                heads = [(t.pk_text,), (t.pk_text, t.sk_text)]
                parts[t.index], items[t.index] = self.parts[t.index].results(heads)
                continue
            parts[t.index] = self.parts[t.index].result((t.pk_text,))
            if t.index in self.items:
                items[t.index] = self.items[t.index].result((t.pk_text, t.sk_text))
        return ObservedRequests(p.kind, p.pattern, p.op, p.entity, p.index, self.count,
                                self.first, self.last, dict(sorted(self.per_minute.items())),
                                parts, items)  # fmt: skip


class Reader:
    """Counts the rows of one trace, chunk by chunk (``feed``); picklable state in ``kinds``."""

    def __init__(self, design: TableDesign, fmt: str, source: str, heavy: int,
                 header: bytes | None = None) -> None:  # fmt: skip
        self.design, self.source, self.heavy = design, source, heavy
        self.rows = 0
        self.kinds: dict[str, _Kind] = {}
        self._pending: dict[int, tuple[HeavyCounter, list[Any]]] = {}
        self._plans: dict[RawKind, Plan | str] = {}
        self.parser: JsonlParser | CsvParser
        if fmt == "csv":
            self.parser = CsvParser(header or b"")
        else:
            fields = {f for e in design.entities for k in e.keys for f in _fields(k)}
            names = ([p.name for p in design.patterns], sorted(OPS),
                     [e.name for e in design.entities])  # fmt: skip
            self.parser = JsonlParser(sorted(fields), names)

    def plan(self, raw: RawKind) -> Plan | str:
        plan = self._plans.get(raw)
        if plan is None:
            try:
                plan = plan_of(self.design, raw)
            except ValueError as exc:
                plan = str(exc)
            self._plans[raw] = plan
        return plan

    def check(self, raw: RawKind, keys: dict[str, str]) -> str | None:
        plan = self.plan(raw)
        if isinstance(plan, str):
            return plan
        for t in plan.targets:
            missing = [f for f in t.pk if f not in keys]
            if t.required and missing:
                return f"no {missing[0]} for the partition key {t.pk_text!r} on {t.index}"
        return None

    def feed(self, chunk: bytes) -> tuple[int, int]:
        """Count a chunk of whole lines: the rows read and the newlines in it. A malformed
        line raises :class:`BadLine` (its number counted from the chunk's first line)."""
        rows = lines = start = 0
        end = len(chunk)
        while start < end:
            stop = chunk.find(b"\n", start + PIECE) + 1 or end
            piece = chunk if start == 0 and stop == end else chunk[start:stop]
            try:
                n, newlines = self._feed(piece)
            except BadLine as exc:
                raise BadLine(exc.line + chunk.count(b"\n", 0, start), exc.message) from None
            rows, lines, start = rows + n, lines + newlines, stop
        return rows, lines

    def _feed(self, piece: bytes) -> tuple[int, int]:
        try:
            groups, rows = self.parser.fast(piece)
            staged = self._stage(groups)
            lines = rows if piece.endswith(b"\n") else rows - 1
        except Slow:
            groups, rows = self.parser.slow(piece, self.check)
            try:
                staged = self._stage(groups)
            except Slow:
                raise BadLine(1, "cannot read this part of the trace") from None
            lines = piece.count(b"\n")
        for kind, n, per_minute, first, last, adds in staged:
            kind.count += n
            kind.first, kind.last = min(kind.first, first), max(kind.last, last)
            kind.per_minute.update(per_minute)
            for counter, values in adds:
                held = self._pending.get(id(counter))
                if held is None:
                    self._pending[id(counter)] = held = (counter, [])
                held[1].extend(values)
                if len(held[1]) >= BATCH:
                    del self._pending[id(counter)]
                    counter.add(held[1])
        self.rows += rows
        return rows, lines

    def flush(self) -> None:
        """Count what is still gathered: before the counts are read or sent."""
        pending, self._pending = self._pending, {}
        for counter, values in pending.values():
            counter.add(values)

    def _stage(self, groups: Groups) -> list[tuple[Any, ...]]:
        staged = []
        for raw, group in groups:
            plan = self.plan(raw)
            if isinstance(plan, str):
                raise Slow
            kind = self.kinds.get(plan.kind)
            if kind is None:
                kind = self.kinds[plan.kind] = _Kind(plan, self.heavy)
            adds: list[tuple[HeavyCounter, list[Any]]] = []
            for t in plan.targets:
                cols = [group.col(f) for f in t.pk]
                pick = _present(cols, t.required)
                if pick == []:
                    continue
                adds.append((kind.counter(kind.parts, t.index), _values(cols, pick)))
                if t.sk and plan.op not in NEW_ITEMS:
                    cols += [group.col(f) for f in t.sk]
                    pick = _present(cols, False)
                    if pick != []:
                        adds.append((kind.counter(kind.items, t.index), _values(cols, pick)))
            staged.append((kind, group.n, *minutes(group.times()), adds))
        return staged

    def merge(self, kinds: dict[str, _Kind], rows: int) -> None:
        self.flush()
        self.rows += rows
        for name, kind in kinds.items():
            if name in self.kinds:
                self.kinds[name].merge(kind)
            else:
                self.kinds[name] = kind

    def summary(self) -> TraceSummary:
        self.flush()
        requests = {name: k.observed() for name, k in sorted(self.kinds.items())}
        first = min((r.first for r in requests.values()), default=0.0)
        last = max((r.last for r in requests.values()), default=0.0)
        return TraceSummary(self.source, self.rows, first, last, requests)


def _fields(key: EntityKey) -> tuple[str, ...]:
    return key.pk.fields + (key.sk.fields if key.sk else ())


def _present(cols: list[list[Any]], required: bool) -> list[bool] | None:
    """None: every row has a value (non-empty) in every column; []: no row has them all;
    else a selector of the rows that have."""
    pick: list[bool] | None = None
    for col in cols:
        if not all(col):
            if required:
                raise Slow
            have = list(map(bool, col))
            pick = have if pick is None else list(map(and_, pick, have))
    return [] if pick is not None and not any(pick) else pick


def _values(cols: list[list[Any]], pick: list[bool] | None) -> list[Any]:
    values = cols[0] if len(cols) == 1 else list(zip(*cols, strict=True))
    return values if pick is None else list(compress(values, pick))
