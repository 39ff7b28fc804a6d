"""The two trace formats: a chunk of whole lines into groups of rows of one kind.

``fast`` reads a whole chunk at C speed or raises :class:`Slow`; ``slow`` reads it line by
line, checks every row (``check`` judges its kind and keys) and raises :class:`LoadError`
naming the first bad line, or returns the same groups.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from operator import attrgetter
from typing import Any, Literal

import msgspec

from modelkit.analyze._trace_rows import (
    Check,
    ColGroup,
    Group,
    RawKind,
    RowGroup,
    Slow,
    checked_time,
    fail,
    split,
    take,
    text,
)
from modelkit.errors import LoadError

Groups = list[tuple[RawKind, Group]]
_KIND = ("pattern", "op", "entity")
_PATTERN, _OP, _ENTITY = map(attrgetter, _KIND)


class JsonlParser:
    """JSONL: ``{"time": ..., "pattern"|"op"+"entity": ..., "keys": {...}}`` per line.

    ``fields``: every key field of the design; ``names``: the allowed patterns, ops and
    entities (anything else fails the fast path and is reported by the slow one). Key fields
    are decoded as strings until a number turns up in one; from then on that field also
    takes numbers, turned into text."""

    def __init__(self, source: str, fields: Sequence[str], names: Sequence[Sequence[str]]):
        self.source = source
        self.fields = frozenset(fields)
        lits = [Literal[tuple(v)] | None if v else None for v in names]
        self.kinds = [(n, lit, None) for n, lit in zip(_KIND, lits, strict=True)]
        self.numeric: frozenset[str] = frozenset()
        self.row_type, self.keys_type = _row_type(self.fields, self.kinds, frozenset())
        self.decoder = msgspec.json.Decoder(list[self.row_type])  # type: ignore[name-defined]

    def fast(self, chunk: bytes) -> Groups:
        body = b"[" + chunk.rstrip(b"\r\n").replace(b"\n", b",") + b"]"
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
                return _rowgroups(rows, self.numeric, body.count(b'"op"'), body.count(b'"entity"'))

    def slow(self, chunk: bytes, line0: int, check: Check) -> Groups:
        rows: list[Any] = []
        row_type, keys_type = self.row_type, self.keys_type
        for line, raw in enumerate(chunk.split(b"\n"), line0):
            if not raw.strip():
                continue
            try:
                obj = msgspec.json.decode(raw)
            except msgspec.DecodeError as exc:
                raise fail(self.source, line, f"bad JSON ({exc})") from None
            kind, keys, when = self._check(obj, line, check)
            known = keys_type(**{k: v for k, v in keys.items() if k in self.fields})
            rows.append(row_type(when, known, *kind))
        return _rowgroups(rows, frozenset())

    def _check(self, obj: Any, line: int, check: Check) -> tuple[RawKind, dict[str, str], float]:
        def bad(message: str) -> LoadError:
            return fail(self.source, line, message)

        if not isinstance(obj, dict):
            raise bad("expected a JSON object")
        if obj.get("time") is None:
            raise bad("missing time")
        when = checked_time(obj["time"], bad)
        for name in _KIND:
            if not isinstance(obj.get(name, ""), str):
                raise bad(f"{name} must be a string")
        kind: RawKind = (obj.get("pattern"), obj.get("op"), obj.get("entity"))
        given = obj.get("keys", {})
        if not isinstance(given, dict):
            raise bad("keys must be an object")
        keys: dict[str, str] = {}
        for name, value in given.items():
            if value is not None:
                try:
                    keys[name] = text(value)
                except TypeError:
                    raise bad(f"key {name} must be a string or a number") from None
        problem = check(kind, keys)
        if problem:
            raise bad(problem)
        return kind, keys, when


_NUMBER = re.compile(r"^Expected `str \| null`, got `(int|float)` - at `\$\[\d+\]\.keys\.(\w+)`$")


def _row_type(fields: frozenset[str], kinds: list[Any], numeric: frozenset[str]) -> tuple[Any, Any]:
    types = {f: str | int | float | None if f in numeric else str | None for f in fields}
    keys = msgspec.defstruct("Keys", [(f, types[f], None) for f in sorted(fields)], gc=False)
    given = msgspec.field(default_factory=keys)
    row = msgspec.defstruct("Row", [("time", str | float), ("keys", keys, given), *kinds])
    return row, keys


def _rowgroups(rows: list[Any], numeric: frozenset[str], ops: int = -1, ents: int = -1) -> Groups:
    """Split rows by pattern, then op, then entity. ``ops``/``ents``: how many rows name an
    op/entity (-1: unknown); when the rows without a pattern account for all of them, rows
    with a pattern are not searched (were it wrong, a row without a pattern would lack them,
    and the slow path would report it)."""
    parts = [(pattern, take(rows, pick)) for pattern, pick in split(list(map(_PATTERN, rows)))]
    bare = sum(len(part) for pattern, part in parts if pattern is None)
    out: Groups = []
    for pattern, part in parts:
        named = pattern is not None
        for op, part2 in _level(part, _OP, named and ops == bare):
            for entity, group in _level(part2, _ENTITY, named and ents == bare):
                out.append(((pattern, op, entity), RowGroup(group, numeric)))  # type: ignore[arg-type]
    return out


def _level(rows: list[Any], get: attrgetter[Any], skip: bool) -> list[tuple[Any, list[Any]]]:
    if skip or not any(map(get, rows)):
        return [(None, rows)]
    return [(value, take(rows, pick)) for value, pick in split(list(map(get, rows)))]


class CsvParser:
    """CSV with a header row ``time,pattern,op,entity,<key field>...`` (pattern, op and entity
    optional); an empty cell is an absent value. ``header`` is the first line of the file."""

    def __init__(self, source: str, header: bytes) -> None:
        self.source = source
        try:
            line = header.decode("utf-8-sig").rstrip("\r\n")
        except UnicodeDecodeError:
            raise fail(source, 1, "the header is not UTF-8") from None
        self.names = [name.strip() for name in next(csv.reader([line]), [])]
        if "time" not in self.names:
            raise fail(source, 1, "the CSV header has no time column")
        if len(set(self.names)) != len(self.names) or "" in self.names:
            raise fail(source, 1, "the CSV header has an empty or repeated column name")

    def fast(self, chunk: bytes) -> Groups:
        try:
            data = chunk.decode().rstrip("\r\n")
        except UnicodeDecodeError:
            raise Slow from None
        if "\r" in data:
            data = data.replace("\r\n", "\n")
        width, n = len(self.names), data.count("\n") + 1
        if '"' in data:
            raise Slow
        flat = data.replace("\n", ",\n,").split(",")
        if len(flat) != n * (width + 1) - 1 or flat[width :: width + 1].count("\n") != n - 1:
            raise Slow
        return self._groups({name: flat[i :: width + 1] for i, name in enumerate(self.names)}, n)

    def slow(self, chunk: bytes, line0: int, check: Check) -> Groups:
        names, width = self.names, len(self.names)
        cols: dict[str, list[Any]] = {name: [] for name in names}
        for line, raw in enumerate(chunk.split(b"\n"), line0):

            def bad(message: str, line: int = line) -> LoadError:
                return fail(self.source, line, message)

            try:
                data = raw.decode().rstrip("\r")
            except UnicodeDecodeError:
                raise bad("the line is not UTF-8") from None
            if not data.strip():
                continue
            cells = next(csv.reader([data]))
            if len(cells) != width:
                raise bad(f"{len(cells)} cells where the header has {width}")
            row = dict(zip(names, cells, strict=True))
            if not row["time"]:
                raise bad("missing time")
            when = checked_time(row["time"], bad)
            kind: RawKind = (row.get("pattern") or None, row.get("op") or None,
                             row.get("entity") or None)  # fmt: skip
            keys = {k: v for k, v in row.items() if v and k not in _KIND and k != "time"}
            problem = check(kind, keys)
            if problem:
                raise bad(problem)
            row["time"] = when  # type: ignore[assignment]
            for name, value in row.items():
                cols[name].append(value)
        n = len(cols["time"])
        return self._groups(cols, n) if n else []

    def _groups(self, cols: dict[str, list[Any]], n: int) -> Groups:
        """Split by pattern, then op, then entity (as :func:`_rowgroups` does)."""
        given = [cols.get(name) for name in _KIND]
        ops, ents = (-1 if c is None else n - c.count("") for c in given[1:])
        parts = _col_level(given[0], (), n, False)
        bare = sum(size for pattern, _, size in parts if not pattern)
        out: Groups = []
        for pattern, picks, size in parts:
            for op, picks2, size2 in _col_level(given[1], picks, size, pattern and ops == bare):
                for entity, picks3, size3 in _col_level(
                    given[2], picks2, size2, pattern and ents == bare
                ):
                    kind = (pattern or None, op or None, entity or None)
                    out.append((kind, ColGroup(cols, picks3, size3)))
        return out


Picks = tuple[list[Any], ...]


def _col_level(
    column: list[Any] | None, picks: Picks, n: int, skip: Any
) -> list[tuple[str, Picks, int]]:
    if column is None or skip:
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
