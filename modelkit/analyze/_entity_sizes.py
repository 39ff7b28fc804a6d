"""How big an entity's items and index entries are: from the workload, else from the schema.

Sizes follow DynamoDB's item-size rules (REFERENCE.md, "Sizes and limits"), computed on
example items built from the schema. Storage adds 100 bytes of overhead per item and per
index entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelkit.analyze._workload import Workload
from modelkit.codec._size import item_size
from modelkit.schema import PRIMARY, EntityDesign, TableDesign
from modelkit.schema._examples import example_item, to_attribute_value
from modelkit.schema._projection import index_entry

#: Bytes DynamoDB adds to each item and index entry when it bills storage.
STORAGE_OVERHEAD = 100
_SAMPLES = 5


@dataclass(frozen=True, slots=True)
class EntitySize:
    """Average stored bytes of an item, and of its entry in each index it is in.

    ``entries`` holds the indexes where the entity has a key (``primary`` included);
    ``presence`` the fraction of items that have an entry (below 1 for a sparse index).
    """

    entity: str
    items: float
    item_bytes: float
    estimated: bool
    entries: dict[str, float]
    presence: dict[str, float]

    def storage_bytes(self, index: str) -> float:
        if index not in self.entries:
            return 0.0
        return self.items * self.presence[index] * (self.entries[index] + STORAGE_OVERHEAD)


def entity_sizes(design: TableDesign, workload: Workload) -> dict[str, EntitySize]:
    """The size of every entity of ``design`` under ``workload`` (0 items when not given)."""
    return {e.name: _entity_size(design, e, workload) for e in design.entities}


def _entity_size(design: TableDesign, entity: EntityDesign, workload: Workload) -> EntitySize:
    load = workload.entities.get(entity.name)
    samples = [
        {k: to_attribute_value(v) for k, v in example_item(design, entity.name, seed).items()}
        for seed in range(_SAMPLES)
    ]
    example = sum(item_size(s) for s in samples) / _SAMPLES
    item_bytes = load.item_size if load and load.item_size else example
    entries: dict[str, float] = {PRIMARY: item_bytes}
    presence: dict[str, float] = {PRIMARY: 1.0}
    for index in design.indexes:
        if index.kind == "table" or entity.key(index.name) is None:
            continue
        projected = [index_entry(s, design, index.name) for s in samples]
        sizes = [item_size(p) for p in projected if p is not None]
        if index.projection.kind == "ALL":
            entries[index.name] = item_bytes
        else:
            entries[index.name] = sum(sizes) / len(sizes) if sizes else example
        indexed = load.indexed.get(index.name) if load else None
        presence[index.name] = 1.0 if indexed is None else indexed
    return EntitySize(
        entity=entity.name,
        items=load.items if load else 0.0,
        item_bytes=item_bytes,
        estimated=not (load and load.item_size),
        entries=entries,
        presence=presence,
    )
