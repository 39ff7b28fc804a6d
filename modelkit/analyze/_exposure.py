"""What one pattern suffers on one index: the verdicts of the keys and partitions its own
requests hit, and the share of its requests that land on partitions over the limit.

A pattern's requests land where its keys are placed: each labelled value of its spectrum on
the partition the index analysis put that value on, the rest (aggregated tail values, scans)
evenly over every partition, as :func:`modelkit.analyze._partitions.place` spreads them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from modelkit.analyze._capacity import READ_LIMIT, WRITE_LIMIT
from modelkit.analyze._contributions import Contribution
from modelkit.analyze._index_analysis import IndexAnalysis
from modelkit.analyze._partitions import KeyLoad, partition_verdict
from modelkit.analyze._report import Verdict
from modelkit.analyze._scoring import worst


@dataclass(frozen=True, slots=True)
class Exposure:
    """``verdict``: the worst of the pattern's own keys, ``throttles-until-split`` when some
    of its requests land on a partition over the limit, and the index-wide limits;
    ``hot_share``: the fraction of its load on partitions over the limit; ``utilisation``:
    the most loaded partition it reaches, over the limit."""

    verdict: Verdict
    hot_share: float
    utilisation: float


@dataclass(frozen=True, slots=True)
class KeyMap:
    """An index's keys: the placed head keys by (template, label), the rest by template."""

    placed: dict[tuple[str, tuple[str, ...]], KeyLoad]
    tails: dict[str, list[KeyLoad]]


def key_map(index: IndexAnalysis) -> KeyMap:
    placed: dict[tuple[str, tuple[str, ...]], KeyLoad] = {}
    tails: dict[str, list[KeyLoad]] = defaultdict(list)
    for key in index.keys:
        if key.label is not None and key.partition is not None:
            placed[key.template, key.label] = key
        else:
            tails[key.template].append(key)
    return KeyMap(placed, tails)


def exposure(
    index: IndexAnalysis,
    contributions: Sequence[Contribution],
    dimension: str,
    keys: KeyMap | None = None,
) -> Exposure:
    """The exposure of the pattern whose ``contributions`` (on ``index``) send ``dimension``
    load (``read`` or ``write``); ``keys``: the index's :func:`key_map`, when already made."""
    placement = index.placement
    found = keys or key_map(index)
    placed, tails = found.placed, found.tails
    slots = [0.0] * placement.count
    even = 0.0
    own: list[Verdict] = []
    for c in contributions:
        units = c.read if dimension == "read" else c.write
        if units <= 0:
            continue
        if c.spread:
            even += units
            continue
        tail = 0.0
        for b in c.spectrum.bins:
            if b.p <= 0:
                continue
            hit = placed.get((c.template, b.label)) if b.count == 1 and b.label else None
            if hit is None or hit.partition is None:
                tail += b.count * b.p
                continue
            slots[hit.partition] += units * b.p
            own.append(hit.verdict(dimension))
        if tail > 1e-12:
            even += units * tail
            own.extend(k.verdict(dimension) for k in tails[c.template])
    total = sum(slots) + even
    loads, limit = (
        (placement.read, READ_LIMIT) if dimension == "read" else (placement.write, WRITE_LIMIT)
    )
    hot = 0.0
    used = 0.0
    shared: Verdict = "safe"
    for slot, mine in enumerate(slots):
        mine += even / placement.count
        if mine <= 0:
            continue
        used = max(used, loads[slot] / limit)
        if partition_verdict(placement, slot, dimension) != "safe":
            hot += mine
            shared = "throttles-until-split"
    verdict = worst([*own, shared, index.limit_verdicts.get(dimension, "safe")])
    return Exposure(verdict, hot / total if total else 0.0, used)
