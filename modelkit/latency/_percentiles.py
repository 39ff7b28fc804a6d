"""Percentiles of latency samples (linear interpolation between closest ranks)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec

QUANTILES = (0.5, 0.95, 0.99)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0 ≤ q ≤ 1) of ``values``: the value at rank ``q * (n - 1)`` of the
    sorted values, interpolated between its neighbours (NumPy's default ``linear`` method).
    NaN when there are no values."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"percentile: q must be between 0 and 1, got {q:g}")
    if not values:
        return math.nan
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


class Latency(msgspec.Struct, kw_only=True):
    """How many samples, and their p50, p95 and p99 in milliseconds (None without samples)."""

    count: int
    p50: float | None
    p95: float | None
    p99: float | None


def summarize(seconds: Sequence[float]) -> Latency:
    """The :class:`Latency` of samples given in seconds."""
    if not seconds:
        return Latency(count=0, p50=None, p95=None, p99=None)
    ordered = sorted(seconds)
    p50, p95, p99 = (percentile(ordered, q) * 1000.0 for q in QUANTILES)
    return Latency(count=len(ordered), p50=p50, p95=p95, p99=p99)
