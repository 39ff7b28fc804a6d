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

    def put(self, tag: str, data: bytes, ttl: float) -> None:
        with self._lock:
            self._entries[tag] = (time.monotonic() + min(ttl, self.ttl), data)
            self._entries.move_to_end(tag)
            while len(self._entries) > self.items:
                self._entries.popitem(last=False)

    def drop(self, tag: str) -> None:
        with self._lock:
            self._entries.pop(tag, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
