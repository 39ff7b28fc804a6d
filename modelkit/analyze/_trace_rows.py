"""Trace parsing helpers: times to minutes, groups of rows of one kind, chunks of lines.

Speed notes (measured, CPython 3.11): a list comprehension over Structs beats
``map(attrgetter(...))`` by about three times, so columns are read by small generated
comprehensions; a sort of times already in order costs one comparison per time.
"""

from __future__ import annotations

import datetime as dt
import keyword
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from itertools import compress, repeat
from operator import ne
from typing import Any, BinaryIO

from modelkit.errors import LoadError

RawKind = tuple[str | None, str | None, str | None]
"""A row's (pattern, op, entity) as written, None when absent."""
Check = Callable[[RawKind, dict[str, str]], str | None]
"""Says what is wrong with a row of that kind carrying those keys (None: nothing)."""


class Slow(Exception):
    """The fast path cannot read this chunk: read it line by line."""


class BadLine(Exception):
    """Line ``line`` (1-based, within the chunk at hand) is malformed: ``message``."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(line, message)
        self.line = line
        self.message = message


# -- times -----------------------------------------------------------------------------------

_UTC = dt.UTC
_TOP = "\U0010ffff"
_MINUTES: dict[str, int] = {}


def parse_time(value: object) -> float:
    """Epoch seconds from a number or an ISO 8601 string (no offset: UTC); ValueError if bad."""
    if type(value) is float or type(value) is int:
        seconds = float(value)
    elif isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            seconds = float(value)
        else:
            seconds = (when if when.tzinfo else when.replace(tzinfo=_UTC)).timestamp()
    else:
        raise ValueError(value)
    if not math.isfinite(seconds):
        raise ValueError(value)
    return seconds


def minutes(times: list[Any]) -> tuple[Counter[int], float, float]:
    """Requests per minute (epoch // 60), earliest and latest time; Slow if any looks bad.

    ISO times without an offset are counted by their first 16 characters (to the minute),
    which are checked; only the earliest and latest are parsed in full."""
    try:
        joined = "\n".join(times)
    except TypeError:
        joined = None
    try:
        if joined is not None:
            if "+" not in joined and joined.count("-") == 2 * len(times):
                return _iso_minutes(sorted(times))
            times = [float(t) for t in times] if "-" not in joined else list(map(parse_time, times))
        elif not set(map(type, times)) <= {float, int}:
            times = list(map(parse_time, times))
        if not math.isfinite(sum(times)):
            raise Slow
    except ValueError:
        raise Slow from None
    times = sorted(times)
    counts: Counter[int] = Counter()
    i, n = 0, len(times)
    while i < n:
        minute = times[i] // 60
        j = bisect_left(times, (minute + 1) * 60, i)
        counts[int(minute)] += j - i
        i = j
    return counts, float(times[0]), float(times[-1])


def _iso_minutes(times: list[str]) -> tuple[Counter[int], float, float]:
    counts: Counter[int] = Counter()
    i, n = 0, len(times)
    while i < n:
        prefix = times[i][:16]
        if len(prefix) == 16:
            j = bisect_left(times, prefix + _TOP, i)
        else:  # a shorter time (a date): only itself
            j = bisect_right(times, prefix, i)
        minute = _MINUTES.get(prefix)
        if minute is None:
            minute = int(parse_time(prefix)) // 60
            if len(_MINUTES) > 100_000:
                _MINUTES.clear()
            _MINUTES[prefix] = minute
        counts[minute] += j - i
        i = j
    return counts, parse_time(times[0]), parse_time(times[-1])


def checked_time(value: object, line: int) -> float:
    try:
        return parse_time(value)
    except ValueError:
        raise BadLine(line, f"bad time {value!r} (expected ISO 8601 or epoch seconds)") from None


# -- groups of rows of one kind --------------------------------------------------------------


class Group:
    """Rows of one kind: their times and, per key field, a column of values (None or '' when
    the row gives none)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._cols: dict[str, list[Any]] = {}

    def times(self) -> list[Any]:
        raise NotImplementedError

    def col(self, field: str) -> list[Any]:
        column = self._cols.get(field)
        if column is None:
            column = self._cols[field] = self._column(field)
        return column

    def _column(self, field: str) -> list[Any]:
        raise NotImplementedError


class RowGroup(Group):
    """JSONL rows (msgspec Structs); ``numeric`` fields may hold numbers (made text here)."""

    def __init__(self, rows: list[Any], numeric: frozenset[str]) -> None:
        super().__init__(len(rows))
        self.rows = rows
        self.numeric = numeric

    def times(self) -> list[Any]:
        return [r.time for r in self.rows]

    def _column(self, field: str) -> list[Any]:
        column = _getter(field)(self.rows)
        if field in self.numeric:
            column = [v if v is None or type(v) is str else str(v) for v in column]
        return column


_GETTERS: dict[str, Callable[[list[Any]], list[Any]]] = {}


def _getter(field: str) -> Callable[[list[Any]], list[Any]]:
    """``rows -> [row.keys.<field> for row in rows]``, a comprehension made once per field."""
    getter = _GETTERS.get(field)
    if getter is None:
        if not field.isidentifier() or keyword.iskeyword(field):
            raise ValueError(f"not a field name: {field!r}")
        getter = _GETTERS[field] = eval(f"lambda rows: [r.keys.{field} for r in rows]")
    return getter


class ColGroup(Group):
    """CSV columns, each taken through ``picks`` (selectors from :func:`split`, in turn)."""

    def __init__(self, cols: dict[str, list[Any]], picks: tuple[list[Any], ...], n: int):
        super().__init__(n)
        self.source = cols
        self.picks = picks

    def times(self) -> list[Any]:
        return self.col("time")

    def _column(self, field: str) -> list[Any]:
        column = self.source.get(field)
        if column is None:
            return [""] * self.n
        for pick in self.picks:
            column = take(column, pick)
        return column


def text(value: object) -> str:
    """A key value as text (JSON numbers as Python writes them); TypeError for others."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    return str(value)


def split(keys: list[Hashable]) -> Iterator[tuple[Hashable, list[Any] | None]]:
    """Each distinct key with a selector of its rows: None (all), bools (for the biggest
    group, taken at C speed) or row numbers (the others: cheap when few). One or two keys
    (the usual) are told apart by ``list.count`` and ``list.index``: no hashing."""
    first, n = keys[0], len(keys)
    ahead = keys.count(first)
    if ahead == n:
        yield first, None
        return
    other = next(compress(keys, map(ne, keys, repeat(first))))
    behind = keys.count(other)
    if ahead + behind == n:
        major, minor = (first, other) if ahead >= behind else (other, first)
        index, at, rows, pick = keys.index, -1, [], [True] * n
        for _ in range(min(ahead, behind)):
            at = index(minor, at + 1)
            rows.append(at)
            pick[at] = False
        yield major, pick
        yield minor, rows
        return
    groups: dict[Hashable, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    yield from groups.items()


def take(items: list[Any], pick: list[Any] | None) -> list[Any]:
    """The items a selector from :func:`split` picks."""
    if pick is None:
        return items
    if type(pick[0]) is int:
        return [items[i] for i in pick]
    return list(compress(items, pick))


def line_chunks(stream: BinaryIO, chunk_rows: int) -> Iterator[bytes]:
    """Chunks of about ``chunk_rows`` whole lines (sized by the first chunk's lines)."""
    size, rest = max(1 << 16, chunk_rows * 64), b""
    sized = False
    while block := stream.read(size):
        data = rest + block if rest else block
        end = data.rfind(b"\n") + 1
        rest = data[end:]
        if end:
            yield data[:end]
            if not sized:
                sized = True
                size = max(1 << 16, chunk_rows * (end // max(1, data.count(b"\n", 0, end))))
    if rest:
        yield rest


def fail(source: str, line: int, message: str) -> LoadError:
    return LoadError(f"{source}:{line}: {message}")
