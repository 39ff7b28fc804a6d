"""An optional in-process cache in front of Redis: encoded values, each kept at most a
fixed time, least recently used dropped first. Coherent with this process's own writes
only; other processes' writes reach it when its entries expire."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class NearCache:
    """At most ``items`` encoded values, each kept at most ``ttl`` seconds."""

    def __init__(self, ttl: float, items: int) -> None:
        self.ttl = ttl
        self.items = items
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._drops = 0

    @property
    def generation(self) -> int:
        """Changes with every drop: read it before a Redis read and pass it to :meth:`put`,
        so that a value read before this process's own write is not kept after it."""
        return self._drops

    def get(self, tag: str) -> bytes | None:
        with self._lock:
            entry = self._entries.get(tag)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[tag]
                return None
            self._entries.move_to_end(tag)
            return entry[1]

    def put(self, tag: str, data: bytes, ttl: float, since: int | None = None) -> None:
        """Keep ``data`` at most ``ttl`` seconds, unless a drop happened after ``since``."""
        with self._lock:
            if since is not None and since != self._drops:
                return
            self._entries[tag] = (time.monotonic() + min(ttl, self.ttl), data)
            self._entries.move_to_end(tag)
            while len(self._entries) > self.items:
                self._entries.popitem(last=False)

    def drop(self, tag: str) -> None:
        with self._lock:
            self._drops += 1
            self._entries.pop(tag, None)

    def clear(self) -> None:
        with self._lock:
            self._drops += 1
            self._entries.clear()
