"""A Monte-Carlo cross-check of the partition model, for key spaces small enough to sample.

Each contribution's requests are drawn one by one from its key fields' distributions, and
every sampled key (head or tail) is placed by the same uniform hash the model uses. The model
(exact head, aggregated tail) must agree with this within a few percent; tests hold it to 5%.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from modelkit.analyze._contributions import Contribution
from modelkit.analyze._partitions import slot_of
from modelkit.analyze._sampling import sampler


@dataclass(frozen=True, slots=True)
class Simulated:
    """Loads per key (index, template, labels) and per partition, in units per second."""

    keys: dict[tuple[str, str, tuple[str, ...]], tuple[float, float]]
    read: list[float]
    write: list[float]

    def hottest_key(self) -> tuple[float, float]:
        return max(self.keys.values(), key=lambda rw: max(rw[0] / 3000, rw[1] / 1000))


def simulate_index(
    contributions: Sequence[Contribution],
    partitions: int,
    *,
    samples: int = 200_000,
    seed: int = 0,
    base: Path | None = None,
) -> Simulated:
    """Sample ``samples`` requests of each contribution and add up their loads."""
    rng = random.Random(seed)
    keys: dict[tuple[str, str, tuple[str, ...]], list[float]] = {}
    read = [0.0] * partitions
    write = [0.0] * partitions
    for c in contributions:
        draws = [sampler(d, rng, base=base)(samples) for d in c.dists]
        labels = (
            [tuple(x for part in parts for x in part) for parts in zip(*draws, strict=True)]
            if draws
            else [()] * samples
        )
        per_read = c.read / samples
        per_write = c.write / samples
        for label, count in Counter(labels).items():
            slot = slot_of(c.template, label, partitions)
            read[slot] += count * per_read
            write[slot] += count * per_write
            found = keys.setdefault((c.index, c.template, label), [0.0, 0.0])
            found[0] += count * per_read
            found[1] += count * per_write
    return Simulated({k: (v[0], v[1]) for k, v in keys.items()}, read, write)
