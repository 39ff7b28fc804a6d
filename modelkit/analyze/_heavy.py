"""Bounded counting of key identities: heavy hitters with an error bound, and a distinct count.

:class:`HeavyCounter` counts hashable identities (strings, or tuples of strings) in batches,
and holds at most ``2 x capacity`` of them between batches.

*Heavy hitters.* A batch is counted exactly (``collections.Counter``, C speed), then added to
a table. While the table has room, everything goes in. Once it is full, identities seen once
in the batch are left out (the long tail of one-off keys, which would only be pruned again;
a heavy key is seen many times), and ``error`` grows by 1. When the table holds more than
``2 x capacity`` identities, Misra-Gries: with ``d`` its ``(capacity + 1)``-th largest count,
every count drops by ``d``, those at zero or below are forgotten, and ``error`` grows by
``d`` (at least ``capacity + 1`` identities lose ``d``, so these cuts add up to at most
``total / (capacity + 1)``). Both steps keep, for every identity with true count ``c`` and
table count ``h`` (0 when absent)::

    h <= c <= h + error

So ``error`` is at most the number of batches plus ``total / (capacity + 1)``, and in practice
far less than the top counts of a skewed trace. The report keeps the ``capacity`` largest
counts as they are and adds the largest count it leaves out to ``error``. Counters merge by
adding tables and errors (how parallel readers combine). With ``capacity`` at least the
number of distinct identities, counts are exact and ``error`` is 0.

*Distinct identities* (KMV, k minimum values): the ``SKETCH`` smallest distinct hashes of the
identities seen; with ``m`` the largest scaled to (0, 1], ``(SKETCH - 1) / m`` estimates the
distinct count, relative standard error about ``1 / sqrt(SKETCH)`` (1.1%); exact below
``SKETCH``. Hashes are Python's ``hash()`` (salted per process): sketches merge within one
process or between processes forked from it.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import add, lt, sub
from typing import Any

SKETCH = 8192
"""Hashes the distinct-count sketch keeps."""

_OFFSET = 1 << (sys.hash_info.width - 1)
_SPAN = float(1 << sys.hash_info.width)


@dataclass
class KeyCounts:
    """Requests per key identity, bounded.

    ``heavy``: the most frequent identities and their counts; any identity not in it has at
    most ``error`` requests, and a count in it is under the true count by at most ``error``.
    ``distinct``: the estimated number of distinct identities (exact below 8,192).
    """

    total: int
    heavy: dict[tuple[str, ...], int]
    error: int
    distinct: float


@dataclass
class HeavyCounter:
    """Heavy hitters (batched Misra-Gries) and a KMV distinct sketch over identities."""

    capacity: int
    total: int = 0
    error: int = 0
    counts: dict[Hashable, int] = field(default_factory=dict)
    mins: set[int] = field(default_factory=set)
    unique: bool = False
    """Whether the last batch counted held each identity once."""
    top: int | None = None
    """The ``SKETCH``-th smallest hash when last trimmed (None: not yet full)."""

    def add(self, values: list[Hashable]) -> None:
        """Count one batch."""
        self.total += len(values)
        if self.unique and len(self.counts) + len(values) > 2 * self.capacity:
            seen = set(values)  # cheaper than counting when all are one-offs (ids)
            if len(seen) == len(values):
                self._sketch(map(hash, seen))
                self.error += 1  # all seen once, and the table is full: left out
                return
        batch = Counter(values)
        self.unique = len(batch) == len(values)
        self._sketch(map(hash, batch))
        self._merge(list(batch), list(batch.values()))

    def merge(self, other: HeavyCounter) -> None:
        """Add ``other``'s counts (same hash salt: this process or a fork of it)."""
        self.total += other.total
        self.error += other.error
        self._sketch(other.mins)
        self._merge(list(other.counts), list(other.counts.values()), whole=True)

    def result(self, head: tuple[str, ...]) -> KeyCounts:
        """The report: the ``capacity`` largest counts; an identity is ``head`` followed by the
        key (a string, or a tuple of strings)."""
        return self.results([head])[0]

    def results(self, heads: list[tuple[str, ...]]) -> list[KeyCounts]:
        """:meth:`result` for each of ``heads`` (ranked once)."""
        error = self.error
        keys: list[Any] = list(self.counts)
        counts = list(self.counts.values())
        if len(keys) > self.capacity:
            order = sorted(range(len(keys)), key=counts.__getitem__, reverse=True)
            error += counts[order[self.capacity]]
            keys = [keys[i] for i in order[: self.capacity]]
            counts = [counts[i] for i in order[: self.capacity]]
        kinds, distinct = set(map(type, keys)), self.distinct()
        out = []
        for head in heads:
            if tuple not in kinds:  # strings: tuples made at C speed
                idents: list[Any] = list(zip(*map(repeat, head), keys, strict=False))
            elif kinds == {tuple}:
                idents = list(map(head.__add__, keys))
            else:
                idents = [head + k if type(k) is tuple else (*head, k) for k in keys]
            heavy = dict(zip(idents, counts, strict=True))
            out.append(KeyCounts(self.total, heavy, error, distinct))
        return out

    def distinct(self) -> float:
        if len(self.mins) < SKETCH:
            return float(len(self.mins))
        kth = sorted(self.mins)[SKETCH - 1]
        return (SKETCH - 1) / ((kth + _OFFSET + 1) / _SPAN)

    def _merge(self, keys: list[Hashable], ns: list[int], whole: bool = False) -> None:
        counts = self.counts
        if not whole and len(counts) + len(keys) > 2 * self.capacity and 1 in ns:
            self.error += 1  # the identities seen once are left out
            keep = [n > 1 for n in ns]
            keys, ns = list(compress(keys, keep)), list(compress(ns, keep))
        old = map(counts.get, keys, repeat(0))
        counts.update(zip(keys, map(add, old, ns), strict=True))
        if len(counts) > 2 * self.capacity:
            self._prune()

    def _prune(self) -> None:
        counts = self.counts
        values = counts.values()
        cut = sorted(values, reverse=True)[self.capacity]
        self.error += cut
        keep = list(compress(counts, map(lt, repeat(cut), values)))
        self.counts = dict(
            zip(keep, map(sub, map(counts.__getitem__, keep), repeat(cut)), strict=True)
        )

    def _sketch(self, hashes: Iterable[int]) -> None:
        """Keep the smallest hashes: all of them until ``SKETCH``, then those under ``top``
        (the ``SKETCH``-th smallest when last trimmed), trimmed back at ``2 x SKETCH``."""
        mins, top = self.mins, self.top
        if top is None:
            mins.update(hashes)
        else:
            mins.update([h for h in hashes if h < top])
        if len(mins) >= (SKETCH if top is None else 2 * SKETCH):
            self.mins = mins = set(sorted(mins)[:SKETCH])
            self.top = max(mins)
