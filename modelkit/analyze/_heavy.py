"""Bounded counting of key identities: heavy hitters with an error bound, and a distinct count.

:class:`HeavyCounter` counts hashable identities (strings, or tuples of strings) in batches,
and holds at most ``2 x capacity`` of them between batches.

*Heavy hitters.* A batch is counted exactly (``collections.Counter``, C speed), then added to
a table. While the table has room, everything goes in. Once it is full, an identity seen once
in the batch and absent from the table is not added (the long tail of one-off keys, which
would only be pruned again), and ``error`` grows by 1. When the table holds more than
``2 x capacity`` identities, Misra-Gries: with ``d`` its ``(capacity + 1)``-th largest count,
every count drops by ``d``, those at zero or below are forgotten, and ``error`` grows by
``d`` (at least ``capacity + 1`` identities lose ``d``, so these cuts add up to at most
``total / (capacity + 1)``). Both steps keep, for every identity with true count ``c`` and
table count ``h`` (0 when absent)::

    h <= c <= h + error

The report keeps the ``capacity`` largest counts as they are and adds the largest count it
leaves out to ``error``. Counters merge by adding tables and errors (how parallel readers
combine). With ``capacity`` at least the number of distinct identities, counts are exact and
``error`` is 0.

*Distinct identities* (KMV, k minimum values): the ``SKETCH`` smallest distinct hashes of the
identities seen; with ``m`` the largest scaled to (0, 1], ``(SKETCH - 1) / m`` estimates the
distinct count, relative standard error about ``1 / sqrt(SKETCH)`` (1.6%); exact below
``SKETCH``. Hashes are Python's ``hash()`` (salted per process): sketches merge within one
process or between processes forked from it.
"""

from __future__ import annotations

import heapq
import sys
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import add, lt, sub

SKETCH = 4096
"""Hashes the distinct-count sketch keeps."""

_OFFSET = 1 << (sys.hash_info.width - 1)
_SPAN = float(1 << sys.hash_info.width)


@dataclass
class KeyCounts:
    """Requests per key identity, bounded.

    ``heavy``: the most frequent identities and their counts; any identity not in it has at
    most ``error`` requests, and a count in it is under the true count by at most ``error``.
    ``distinct``: the estimated number of distinct identities (exact below 4,096).
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
    top: int = 0

    def add(self, values: list[Hashable]) -> None:
        """Count one batch."""
        self.total += len(values)
        batch = Counter(values)
        self._sketch(map(hash, batch))
        self._merge(list(batch), list(batch.values()))

    def merge(self, other: HeavyCounter) -> None:
        """Add ``other``'s counts (same hash salt: this process or a fork of it)."""
        self.total += other.total
        self.error += other.error
        self._sketch(other.mins)
        self._merge(list(other.counts), list(other.counts.values()), whole=True)

    def result(self, label: Callable[[Hashable], tuple[str, ...]]) -> KeyCounts:
        """The report: the ``capacity`` largest counts, keys turned into identities by ``label``."""
        error = self.error
        items: Iterable[tuple[Hashable, int]] = self.counts.items()
        if len(self.counts) > self.capacity:
            top = heapq.nlargest(self.capacity + 1, items, key=_second)
            error += top[-1][1]
            items = top[:-1]
        heavy: dict[tuple[str, ...], int] = {}
        for key, count in items:
            ident = label(key)
            heavy[ident] = heavy.get(ident, 0) + count
        return KeyCounts(self.total, heavy, error, self.distinct())

    def distinct(self) -> float:
        if len(self.mins) < SKETCH:
            return float(len(self.mins))
        return (SKETCH - 1) / ((self.top + _OFFSET + 1) / _SPAN)

    def _merge(self, keys: list[Hashable], ns: list[int], whole: bool = False) -> None:
        counts = self.counts
        if not whole and len(counts) + len(keys) > 2 * self.capacity and 1 in ns:
            # keep the identities seen more than once, and the ones the table knows
            keep = [n > 1 or k in counts for k, n in zip(keys, ns, strict=True)]
            if not all(keep):
                self.error += 1
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
        mins = self.mins
        size = len(mins)
        if size < SKETCH:
            mins.update(hashes)
        else:
            top = self.top
            mins.update([h for h in hashes if h < top])
        grown = len(mins) != size
        if len(mins) > SKETCH:
            self.mins = mins = set(sorted(mins)[:SKETCH])
        if grown and len(mins) == SKETCH:
            self.top = max(mins)


def _second(item: tuple[Hashable, int]) -> int:
    return item[1]
