"""The load on each partition key value and each partition of an index, and its verdict.

Key values of one index are shared by every contribution with the same key template (the
customer's partition holds the profile and the orders). Within a template, head values with
the same label are the same value (``#1``, the most requested, in every pattern that names
the field's distribution alike; a traced ``c-42``); in the aggregated tails the rank-r value
of every pattern is taken to be the same value, the hottest with the hottest (conservative).
The head of each spectrum is placed on partitions by a uniform hash, as DynamoDB places keys
by an internal one (REFERENCE.md, "Partitions"); the aggregated tail is spread evenly.

A key over a partition's limit throttles until DynamoDB splits its partition for heat, unless
the load sits where no split reaches (one item, a sequential sort key, a time-ordered key, a
collection under an LSI): then it throttles whatever DynamoDB does.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from modelkit.analyze._capacity import READ_LIMIT, WRITE_LIMIT
from modelkit.analyze._contributions import Contribution
from modelkit.analyze._report import Verdict
from modelkit.analyze._spectrum import Bin, LoadBin, Spectrum, merge_by_rank

#: Head keys kept per key template for the report and the placement.
HEAD_KEYS = 1000


@dataclass(slots=True)
class KeyLoad:
    """Load per second on one partition key value (or on each of ``count`` tail values)."""

    index: str
    template: str
    label: tuple[str, ...] | None
    count: float
    read: float
    write: float
    unsplit_read: float
    unsplit_write: float
    why_read: str
    why_write: str
    patterns: tuple[str, ...]
    partition: int | None = None

    @property
    def ratio(self) -> float:
        """The tighter of read and write load over the per-partition limits."""
        return max(self.read / READ_LIMIT, self.write / WRITE_LIMIT)

    def verdict(self, dimension: str) -> Verdict:
        load, unsplit, limit = (
            (self.read, self.unsplit_read, READ_LIMIT)
            if dimension == "read"
            else (self.write, self.unsplit_write, WRITE_LIMIT)
        )
        if load <= limit:
            return "safe"
        return "throttles-always" if unsplit > limit else "throttles-until-split"


@dataclass(slots=True)
class Placement:
    """Loads per partition of one index."""

    count: int
    read: list[float]
    write: list[float]
    keys: list[list[KeyLoad]] = field(default_factory=list)


def key_loads(contributions: Sequence[Contribution]) -> tuple[list[KeyLoad], float, float]:
    """Loads per key value over all ``contributions`` of one index.

    Returns the head keys (count 1) and the tail bins, plus the load no key carries
    (scans, spread evenly) as (read, write).
    """
    families: dict[str, list[Contribution]] = defaultdict(list)
    spread_read = spread_write = 0.0
    for c in contributions:
        if c.spread:
            spread_read += c.read
            spread_write += c.write
        else:
            families[c.template].append(c)
    keys: list[KeyLoad] = []
    for template, members in families.items():
        keys.extend(_family_keys(template, members))
    return keys, spread_read, spread_write


def _family_keys(template: str, members: list[Contribution]) -> list[KeyLoad]:
    """Head values add up by label (the same label is the same value, whichever pattern
    requests it); tail bins add up by rank (the hottest with the hottest)."""
    entities = sorted({c.entity for c in members})
    labelled: dict[tuple[str, ...], list[float]] = {}
    tails = []
    for c in members:
        vector = [c.read, c.write] + [0.0] * (2 * len(entities))
        slot = 2 + 2 * entities.index(c.entity)
        vector[slot] = c.read * c.unsplittable
        vector[slot + 1] = c.write * c.unsplittable
        tail: list[Bin] = []
        for b in c.spectrum.bins:
            if b.count == 1 and b.label is not None:
                total = labelled.setdefault(b.label, [0.0] * len(vector))
                for i, v in enumerate(vector):
                    total[i] += v * b.p
            else:
                tail.append(b)
        if tail:
            tails.append((Spectrum(tuple(tail)), tuple(vector)))
    heat = sorted(labelled.items(), key=lambda kv: -(kv[1][0] + 3 * kv[1][1]))
    bins = [LoadBin(1.0, tuple(load), label) for label, load in heat]
    bins += [LoadBin(b.count, b.load, None) for b in merge_by_rank(tails)] if tails else []
    why_read = _main_reason(members, "read")
    why_write = _main_reason(members, "write")
    patterns = tuple(dict.fromkeys(c.pattern for c in members))
    index = members[0].index
    found: list[KeyLoad] = []
    for merged in bins:
        load = merged.load
        unsplit = load[2:]
        found.append(
            KeyLoad(
                index=index,
                template=template,
                label=merged.label if merged.count == 1 else None,
                count=merged.count,
                read=load[0],
                write=load[1],
                unsplit_read=max(unsplit[0::2], default=0.0),
                unsplit_write=max(unsplit[1::2], default=0.0),
                why_read=why_read,
                why_write=why_write,
                patterns=patterns,
            )
        )
    return _trim(found)


def _trim(found: list[KeyLoad]) -> list[KeyLoad]:
    """Keep labels on the first ``HEAD_KEYS`` head keys; later ones join the spread tail."""
    seen = 0
    for key in found:
        if key.label is not None:
            seen += 1
            if seen > HEAD_KEYS:
                key.label = None
    return found


def _main_reason(members: list[Contribution], dimension: str) -> str:
    def weight(c: Contribution) -> float:
        return (c.read if dimension == "read" else c.write) * c.unsplittable

    best = max(members, key=weight)
    return best.why if weight(best) > 0 else ""


def place(keys: Sequence[KeyLoad], partitions: int, spread: tuple[float, float]) -> Placement:
    """Head keys on partitions by a uniform hash; tail bins and spread load evenly."""
    read = [spread[0] / partitions] * partitions
    write = [spread[1] / partitions] * partitions
    members: list[list[KeyLoad]] = [[] for _ in range(partitions)]
    for key in keys:
        if key.count == 1 and key.label is not None:
            slot = slot_of(key.template, key.label, partitions)
            key.partition = slot
            read[slot] += key.read
            write[slot] += key.write
            members[slot].append(key)
        else:
            share_r = key.read * key.count / partitions
            share_w = key.write * key.count / partitions
            for slot in range(partitions):
                read[slot] += share_r
                write[slot] += share_w
    return Placement(partitions, read, write, members)


def slot_of(template: str, label: tuple[str, ...], partitions: int) -> int:
    digest = hashlib.blake2b(
        "\x1f".join((template, *label)).encode("utf-8", "surrogatepass"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") * partitions >> 64


def partition_verdict(placement: Placement, slot: int, dimension: str) -> Verdict:
    """``safe`` under the limit; else ``throttles-always`` when a key in it cannot be
    spread, else ``throttles-until-split``."""
    load = placement.read[slot] if dimension == "read" else placement.write[slot]
    limit = READ_LIMIT if dimension == "read" else WRITE_LIMIT
    if load <= limit:
        return "safe"
    if any(k.verdict(dimension) == "throttles-always" for k in placement.keys[slot]):
        return "throttles-always"
    return "throttles-until-split"
