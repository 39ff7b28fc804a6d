"""Counting a trace's rows: what each kind of row touches, and bounded counts per index.

See :mod:`modelkit.analyze._trace` for the trace format and what a request touches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from itertools import compress
from operator import and_
from typing import Any

from modelkit.analyze._heavy import HeavyCounter, KeyCounts
from modelkit.analyze._trace_formats import CsvParser, Groups, JsonlParser
from modelkit.analyze._trace_rows import BadLine, RawKind, Slow, minutes
from modelkit.schema._design import PRIMARY, EntityDesign, EntityKey, TableDesign

PIECE = 1 << 21
"""Bytes read at a time (whole lines): small enough to stay in cache and memory."""
READS = frozenset({"get", "query", "batch_get"})
WRITES = frozenset({"put", "update", "delete", "transaction"})
OPS = READS | WRITES | {"scan"}
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


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
    source: str
    rows: int
    first: float
    last: float
    requests: dict[str, ObservedRequests]


@dataclass(frozen=True)
class _Target:
    index: str
    pk: tuple[str, ...]
    sk: tuple[str, ...]
    pk_text: str
    sk_text: str
    required: bool


@dataclass(frozen=True)
class _Plan:
    kind: str
    pattern: str | None
    op: str
    entity: str
    index: str
    targets: tuple[_Target, ...]


def _plan(design: TableDesign, raw: RawKind) -> _Plan:
    """What a row of this kind touches; ValueError saying what is wrong with the kind."""
    pattern, op, name = raw
    if pattern is not None:
        found = [p for p in design.patterns if p.name == pattern]
        if not found:
            raise ValueError(f"unknown pattern {pattern!r}")
        pat = found[0]
        if op is not None and op != pat.op:
            raise ValueError(f"op {op!r} does not match pattern {pattern!r} (op {pat.op!r})")
        name = name or pat.entities[0]
        if name not in pat.entities:
            raise ValueError(f"entity {name!r} is not one of {pattern!r}'s: {pat.entities}")
        op, index = pat.op, pat.index
        kind = pattern if name == pat.entities[0] else f"{pattern} ({name})"
    elif op is not None:
        if op not in OPS:
            raise ValueError(f"unknown op {op!r} (expected one of {', '.join(sorted(OPS))})")
        if name is None:
            raise ValueError(f"op {op!r} needs an entity")
        index, kind = PRIMARY, f"{op} {name}"
    else:
        raise ValueError("a row needs a pattern, or an op and an entity")
    entities = {e.name: e for e in design.entities}
    if name not in entities:
        raise ValueError(f"unknown entity {name!r}")
    entity = entities[name]
    if op in READS:
        targets = [_target(entity, index, True)]
    elif op in WRITES:
        targets = [_target(entity, i.name, i.name == PRIMARY) for i in design.indexes]
    else:
        targets = []
    if None in targets:
        raise ValueError(f"entity {name!r} has no key on index {index!r}")
    ok = tuple(t for t in targets if t is not None)
    return _Plan(kind, raw[0], op, name, index, ok)


def _target(entity: EntityDesign, index: str, required: bool) -> _Target | None:
    key = entity.key(index)
    if key is None:
        return None
    sk = key.sk.fields if key.sk else ()
    return _Target(index, key.pk.fields, sk, key.pk.text, key.sk.text if key.sk else "", required)


@dataclass
class _Kind:
    plan: _Plan
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
            parts[t.index] = self.parts[t.index].result(_label((t.pk_text,)))
            sk_counter = self.items.get(t.index) if t.sk else self.parts[t.index]
            if sk_counter is not None:
                items[t.index] = sk_counter.result(_label((t.pk_text, t.sk_text)))
        return ObservedRequests(p.kind, p.pattern, p.op, p.entity, p.index, self.count,
                                self.first, self.last, dict(sorted(self.per_minute.items())),
                                parts, items)  # fmt: skip


def _label(head: tuple[str, ...]) -> Callable[[Hashable], tuple[str, ...]]:
    def label(key: Hashable) -> tuple[str, ...]:
        values: tuple[str, ...] = key if isinstance(key, tuple) else (str(key),)
        return (*head, *values)

    return label


class Reader:
    """Counts the rows of one trace, chunk by chunk (``feed``); picklable state in ``kinds``."""

    def __init__(self, design: TableDesign, fmt: str, source: str, heavy: int,
                 header: bytes | None = None) -> None:  # fmt: skip
        self.design, self.source, self.heavy = design, source, heavy
        self.rows = 0
        self.kinds: dict[str, _Kind] = {}
        self._plans: dict[RawKind, _Plan | str] = {}
        self.parser: JsonlParser | CsvParser
        if fmt == "csv":
            self.parser = CsvParser(header or b"")
        else:
            fields = {f for e in design.entities for k in e.keys for f in _fields(k)}
            names = ([p.name for p in design.patterns], sorted(OPS),
                     [e.name for e in design.entities])  # fmt: skip
            self.parser = JsonlParser(sorted(fields), names)

    def plan(self, raw: RawKind) -> _Plan | str:
        plan = self._plans.get(raw)
        if plan is None:
            try:
                plan = _plan(self.design, raw)
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
                counter.add(values)
        self.rows += rows
        return rows, lines

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
                pick = _present(group, cols, t.required)
                if pick == []:
                    continue
                adds.append((kind.counter(kind.parts, t.index), _values(cols, pick)))
                if t.sk:
                    cols += [group.col(f) for f in t.sk]
                    pick = _present(group, cols, False)
                    if pick != []:
                        adds.append((kind.counter(kind.items, t.index), _values(cols, pick)))
            staged.append((kind, group.n, *minutes(group.times()), adds))
        return staged

    def merge(self, kinds: dict[str, _Kind], rows: int) -> None:
        self.rows += rows
        for name, kind in kinds.items():
            if name in self.kinds:
                self.kinds[name].merge(kind)
            else:
                self.kinds[name] = kind

    def summary(self) -> TraceSummary:
        requests = {name: k.observed() for name, k in sorted(self.kinds.items())}
        first = min((r.first for r in requests.values()), default=0.0)
        last = max((r.last for r in requests.values()), default=0.0)
        return TraceSummary(self.source, self.rows, first, last, requests)


def _fields(key: EntityKey) -> tuple[str, ...]:
    return key.pk.fields + (key.sk.fields if key.sk else ())


def _present(group: Any, cols: list[list[Any]], required: bool) -> list[bool] | None:
    """None: every row has every column; []: no row has them all; else a selector."""
    pick: list[bool] | None = None
    for col in cols:
        if group.absent in col:
            if required:
                raise Slow
            have = group.present(col)
            pick = have if pick is None else list(map(and_, pick, have))
    return [] if pick is not None and not any(pick) else pick


def _values(cols: list[list[Any]], pick: list[bool] | None) -> list[Any]:
    values = cols[0] if len(cols) == 1 else list(zip(*cols, strict=True))
    return values if pick is None else list(compress(values, pick))
