"""The reads and writes of one item made concurrently, with their start and end times, and
the coherence rule checked over them.

The rule: a read that starts after a write was acknowledged returns that write's value or a
later one. With concurrency, "later" is known only in part: write ``a`` surely precedes
write ``b`` when ``a`` ended before ``b`` started. A read that returned ``a``'s value is
stale when some write ``b`` that surely follows ``a`` ended before the read started, and
``b`` binds the reader: its invalidation was delivered (nothing was left pending), or the
reader's own process made it; with a near cache, only the reader's own writes bind it.
"""

from __future__ import annotations

import math
import threading

import msgspec


class Op(msgspec.Struct, frozen=True):
    """One read or write: its process, interval (``time.monotonic``), the value written or
    read in canonical form (None: no item), and for writes whether an invalidation of the
    item was left pending in the writer's process when it ended."""

    process: str
    start: float
    end: float
    value: bytes | None
    pending: bool = False


class History:
    """Reads and writes of one item, from ``initial`` (the item before them, as
    acknowledged at ``since``) on. Thread-safe."""

    def __init__(self, item: str, initial: bytes | None, since: float, *, near: bool) -> None:
        self.item = item
        self.near = near
        self.writes: list[Op] = [Op("", -math.inf, since, initial)]
        self.reads: list[Op] = []
        self._lock = threading.Lock()

    def wrote(
        self, process: str, start: float, end: float, value: bytes | None, pending: bool
    ) -> None:
        with self._lock:
            self.writes.append(Op(process, start, end, value, pending))

    def read(self, process: str, start: float, end: float, value: bytes | None) -> None:
        with self._lock:
            self.reads.append(Op(process, start, end, value))

    def binds(self, write: Op, reader: str) -> bool:
        if write.process == reader:
            return True
        if write.process == "":
            return not self.near
        return not write.pending and not self.near

    def stale_reads(self) -> list[str]:
        """A description of every read that broke the rule (empty: none did)."""
        found: list[str] = []
        for read in self.reads:
            bound = [w for w in self.writes if w.end < read.start and self.binds(w, read.process)]
            sources = [w for w in self.writes if w.value == read.value and w.start < read.end]
            if not sources:
                found.append(f"{self.item}: read by {read.process} returned a value never written")
                continue
            if all(any(s.end < b.start for b in bound) for s in sources):
                newest = max(bound, key=lambda w: w.end)
                found.append(
                    f"{self.item}: read by {read.process} at +{read.start:.6f} returned a value "
                    f"older than the write by {newest.process or 'the setup'} acknowledged at "
                    f"+{newest.end:.6f}"
                )
        return found
