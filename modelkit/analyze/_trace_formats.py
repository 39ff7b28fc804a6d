"""The two trace formats: a chunk of whole lines into groups of rows of one kind.

``fast`` reads a whole chunk at C speed or raises :class:`Slow`; ``slow`` reads it line by
line, checks every row (``check`` judges its kind and keys) and raises :class:`LoadError`
naming the first bad line, or returns the same groups.
"""

from __future__ import annotations

import csv
from collections.abc import Hashable, Sequence
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
    entities (anything else fails the fast path and is reported by the slow one)."""

    def __init__(self, source: str, fields: Sequence[str], names: Sequence[Sequence[str]]):
        self.source = source
        self.fields = frozenset(fields)
        lits = [Literal[tuple(v)] | None if v else None for v in names]
        kinds = [(n, lit, None) for n, lit in zip(_KIND, lits, strict=True)]
        types = [_row_type(sorted(fields), kinds, value) for value in (str, str | int | float)]
        self.row_type, self.keys_type = types[0]
        self.decoders = [msgspec.json.Decoder(list[row]) for row, _ in types]  # type: ignore[valid-type]

    def fast(self, chunk: bytes) -> Groups:
        body = b"[" + chunk.rstrip(b"\r\n").replace(b"\n", b",") + b"]"
        for numeric, decoder in enumerate(self.decoders):
            try:
                return _rowgroups(decoder.decode(body), bool(numeric))
            except msgspec.DecodeError:
                continue
        raise Slow

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
        return _rowgroups(rows, False)

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


def _row_type(fields: list[str], kinds: list[Any], value: Any) -> tuple[Any, Any]:
    keys = msgspec.defstruct("Keys", [(f, value | None, None) for f in fields], gc=False)
    given = msgspec.field(default_factory=keys)
    row = msgspec.defstruct("Row", [("time", str | float), ("keys", keys, given), *kinds])
    return row, keys


def _rowgroups(rows: list[Any], numeric: bool) -> Groups:
    out: Groups = []
    for pattern, pick in split(list(map(_PATTERN, rows))):
        part = take(rows, pick)
        for op, pick2 in split(list(map(_OP, part))):
            part2 = take(part, pick2)
            for entity, pick3 in split(list(map(_ENTITY, part2))):
                kind = (pattern, op, entity)
                out.append((kind, RowGroup(take(part2, pick3), numeric)))  # type: ignore[arg-type]
    return out


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
        given = [cols.get(name) for name in _KIND]
        used = [c is not None and any(c) for c in given]
        keys: list[Hashable]
        if not any(used):
            keys = [""] * n
        elif used == [True, False, False]:
            keys = given[0]  # type: ignore[assignment]
        else:
            cols3 = [
                c if c is not None and u else [""] * n for c, u in zip(given, used, strict=True)
            ]
            keys = list(zip(*cols3, strict=True))
        out: Groups = []
        for key, pick in split(keys):
            parts = key if isinstance(key, tuple) else (key, "", "")
            kind: RawKind = (parts[0] or None, parts[1] or None, parts[2] or None)
            out.append((kind, ColGroup(cols, n, pick)))
        return out
