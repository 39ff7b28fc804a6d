"""Loads over key values without materialising them: an exact head and an aggregated tail.

A :class:`Spectrum` describes how requests spread over the values of a key field (or of a
whole key): a list of bins, most requested first. Bin ``i`` stands for ``count`` values that
each take the share ``p`` of the requests; head bins hold one value each and carry its label.
A Zipf(0.99) over 10^9 values is about 1,700 bins: the top 1,000 values exactly, the rest in
about 700 bins whose shares differ by 2% at most.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
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
from modelkit.analyze._sampling import (
    check_weights,
    exponent,
    hotspot_groups,
    read_sample,
    value_count,
)
from modelkit.analyze._zipf import zipf_ranges

UNIQUE_VALUES = 1e15
"""How many values :class:`Unique` stands for: every request a value never seen before."""


@dataclass(frozen=True, slots=True)
class Bin:
    """``count`` values, each requested with probability ``p``; ``label`` names the value
    when ``count == 1`` and it is known (``("#1",)`` for the top rank, ``("PAID",)``)."""

    count: float
    p: float
    label: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Spectrum:
    """Bins sorted by ``p``, highest first; ``sum(b.count * b.p) == 1``.

    ``time_ordered``: the hot values move with time (latest, sequential), so split for heat
    cannot follow them.
    """

    bins: tuple[Bin, ...]
    time_ordered: bool = False

    @property
    def values(self) -> float:
        """How many distinct values."""
        return sum(b.count for b in self.bins)

    @property
    def top(self) -> float:
        """The share of the most requested value."""
        return self.bins[0].p if self.bins else 0.0


def spectrum(
    dist: Distribution, *, base: Path | None = None, head: int = 1000, ratio: float = 1.02
) -> Spectrum:
    """The spectrum of ``dist``: its ``head`` most requested values one bin each, labelled
    (``("#r",)`` for rank ``r`` of a rank-based distribution, the name for weighted and file
    values), then bins of consecutive values whose shares differ by at most ``ratio``.

    A :class:`Sample` file is read relative to ``base``. Raises :class:`ValueError` for bad
    parameters and :class:`~modelkit.errors.LoadError` for an unreadable sample file.
    """
    check_resolution(head, ratio)
    match dist:
        case Uniform(n=n):
            return Spectrum(expand_groups([(value_count(n, "uniform"), 1.0)], head))
        case Zipf(n=n, s=s):
            return Spectrum(_zipf_bins(value_count(n, "zipf"), exponent(s, "zipf"), head, ratio))
        case Latest(n=n, s=s):
            bins = _zipf_bins(value_count(n, "latest"), exponent(s, "latest"), head, ratio)
            return Spectrum(bins, time_ordered=True)
        case Hotspot():
            return Spectrum(expand_groups(hotspot_groups(dist), head))
        case Sequential(n=n):
            value_count(n, "sequential")
            return Spectrum((Bin(1, 1.0, ("now",)),), time_ordered=True)
        case Constant(value=value):
            return Spectrum((Bin(1, 1.0, (value or "*",)),))
        case Weighted(values=values):
            return Spectrum(weighted_bins(check_weights(values, "weighted"), head, ratio))
        case Sample(path=path):
            return Spectrum(weighted_bins(read_sample(path, base), head, ratio))
        case Unique():
            return Spectrum((Bin(UNIQUE_VALUES, 1.0 / UNIQUE_VALUES),))
    raise TypeError(f"not a distribution: {dist!r}")


@dataclass(frozen=True, slots=True)
class LoadBin:
    """``count`` consecutive ranks, each value carrying ``load`` (one figure per component
    of the weights given to :func:`merge_by_rank`); ``label`` names the value when known."""

    count: float
    load: tuple[float, ...]
    label: tuple[str, ...] | None = None


def product(a: Spectrum, b: Spectrum, *, head: int = 1000, ratio: float = 1.02) -> Spectrum:
    """The spectrum of a key built from two independent fields: pairs of values with
    ``p = p_a * p_b``. The ``head`` hottest pairs of labelled values are labelled bins
    (``a.label + b.label``). For the rest, each side's bins are merged while their shares
    differ by at most ``ratio``, and pairs of merged bins are grouped on a grid of factor
    ``ratio`` in ``p``. Mass is exact; cost is the product of the merged bin counts."""
    check_resolution(head, ratio)
    tops = _top_pairs(a.bins, b.bins, head)
    cells_a, of_a = _coarsen(a.bins, ratio)
    cells_b, of_b = _coarsen(b.bins, ratio)
    size = int(cells_a[-1][2] + cells_b[-1][2]) + 2 if cells_a and cells_b else 0
    count, mass = [0.0] * size, [0.0] * size
    for ca, ma, ga in cells_a:
        for cb, mb, gb in cells_b:
            k = int(ga + gb)
            count[k] += ca * cb
            mass[k] += ma * mb
    for i, j, pair in tops:
        k = int(cells_a[of_a[i]][2] + cells_b[of_b[j]][2])
        count[k] -= 1.0
        mass[k] -= pair.p
    bins = [pair for _, _, pair in tops]
    bins += [
        Bin(_whole(c), max(m, 0.0) / _whole(c))
        for c, m in zip(count, mass, strict=True)
        if c >= 0.5
    ]
    zero_a = sum(x.count for x in a.bins if x.p <= 0)
    zero_b = sum(x.count for x in b.bins if x.p <= 0)
    if zero_a or zero_b:
        zeros = zero_a * b.values + a.values * zero_b - zero_a * zero_b
        bins.append(Bin(_whole(zeros), 0.0))
    # Shares equal to 12 digits count as ties; labelled bins first among ties.
    bins.sort(key=lambda x: (-float(f"{x.p:.12g}"), x.label is None))
    total = math.fsum(x.count * x.p for x in bins) or 1.0
    scaled = tuple(Bin(x.count, x.p / total, x.label) for x in bins)
    return Spectrum(scaled, time_ordered=a.time_ordered or b.time_ordered)


def _whole(count: float) -> float:
    return float(round(count)) if count < 2.0**53 else count


def _top_pairs(a: tuple[Bin, ...], b: tuple[Bin, ...], head: int) -> list[tuple[int, int, Bin]]:
    """The ``head`` hottest pairs of labelled single values requested at all, as ``(index in
    a, index in b, bin)``, by a best-first walk over the two sorted lists."""
    sa = [i for i, x in enumerate(a) if x.count == 1 and x.label is not None and x.p > 0]
    sb = [j for j, x in enumerate(b) if x.count == 1 and x.label is not None and x.p > 0]
    if not sa or not sb or head <= 0:
        return []
    heap = [(-a[sa[0]].p * b[sb[0]].p, 0, 0)]
    seen = {(0, 0)}
    out: list[tuple[int, int, Bin]] = []
    while heap and len(out) < head:
        neg_p, i, j = heapq.heappop(heap)
        x, y = a[sa[i]], b[sb[j]]
        out.append((sa[i], sb[j], Bin(1, -neg_p, (x.label or ()) + (y.label or ()))))
        for ni, nj in ((i, j + 1), (i + 1, j)):
            if ni < len(sa) and nj < len(sb) and (ni, nj) not in seen:
                seen.add((ni, nj))
                heapq.heappush(heap, (-a[sa[ni]].p * b[sb[nj]].p, ni, nj))
    return out


def _coarsen(
    bins: tuple[Bin, ...], ratio: float
) -> tuple[list[tuple[float, float, float]], list[int]]:
    """Consecutive bins merged while their shares differ by at most ``ratio``, as
    ``(count, mass, g)`` with ``g = log(top p / mean p) / log(ratio)``, and the merged cell of
    every bin (-1 when ``p == 0``)."""
    cells: list[tuple[float, float]] = []
    of: list[int] = []
    first = 0.0
    for x in bins:
        if x.p <= 0.0:
            of.append(-1)
            continue
        if cells and x.p * ratio >= first:
            count, mass = cells[-1]
            cells[-1] = (count + x.count, mass + x.count * x.p)
        else:
            cells.append((x.count, x.count * x.p))
            first = x.p
        of.append(len(cells) - 1)
    if not cells:
        return [], of
    top, scale = cells[0][1] / cells[0][0], 1.0 / math.log(ratio)
    return [(c, m, max(0.0, math.log(top * c / m) * scale)) for c, m in cells], of


def merge_by_rank(parts: Sequence[tuple[Spectrum, tuple[float, ...]]]) -> tuple[LoadBin, ...]:
    """The comonotone sum of weighted spectra: the rank-``r`` value of every part is taken to
    be the same value (hottest with hottest, the conservative case), so rank ``r`` carries
    ``sum(weight * p_part(r))``, 0 from a part with fewer values. Steps break at every
    part's bin boundary; the label is the first part's, where it has a labelled single value.
    Cost: total bins times parts."""
    if not parts:
        return ()
    width = len(parts[0][1])
    if any(len(w) != width for _, w in parts):
        raise ValueError("merge_by_rank: every weight vector must have the same length")
    index = [0] * len(parts)
    ends = [(spec.bins[0].count, q) for q, (spec, _) in enumerate(parts) if spec.bins]
    heapq.heapify(ends)
    out: list[LoadBin] = []
    start = 0.0
    while ends:
        end = ends[0][0]
        if end - start > 1e-12 * end:
            current = [
                spec.bins[i].p if i < len(spec.bins) else 0.0
                for (spec, _), i in zip(parts, index, strict=True)
            ]
            load = tuple(
                sum(w[d] * p for (_, w), p in zip(parts, current, strict=True))
                for d in range(width)
            )
            first_bins, i = parts[0][0].bins, index[0]
            label = (
                first_bins[i].label if i < len(first_bins) and first_bins[i].count == 1 else None
            )
            out.append(LoadBin(end - start, load, label))
            start = end
        while ends and ends[0][0] <= end * (1 + 1e-12):
            at, q = heapq.heappop(ends)
            index[q] += 1
            bins = parts[q][0].bins
            if index[q] < len(bins):
                heapq.heappush(ends, (at + bins[index[q]].count, q))
    return tuple(out)


def check_resolution(head: int, ratio: float) -> None:
    """Refuse a negative ``head`` or a ``ratio`` that is not above 1."""
    if head < 0:
        raise ValueError(f"spectrum: head must be >= 0, got {head}")
    if not 1.0 < ratio < math.inf:
        raise ValueError(f"spectrum: ratio must be > 1, got {ratio:g}")


def expand_groups(groups: list[tuple[int, float]], head: int) -> tuple[Bin, ...]:
    """Bins for groups of equally requested values ``(count, total share)``, hottest first:
    the first ``head`` values one labelled bin each (``#1``, ``#2``, ...), then a bin per
    group for the rest."""
    bins: list[Bin] = []
    rank = 0
    for count, share in groups:
        p = share / count
        single = min(count, max(0, head - rank))
        bins.extend(Bin(1, p, (f"#{rank + i + 1}",)) for i in range(single))
        if count > single:
            bins.append(Bin(count - single, p))
        rank += count
    return tuple(bins)


def _zipf_bins(n: int, s: float, head: int, ratio: float) -> tuple[Bin, ...]:
    return tuple(
        Bin(1, share, (f"#{a}",)) if a == b and a <= head else Bin(b - a + 1, share / (b - a + 1))
        for a, b, share in zipf_ranges(n, s, head, ratio)
    )


def weighted_bins(items: list[tuple[str, float]], head: int, ratio: float) -> tuple[Bin, ...]:
    """Bins for named values with weights: sorted by weight (ties keep their order), the
    first ``head`` labelled, the rest grouped while weights differ by at most ``ratio``."""
    ranked = sorted(items, key=lambda item: -item[1])
    total = math.fsum(w for _, w in ranked)
    bins = [Bin(1, w / total, (name,)) for name, w in ranked[:head]]
    rest = [w for _, w in ranked[head:]]
    i = 0
    while i < len(rest):
        j = i + 1
        while j < len(rest) and rest[j] * ratio >= rest[i]:
            j += 1
        bins.append(Bin(j - i, math.fsum(rest[i:j]) / total / (j - i)))
        i = j
    return tuple(bins)
