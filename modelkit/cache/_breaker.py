"""A circuit breaker per Redis node: after a run of failures it stops calling the node, then
lets one probe through after a pause and closes again when the probe succeeds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

BreakerState = Literal["closed", "open", "half-open"]


class CircuitBreaker:
    """``failures`` consecutive failures open the breaker for ``reset_after`` seconds; then
    one caller probes (half-open): success closes it, failure opens it again."""

    def __init__(
        self,
        failures: int = 3,
        reset_after: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failures < 1 or reset_after <= 0:
            raise ValueError("a breaker needs failures >= 1 and reset_after > 0")
        self.failures = failures
        self.reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._state: BreakerState = "closed"
        self._run = 0
        self._opened_at = 0.0
        self.opened = 0
        """How many times the breaker has opened."""

    @property
    def state(self) -> BreakerState:
        return self._state

    def allow(self) -> bool:
        """Whether a call may go to the node now (True for the one half-open probe)."""
        if self._state == "closed":
            return True
        with self._lock:
            if self._state == "open" and self._clock() - self._opened_at >= self.reset_after:
                self._state = "half-open"
                return True
            return False

    def success(self) -> None:
        if self._state == "closed" and self._run == 0:
            return
        with self._lock:
            self._state = "closed"
            self._run = 0

    def failure(self) -> None:
        with self._lock:
            self._run += 1
            if self._state == "half-open" or (
                self._state == "closed" and self._run >= self.failures
            ):
                self._state = "open"
                self._opened_at = self._clock()
                self.opened += 1
