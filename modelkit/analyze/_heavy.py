"""Bounded counting of key identities: heavy hitters with an error bound, and a distinct count.

:class:`HeavyCounter` counts hashable identities in batches and never holds more than about
``2 x capacity`` of them (plus one batch's new identities before it prunes).

*Heavy hitters* (Misra-Gries, batched). Each batch is counted exactly into a table
(``collections.Counter``, so at C speed). When the table holds more than ``2 x capacity``
identities, let ``d`` be its ``(capacity + 1)``-th largest count: every count drops by ``d``,
the identities left at zero or below are forgotten, and ``error`` grows by ``d``. At least
``capacity + 1`` identities lose ``d`` each time, so ``error ≤ total / (capacity + 1)``, and for
every identity with true count ``c`` and kept count ``h`` (0 when not kept)::

    h ≤ c ≤ h + error

The final report keeps the ``capacity`` largest counts without subtracting, and adds the
largest count it drops to ``error``, so the bound still holds. Two counters merge by adding
tables and errors (then pruning), which is how parallel readers combine.

*Distinct identities* (KMV, k minimum values): the sketch keeps the ``SKETCH`` smallest
distinct hashes seen; with ``m`` the largest of them scaled to (0, 1], ``(SKETCH - 1) / m``
estimates the distinct count with a relative standard error of about ``1 / sqrt(SKETCH)``
(1.6%); below ``SKETCH`` distinct identities it is exact. Hashes are Python's ``hash()``:
identities must be strings or tuples of strings (salted per process, well mixed). Sketches
merge only within one process or between processes forked from it (same hash salt).
"""

from __future__ import annotations

import heapq
import sys
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

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
    counts: Counter[Hashable] = field(default_factory=Counter)
    mins: set[int] = field(default_factory=set)
    top: int = 0

    def add(self, values: list[Hashable]) -> None:
        """Count one batch (strings, or tuples of strings)."""
        if not values:
            return
        self.total += len(values)
        self.counts.update(values)
        self._sketch(map(hash, values))
        if len(self.counts) > 2 * self.capacity:
            self._prune()

    def merge(self, other: HeavyCounter) -> None:
        """Add ``other``'s counts (same hash salt: this process or a fork of it)."""
        self.total += other.total
        self.error += other.error
        counts = self.counts
        for key, count in other.counts.items():
            counts[key] = counts.get(key, 0) + count
        self._sketch(other.mins)
        if len(counts) > 2 * self.capacity:
            self._prune()

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
        return (SKETCH - 1) / ((max(self.mins) + _OFFSET + 1) / _SPAN)

    def _prune(self) -> None:
        counts = self.counts
        cut = sorted(counts.values(), reverse=True)[self.capacity]
        self.error += cut
        kept: Counter[Hashable] = Counter()
        if cut < max(counts.values()):
            dict.update(kept, {k: c - cut for k, c in counts.items() if c > cut})
        self.counts = kept

    def _sketch(self, hashes: Iterable[int]) -> None:
        mins = self.mins
        if len(mins) < SKETCH:
            mins.update(hashes)
        else:
            mins.update(filter(self.top.__gt__, hashes))
        if len(mins) > SKETCH:
            self.mins = mins = set(sorted(mins)[:SKETCH])
        if len(mins) == SKETCH:
            self.top = max(mins)


def _second(item: tuple[Hashable, int]) -> int:
    return item[1]
