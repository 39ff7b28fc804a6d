"""Trace parsing: chunks of whole lines into groups of rows of one kind, columns at C speed.

Each chunk takes a fast path first (JSONL: the whole chunk decoded by msgspec at once; CSV:
the whole chunk split on commas and sliced into columns). Anything unusual (a blank or bad
line, quotes, a time with an offset, an unknown pattern) sends the chunk down a slow path that
reads it line by line, raises :class:`LoadError` naming the first bad line, or returns the
same groups. Key values are strings (JSON numbers are written back as text).
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import compress, islice, repeat
from operator import attrgetter, eq, floordiv, getitem, is_not, le
from typing import Any, BinaryIO

from modelkit.errors import LoadError

RawKind = tuple[str | None, str | None, str | None]
"""A row's (pattern, op, entity) as written, None when absent."""
Check = Callable[[RawKind, dict[str, str]], str | None]
"""Says what is wrong with a row of that kind carrying those keys (None: nothing)."""


class Slow(Exception):
    """The fast path cannot read this chunk: read it line by line."""


# -- times -----------------------------------------------------------------------------------

_UTC = dt.UTC
_PREFIX = slice(0, 16)
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

    ISO times without offsets are checked and counted by their first 16 characters (to the
    minute); only the earliest and latest are parsed in full. Times in order (the usual case)
    are counted by bisection."""
    try:
        joined = "\n".join(times)
    except TypeError:
        joined = None
    try:
        if joined is not None:
            if "+" not in joined and joined.count("-") == 2 * len(times):
                return _iso_minutes(times)
            times = list(map(float, times) if "-" not in joined else map(parse_time, times))
        elif not set(map(type, times)) <= {float, int}:
            times = list(map(parse_time, times))
        if not math.isfinite(sum(times)):
            raise Slow
    except ValueError:
        raise Slow from None
    counts: Counter[int] = Counter()
    if _ordered(times):
        i, n = 0, len(times)
        while i < n:
            minute = times[i] // 60
            j = bisect_left(times, (minute + 1) * 60, i)
            counts[int(minute)] += j - i
            i = j
        return counts, float(times[0]), float(times[-1])
    for minute, count in Counter(map(floordiv, times, repeat(60))).items():
        counts[int(minute)] += count
    return counts, float(min(times)), float(max(times))


def _ordered(values: list[Any]) -> bool:
    return all(map(le, values, islice(values, 1, None)))


def _iso_minutes(times: list[str]) -> tuple[Counter[int], float, float]:
    prefixes: Iterable[tuple[str, int]]
    if _ordered(times) and len(times[0]) >= 16:
        prefixes, lo, hi = _runs(times), times[0], times[-1]
    else:
        counted: Counter[str] = Counter(map(getitem, times, repeat(_PREFIX)))
        prefixes, lo, hi = counted.items(), *_bounds(times)
    counts: Counter[int] = Counter()
    for prefix, count in prefixes:
        minute = _MINUTES.get(prefix)
        if minute is None:
            minute = int(parse_time(prefix)) // 60
            if len(_MINUTES) > 100_000:
                _MINUTES.clear()
            _MINUTES[prefix] = minute
        counts[minute] += count
    return counts, parse_time(lo), parse_time(hi)


def _bounds(times: list[str]) -> tuple[str, str]:
    return min(times), max(times)


def _runs(times: list[str]) -> Iterator[tuple[str, int]]:
    """(prefix, count) of ordered times sharing their first 16 characters."""
    i, n = 0, len(times)
    while i < n:
        prefix = times[i][:16]
        if len(prefix) < 16:
            raise ValueError(prefix)
        j = bisect_left(times, prefix + "\U0010ffff", i)
        yield prefix, j - i
        i = j


# -- groups of rows of one kind --------------------------------------------------------------


class Group:
    """Rows of one kind: their times and, per key field, a column of values."""

    absent: str | None = None

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

    def present(self, column: list[Any]) -> list[bool]:
        return list(map(is_not, column, repeat(None)))


class RowGroup(Group):
    """JSONL rows (msgspec Structs); absent keys are None."""

    def __init__(self, rows: list[Any], numeric: bool) -> None:
        super().__init__(len(rows))
        self.rows = rows
        self.numeric = numeric

    def times(self) -> list[Any]:
        return list(map(_TIME, self.rows))

    def _column(self, field: str) -> list[Any]:
        column = list(map(attrgetter("keys." + field), self.rows))
        if self.numeric and not set(map(type, column)) <= {str, type(None)}:
            column = [v if v is None else text(v) for v in column]
        return column


class ColGroup(Group):
    """CSV columns, each taken through ``picks`` (selectors from :func:`split`, in turn);
    absent cells are ''."""

    absent = ""

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

    def present(self, column: list[Any]) -> list[bool]:
        return list(map(bool, column))


def text(value: object) -> str:
    """A key value as text (JSON numbers as written by Python)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    return str(value)


def split(keys: list[Hashable]) -> Iterator[tuple[Hashable, list[Any] | None]]:
    """Distinct keys and a selector of their rows (bools, or row numbers; None: all)."""
    distinct = set(keys)
    if len(distinct) == 1:
        yield keys[0], None
    elif len(distinct) <= 4:
        for key in distinct:
            yield key, list(map(eq, keys, repeat(key)))
    else:
        rows: dict[Hashable, list[int]] = {key: [] for key in distinct}
        for i, key in enumerate(keys):
            rows[key].append(i)
        yield from rows.items()


def take(items: list[Any], pick: list[Any] | None) -> list[Any]:
    if pick is None:
        return items
    if type(pick[0]) is int:
        return list(map(items.__getitem__, pick))
    return list(compress(items, pick))


_TIME = attrgetter("time")


def fail(source: str, line: int, message: str) -> LoadError:
    return LoadError(f"{source}:{line}: {message}")


def line_chunks(stream: BinaryIO, chunk_rows: int) -> Iterator[bytes]:
    """Chunks of about ``chunk_rows`` whole lines (sized by the lines seen so far)."""
    size, rest = max(1 << 16, chunk_rows * 64), b""
    while block := stream.read(size):
        data = rest + block if rest else block
        end = data.rfind(b"\n") + 1
        rest = data[end:]
        if end:
            yield data[:end]
            size = max(1 << 16, chunk_rows * (end // max(1, data.count(b"\n", 0, end))))
    if rest:
        yield rest


def checked_time(value: object, bad: Callable[[str], LoadError]) -> float:
    try:
        return parse_time(value)
    except ValueError:
        raise bad(f"bad time {value!r} (expected ISO 8601 or epoch seconds)") from None
