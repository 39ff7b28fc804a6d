"""Invalidations that could not be delivered (Redis down or paused during a write).

Until one is delivered, this process reads that item from DynamoDB only; they are retried
before other cache calls, at most 20 times a second. Each entry carries a sequence number,
so a later successful invalidation clears only entries older than itself."""

from __future__ import annotations

import itertools
import threading
import time

from modelkit.cache._transport import CacheDown, Transport

RETRY_EVERY = 0.05


class PendingInvalidations:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._entries: dict[bytes, tuple[int, tuple[bytes, ...]]] = {}
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._next_retry = 0.0

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, value_key: bytes) -> bool:
        return value_key in self._entries

    def mark(self) -> int:
        """A sequence number to pass to :meth:`clear` after a successful invalidation."""
        return next(self._seq)

    def add(self, keys: tuple[bytes, ...]) -> None:
        """Remember that ``keys`` (an item's or a partition's, value key first) must be
        deleted."""
        with self._lock:
            self._entries[keys[0]] = (next(self._seq), keys)

    def clear(self, value_key: bytes, upto: int) -> None:
        """Forget ``value_key`` if it was added before the invalidation numbered ``upto``."""
        if value_key not in self._entries:
            return
        with self._lock:
            entry = self._entries.get(value_key)
            if entry is not None and entry[0] < upto:
                del self._entries[value_key]

    def retry(self) -> None:
        """Try to deliver every pending invalidation (rate-limited; never raises)."""
        if not self._entries or time.monotonic() < self._next_retry:
            return
        self._next_retry = time.monotonic() + RETRY_EVERY
        upto = self.mark()
        with self._lock:
            entries = list(self._entries.values())
        commands = [(keys[0], ("DEL", *keys)) for _, keys in entries]
        replies = self._transport.calls(commands)
        for (_, keys), reply in zip(entries, replies, strict=True):
            if not isinstance(reply, Exception | CacheDown):
                self.clear(keys[0], upto)
