"""What each pattern puts on each index: load per partition key value, at peak.

A :class:`Contribution` is one pattern's load on one index for one entity: the spread of its
requests over the partition key values (a :class:`Spectrum`), its read and write units per
second, and the part of that load split for heat cannot spread (REFERENCE.md, "Split for
heat": one item, a key range accessed sequentially, item collections under an LSI).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import msgspec

from modelkit.analyze._defaults import FieldChoice, field_distribution
from modelkit.analyze._distributions import Distribution
from modelkit.analyze._entity_sizes import EntitySize
from modelkit.analyze._spectrum import Bin, Spectrum, product, spectrum
from modelkit.analyze._units import READS, RequestUnits, request_units
from modelkit.analyze._workload import PatternLoad, Workload
from modelkit.schema import PRIMARY, EntityDesign, PatternDesign, TableDesign

SINGLE_ITEM = "a single item"
SEQUENTIAL_SK = "a sort key written in sequence"
TIME_ORDERED = "a time-ordered partition key"
QUERY_RANGE = "one range of sort keys that every query reads"
LSI_COLLECTION = "an item collection under an LSI"


@dataclass(frozen=True, slots=True)
class Contribution:
    """One pattern's load on one index through one entity's key template."""

    pattern: str
    entity: str
    index: str
    template: str
    spectrum: Spectrum
    read: float
    write: float
    unsplittable: float
    why: str
    profile: tuple[float, ...] | None
    spread: bool = False
    dists: tuple[Distribution, ...] = ()
    """The distribution of each partition key field, in template order."""
    sort: Spectrum | None = None
    """The spread over the sort key's field values when the requests name whole items (not
    queries) on a key with sort key fields, else None: how the requests spread over the
    items of a partition key value, as the workload describes it."""
    fields: tuple[Spectrum, ...] = ()
    """The spread of each key field, partition key first (sort key fields only with
    ``sort``): the cache model names items by them."""

    @property
    def family(self) -> tuple[str, str]:
        """Key values are shared by contributions with the same index and template."""
        return (self.index, self.template)


@dataclass(frozen=True, slots=True)
class PatternPlan:
    """A pattern's units per request and its contributions."""

    pattern: PatternDesign
    load: PatternLoad
    units: RequestUnits
    contributions: tuple[Contribution, ...]
    assumptions: tuple[str, ...]


class _Spectra:
    """Spectra of key fields, computed once per distribution."""

    def __init__(self, base: Path | None) -> None:
        self.base = base
        self._cache: dict[bytes, Spectrum] = {}

    def of(self, dist: Distribution) -> Spectrum:
        key = msgspec.json.encode(dist)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = spectrum(dist, base=self.base)
        return found


def plan_patterns(
    design: TableDesign, workload: Workload, sizes: dict[str, EntitySize]
) -> list[PatternPlan]:
    """Every pattern the workload drives, with its contributions."""
    base = Path(workload.source).parent if workload.source else None
    spectra = _Spectra(base)
    plans = []
    for pattern in design.patterns:
        load = workload.patterns.get(pattern.name)
        if load is None:
            continue
        plans.append(_plan(design, workload, pattern, load, sizes, spectra))
    return plans


def _plan(
    design: TableDesign,
    workload: Workload,
    pattern: PatternDesign,
    load: PatternLoad,
    sizes: dict[str, EntitySize],
    spectra: _Spectra,
) -> PatternPlan:
    units = request_units(design, pattern, load, sizes)
    assumptions: list[str] = list(units.assumptions)
    contributions: list[Contribution] = []
    reads = pattern.op in READS
    for index, per_request in (units.read if reads else units.write).items():
        entities = _entities_on(design, pattern, index)
        share = per_request / len(entities) if entities else 0.0
        for entity in entities:
            found = _contribution(
                design, workload, pattern, load, entity, index, share * load.rate, spectra
            )
            if design.index(index).kind == "lsi":
                found = (replace(found[0], index=PRIMARY), found[1])
            contributions.append(found[0])
            assumptions.extend(a for a in found[1] if a not in assumptions)
    return PatternPlan(pattern, load, units, tuple(contributions), tuple(assumptions))


def _entities_on(design: TableDesign, pattern: PatternDesign, index: str) -> list[EntityDesign]:
    found = [design.entity(n) for n in pattern.entities]
    return [e for e in found if e.key(index) is not None]


def _contribution(
    design: TableDesign,
    workload: Workload,
    pattern: PatternDesign,
    load: PatternLoad,
    entity: EntityDesign,
    index: str,
    units_per_s: float,
    spectra: _Spectra,
) -> tuple[Contribution, list[str]]:
    key = entity.key(index)
    assert key is not None
    new_item = pattern.op in ("put", "transaction")
    choices = [
        field_distribution(design, workload, entity, f, given=load.keys.get(f), new_item=new_item)
        for f in (*key.pk.fields, *(key.sk.fields if key.sk and pattern.op != "query" else ()))
    ]
    pk_choices = choices[: len(key.pk.fields)]
    sk_choices = choices[len(key.pk.fields) :]
    fields = tuple(spectra.of(c.dist) for c in choices)
    pk = _joint(list(fields[: len(pk_choices)]))
    sk = _joint(list(fields[len(pk_choices) :]))
    reads = pattern.op in READS
    unsplittable, why = _unsplittable(design, pattern, index, pk, sk, bool(sk_choices))
    contribution = Contribution(
        pattern=pattern.name,
        entity=entity.name,
        index=index,
        template=key.pk.text,
        spectrum=pk,
        read=units_per_s if reads else 0.0,
        write=0.0 if reads else units_per_s,
        unsplittable=unsplittable,
        why=why,
        profile=load.profile,
        spread=pattern.op == "scan",
        dists=tuple(c.dist for c in pk_choices),
        sort=sk if sk_choices else None,
        fields=fields,
    )
    return contribution, [_assumed(pattern, c) for c in choices if c.assumed]


def _assumed(pattern: PatternDesign, choice: FieldChoice) -> str:
    return f"{pattern.name}: {choice.assumed}"


def _joint(parts: list[Spectrum]) -> Spectrum:
    if not parts:
        return Spectrum((Bin(1.0, 1.0, ()),))
    joint = parts[0]
    for part in parts[1:]:
        joint = product(joint, part)
    return joint


def _unsplittable(
    design: TableDesign,
    pattern: PatternDesign,
    index: str,
    pk: Spectrum,
    sk: Spectrum,
    sk_has_fields: bool,
) -> tuple[float, str]:
    """The fraction of a key's load that split for heat cannot spread, and why."""
    if pk.time_ordered:
        return 1.0, TIME_ORDERED
    if index == PRIMARY and design.lsis:
        return 1.0, LSI_COLLECTION
    if pattern.op in ("query", "scan"):
        return (1.0, QUERY_RANGE) if pattern.op == "query" else (0.0, "")
    if not sk_has_fields:
        return 1.0, SINGLE_ITEM
    if pattern.op in ("put", "transaction") and sk.time_ordered:
        return 1.0, SEQUENTIAL_SK
    return sk.top, SINGLE_ITEM
