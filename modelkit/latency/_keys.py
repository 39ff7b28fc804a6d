"""Zipf-distributed key choice: rank ``k`` (1-based) of ``n`` is drawn with probability
``k**-s / H(n, s)``, the model of YCSB's zipfian request distribution."""

from __future__ import annotations

import bisect
import itertools
import math
import random


def zipf_weights(n: int, s: float) -> list[float]:
    """The probability of each rank 1..n (index 0 is rank 1); they sum to 1."""
    if n < 1:
        raise ValueError(f"zipf: n must be at least 1, got {n}")
    if not (math.isfinite(s) and s >= 0):
        raise ValueError(f"zipf: s must be a finite number >= 0, got {s:g}")
    raw = [math.pow(k, -s) for k in range(1, n + 1)]
    total = math.fsum(raw)
    return [w / total for w in raw]


class ZipfKeys:
    """Draws indexes 0..n-1 (index ``i`` is rank ``i + 1``) from Zipf(``s``), reproducibly
    for a given ``seed``."""

    def __init__(self, n: int, s: float, seed: int | None = 0) -> None:
        self.n = n
        self.s = s
        self.weights = zipf_weights(n, s)
        self._cumulative = list(itertools.accumulate(self.weights))
        self._cumulative[-1] = 1.0
        self._random = random.Random(seed)

    def __call__(self) -> int:
        """One index."""
        index = bisect.bisect_right(self._cumulative, self._random.random())
        return min(index, self.n - 1)

    def sample(self, count: int) -> list[int]:
        """``count`` indexes."""
        return [self() for _ in range(count)]
