"""Drawing key values from a distribution, for the Monte-Carlo cross-check of the model.

Also the checks of a distribution's parameters and the reading of sample files, which
:func:`~modelkit.analyze._spectrum.spectrum` shares. Drawn labels match the spectrum's: rank
``r`` of a rank-based distribution is ``("#r",)`` (head or tail), a weighted or file value its
name, a constant its value (or ``"*"``), a sequential one ``("now",)``; :class:`Unique`
draws fresh labels ``("new-1",)``, ``("new-2",)``, ...
"""

from __future__ import annotations

import itertools
import math
import random
from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from pathlib import Path

from modelkit.analyze._distributions import (
    Constant,
    Distribution,
    Hotspot,
    Latest,
    Sample,
    Sequential,
    Uniform,
    Unique,
    Weighted,
    Zipf,
)
from modelkit.errors import LoadError

MAX_SIMULATED = 10_000_000
"""The most values a Zipf or latest distribution may have to be sampled (a table of
cumulative weights, 8 bytes a value, is built on the first draw)."""

Draw = Callable[[int], list[tuple[str, ...]]]
"""``draw(k)``: ``k`` sampled value labels."""


def sampler(dist: Distribution, rng: random.Random, *, base: Path | None = None) -> Draw:
    """A function drawing ``k`` value labels of ``dist`` with ``rng``, exactly by inverse
    CDF. Uniform and hotspot draw from any number of values; Zipf and latest raise
    :class:`ValueError` past ``MAX_SIMULATED`` values. A sample file is read relative to
    ``base``."""
    match dist:
        case Constant(value=value):
            label = (value or "*",)
            return lambda k: [label] * k
        case Sequential(n=n):
            value_count(n, "sequential")
            return lambda k: [("now",)] * k
        case Unique():
            fresh = itertools.count(1)
            return lambda k: [(f"new-{next(fresh)}",) for _ in range(k)]
        case Uniform(n=n):
            size = value_count(n, "uniform")
            return lambda k: [(f"#{rng.randrange(size) + 1}",) for _ in range(k)]
        case Hotspot():
            return _hotspot(hotspot_groups(dist), rng)
        case Zipf(n=n, s=s) | Latest(n=n, s=s):
            what = "zipf" if isinstance(dist, Zipf) else "latest"
            return _zipf(value_count(n, what), exponent(s, what), what, rng)
        case Weighted(values=values):
            ranked = sorted(check_weights(values, "weighted"), key=lambda item: -item[1])
            return _weighted([(name,) for name, _ in ranked], [w for _, w in ranked], rng)
        case Sample(path=path):
            ranked = sorted(read_sample(path, base), key=lambda item: -item[1])
            return _weighted([(name,) for name, _ in ranked], [w for _, w in ranked], rng)
    raise TypeError(f"not a distribution: {dist!r}")


def _hotspot(groups: list[tuple[int, float]], rng: random.Random) -> Draw:
    first_count, first_share = groups[0]

    def draw(k: int) -> list[tuple[str, ...]]:
        out: list[tuple[str, ...]] = []
        for _ in range(k):
            if len(groups) == 1 or rng.random() < first_share:
                rank = rng.randrange(first_count) + 1
            else:
                rank = first_count + rng.randrange(groups[1][0]) + 1
            out.append((f"#{rank}",))
        return out

    return draw


def _zipf(n: int, s: float, what: str, rng: random.Random) -> Draw:
    if n > MAX_SIMULATED:
        raise ValueError(
            f"{what}: {n:,} values are too many to simulate (at most {MAX_SIMULATED:,})"
        )
    table: list[array[float]] = []

    def draw(k: int) -> list[tuple[str, ...]]:
        if not table:
            table.append(array("d", itertools.accumulate(math.pow(r, -s) for r in range(1, n + 1))))
        cumulative = table[0]
        total = cumulative[-1]
        return [
            (f"#{min(bisect_right(cumulative, rng.random() * total), n - 1) + 1}",)
            for _ in range(k)
        ]

    return draw


def _weighted(labels: list[tuple[str, ...]], weights: Sequence[float], rng: random.Random) -> Draw:
    cumulative = list(itertools.accumulate(weights))
    total, last = cumulative[-1], len(labels) - 1
    return lambda k: [
        labels[min(bisect_right(cumulative, rng.random() * total), last)] for _ in range(k)
    ]


def value_count(n: float, what: str) -> int:
    """``int(n)``, refusing counts below 1 or not finite."""
    if not (math.isfinite(n) and n >= 1):
        raise ValueError(f"{what}: n must be >= 1, got {n:g}")
    return int(n)


def exponent(s: float, what: str) -> float:
    """``s``, refusing a Zipf exponent that is not above 0."""
    if not (math.isfinite(s) and s > 0):
        raise ValueError(f"{what}: s must be > 0, got {s:g}")
    return float(s)


def hotspot_groups(dist: Hotspot) -> list[tuple[int, float]]:
    """``(count, total share)`` of the hot and cold values, hottest group first."""
    n = value_count(dist.n, "hotspot")
    f, h = dist.hot_fraction, dist.hot_share
    if not 0.0 < f <= 1.0:
        raise ValueError(f"hotspot: hot_fraction must be between 0 and 1 (above 0), got {f:g}")
    if not 0.0 <= h <= 1.0:
        raise ValueError(f"hotspot: hot_share must be between 0 and 1, got {h:g}")
    hot = min(n, max(1, round(n * f)))
    if hot == n:
        return [(n, 1.0)]
    groups = [(hot, h), (n - hot, 1.0 - h)]
    return sorted(groups, key=lambda g: -g[1] / g[0])


def check_weights(values: dict[str, float], what: str) -> list[tuple[str, float]]:
    """``values`` as ``(name, weight)`` pairs, refusing negative, infinite or NaN weights
    and an empty or zero total."""
    items = [(name, float(w)) for name, w in values.items()]
    if not items or any(not (math.isfinite(w) and w >= 0) for _, w in items):
        raise ValueError(f"{what}: weights must be >= 0 with a positive sum")
    if math.fsum(w for _, w in items) <= 0:
        raise ValueError(f"{what}: weights must be >= 0 with a positive sum")
    return items


def read_sample(path: str, base: Path | None) -> list[tuple[str, float]]:
    """The ``(value, weight)`` pairs of a sample file, in first-seen order: one value per
    line (weight 1) or ``value,weight`` (split at the last comma); blank lines and lines
    starting with ``#`` skipped; repeated values add up."""
    file = Path(path)
    if base is not None and not file.is_absolute():
        file = base / file
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoadError(f"{file}: sample file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{file}: cannot read the sample file: {exc}") from None
    weights: dict[str, float] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        value, comma, weight_text = line.rpartition(",")
        if not comma:
            value, weight = line, 1.0
        else:
            value = value.strip()
            try:
                weight = float(weight_text)
            except ValueError:
                msg = f"{file}:{number}: weight {weight_text.strip()!r} is not a number"
                raise LoadError(msg) from None
            if not (math.isfinite(weight) and weight >= 0):
                raise LoadError(f"{file}:{number}: weight must be >= 0, got {weight_text}")
        if not value:
            raise LoadError(f"{file}:{number}: empty value")
        weights[value] = weights.get(value, 0.0) + weight
    if math.fsum(weights.values()) <= 0:
        raise LoadError(f"{file}: no value with a positive weight")
    return list(weights.items())
