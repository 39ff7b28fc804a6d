"""The two trace formats: a chunk of whole lines into groups of rows of one kind.

``fast`` reads a whole chunk at once (JSONL: one msgspec decode; CSV: one split into
columns) or raises :class:`Slow`; ``slow`` reads it line by line, checks every row (``check``
judges its kind and keys) and raises :class:`BadLine` for the first bad one, or returns the
same groups. Line numbers count from 1 at the chunk's first line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from modelkit.analyze._trace_rows import (
    BadLine,
    Check,
    ColGroup,
    Group,
    RawKind,
    RowGroup,
    Slow,
    checked_time,
    split,
    take,
    text,
)

Groups = list[tuple[RawKind, Group]]
_KIND = ("pattern", "op", "entity")
_NUMBER = re.compile(r"^Expected `str \| null`, got `(int|float)` - at `\$\[\d+\]\.keys\.(\w+)`$")


class JsonlParser:
    """JSONL: ``{"time": ..., "pattern"|"op"+"entity": ..., "keys": {...}}`` per line.

    ``fields``: every key field of the design; ``names``: the allowed patterns, ops and
    entities (anything else fails the fast path, and the slow one says what is wrong). Key
    fields decode as strings until a number turns up in one; from then on that field also
    takes numbers, made text."""

    def __init__(self, fields: Sequence[str], names: Sequence[Sequence[str]]) -> None:
        self.fields = frozenset(fields)
        lits = [Literal[tuple(v)] | None if v else None for v in names]
        self.kinds = [(n, lit, None) for n, lit in zip(_KIND, lits, strict=True)]
        self.numeric: frozenset[str] = frozenset()
        self.row_type, self.keys_type = _row_type(self.fields, self.kinds, self.numeric)
        self.decoder = msgspec.json.Decoder(list[self.row_type])  # type: ignore[name-defined]

    def fast(self, chunk: bytes) -> tuple[Groups, int]:
        """The groups and the rows read."""
        body = b"[" + _chop(chunk, b"\n").replace(b"\n", b",") + b"]"
        while True:
            try:
                rows = self.decoder.decode(body)
            except msgspec.ValidationError as exc:
                found = _NUMBER.search(str(exc))
                if found is None or found[2] not in self.fields - self.numeric:
                    raise Slow from None
                self.numeric |= {found[2]}
                row, _ = _row_type(self.fields, self.kinds, self.numeric)
                self.decoder = msgspec.json.Decoder(list[row])  # type: ignore[valid-type]
            except msgspec.DecodeError:
                raise Slow from None
            else:
                return _rowgroups(rows, self.numeric), len(rows)

    def slow(self, chunk: bytes, check: Check) -> tuple[Groups, int]:
        rows: list[Any] = []
        row_type, keys_type = self.row_type, self.keys_type
        for line, raw in enumerate(chunk.split(b"\n"), 1):
            if not raw.strip():
                continue
            try:
                obj = msgspec.json.decode(raw)
            except msgspec.DecodeError as exc:
                raise BadLine(line, f"bad JSON ({exc})") from None
            kind, keys, when = _check(obj, line, check)
            known = keys_type(**{k: v for k, v in keys.items() if k in self.fields})
            rows.append(row_type(when, known, *kind))
        return _rowgroups(rows, frozenset()), len(rows)


def _check(obj: Any, line: int, check: Check) -> tuple[RawKind, dict[str, str], float]:
    if not isinstance(obj, dict):
        raise BadLine(line, "expected a JSON object")
    if obj.get("time") is None:
        raise BadLine(line, "missing time")
    when = checked_time(obj["time"], line)
    for name in _KIND:
        if not isinstance(obj.get(name, ""), str):
            raise BadLine(line, f"{name} must be a string")
    kind: RawKind = (obj.get("pattern"), obj.get("op"), obj.get("entity"))
    given = obj.get("keys", {})
    if not isinstance(given, dict):
        raise BadLine(line, "keys must be an object")
    keys: dict[str, str] = {}
    for name, value in given.items():
        try:
            if value is not None and value != "":
                keys[name] = text(value)
        except TypeError:
            raise BadLine(line, f"key {name} must be a string or a number") from None
    problem = check(kind, keys)
    if problem:
        raise BadLine(line, problem)
    return kind, keys, when


def _row_type(fields: frozenset[str], kinds: list[Any], numeric: frozenset[str]) -> tuple[Any, Any]:
    types = {f: str | int | float | None if f in numeric else str | None for f in fields}
    keys = msgspec.defstruct("Keys", [(f, types[f], None) for f in sorted(fields)], gc=False)
    given = msgspec.field(default_factory=keys)
    row = msgspec.defstruct("Row", [("time", str | float), ("keys", keys, given), *kinds], gc=False)
    return row, keys


def _rowgroups(rows: list[Any], numeric: frozenset[str]) -> Groups:
    """Rows by pattern (a loop: cheaper here than passes; a run of one pattern skips the
    lookup), then by op and entity for the few rows that give one."""
    plain: dict[str | None, list[Any]] = {}
    other: dict[RawKind, list[Any]] = {}
    last: object = plain
    group: list[Any] = []
    for row in rows:
        if row.op is None and row.entity is None:
            if row.pattern is not last:
                found = plain.get(row.pattern)
                if found is None:
                    found = plain[row.pattern] = []
                last, group = row.pattern, found
            group.append(row)
        else:
            kind = (row.pattern, row.op, row.entity)
            more = other.get(kind)
            if more is None:
                more = other[kind] = []
            more.append(row)
    out: Groups = [((p, None, None), RowGroup(g, numeric)) for p, g in plain.items()]
    out += [(kind, RowGroup(g, numeric)) for kind, g in other.items()]
    return out


class CsvParser:
    """CSV with a header row ``time,pattern,op,entity,<key field>...`` (pattern, op and entity
    optional); an empty cell is an absent value. ``header`` is the file's first line."""

    def __init__(self, header: bytes) -> None:
        try:
            line = header.decode("utf-8-sig").rstrip("\r\n")
        except UnicodeDecodeError:
            raise BadLine(1, "the header is not UTF-8") from None
        self.names = [name.strip() for name in next(csv.reader([line]), [])]
        if "time" not in self.names:
            raise BadLine(1, "the CSV header has no time column")
        if len(set(self.names)) != len(self.names) or "" in self.names:
            raise BadLine(1, "the CSV header has an empty or repeated column name")

    def fast(self, chunk: bytes) -> tuple[Groups, int]:
        try:
            data = _chop(_chop(chunk, b"\n"), b"\r").decode()
        except UnicodeDecodeError:
            raise Slow from None
        if "\r" in data:
            data = data.replace("\r\n", "\n")
        if '"' in data:
            raise Slow
        width, n = len(self.names), data.count("\n") + 1
        flat = data.replace("\n", ",\n,").split(",")
        if len(flat) != n * (width + 1) - 1 or flat[width :: width + 1].count("\n") != n - 1:
            raise Slow
        cols = {name: flat[i :: width + 1] for i, name in enumerate(self.names)}
        return self._groups(cols, n), n

    def slow(self, chunk: bytes, check: Check) -> tuple[Groups, int]:
        names, width = self.names, len(self.names)
        cols: dict[str, list[Any]] = {name: [] for name in names}
        for line, raw in enumerate(chunk.split(b"\n"), 1):
            try:
                data = raw.decode().rstrip("\r")
            except UnicodeDecodeError:
                raise BadLine(line, "the line is not UTF-8") from None
            if not data.strip():
                continue
            cells = next(csv.reader([data]))
            if len(cells) != width:
                raise BadLine(line, f"{len(cells)} cells where the header has {width}")
            row: dict[str, Any] = dict(zip(names, cells, strict=True))
            if not row["time"]:
                raise BadLine(line, "missing time")
            row["time"] = checked_time(row["time"], line)
            kind: RawKind = (row.get("pattern") or None, row.get("op") or None,
                             row.get("entity") or None)  # fmt: skip
            keys = {k: v for k, v in row.items() if v and k not in _KIND and k != "time"}
            problem = check(kind, keys)
            if problem:
                raise BadLine(line, problem)
            for name, value in row.items():
                cols[name].append(value)
        n = len(cols["time"])
        return (self._groups(cols, n) if n else []), n

    def _groups(self, cols: dict[str, list[Any]], n: int) -> Groups:
        """Split by pattern, then op, then entity."""
        out: Groups = []
        for pattern, picks, size in _level(cols.get("pattern"), (), n):
            for op, picks2, size2 in _level(cols.get("op"), picks, size):
                for entity, picks3, size3 in _level(cols.get("entity"), picks2, size2):
                    kind = (pattern or None, op or None, entity or None)
                    out.append((kind, ColGroup(cols, picks3, size3)))
        return out


def _chop(data: bytes, end: bytes) -> bytes:
    """``data`` without one ``end`` at its end (a blank line before stays, and fails)."""
    return data[: -len(end)] if data.endswith(end) else data


Picks = tuple[list[Any], ...]


def _level(column: list[Any] | None, picks: Picks, n: int) -> list[tuple[str, Picks, int]]:
    if column is None:
        return [("", picks, n)]
    for pick in picks:
        column = take(column, pick)
    if not any(column):
        return [("", picks, n)]
    out: list[tuple[str, Picks, int]] = []
    for value, sub in split(column):
        if sub is None:
            out.append((str(value), picks, n))
        else:
            size = sub.count(True) if type(sub[0]) is bool else len(sub)
            out.append((str(value), (*picks, sub), size))
    return out
