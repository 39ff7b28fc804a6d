"""Predicted consumed capacity of requests, per index, from the exact stored items.

The rules are DynamoDB's published ones (REFERENCE.md, "Sizes and limits" and "Capacity
units"); :mod:`modelkit.codec._size` computes sizes and units, this module applies them to
whole requests. Every function returns :data:`Units`: capacity units by index, ``"primary"``
for the table itself, as ``ReturnConsumedCapacity=INDEXES`` reports them.

Items are stored AttributeValue maps (``db.shape(name).to_item(obj)``); ``None`` stands for
a missing item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from modelkit.codec._size import item_size, query_read_units, read_units, write_units
from modelkit.schema import PRIMARY, IndexDesign, TableDesign
from modelkit.schema._projection import index_entry, index_key_attributes

Item = Mapping[str, Mapping[str, Any]]
#: Capacity units by index: ``"primary"`` (the table) and secondary index names.
Units = dict[str, float]


def get_units(item: Item | None, *, consistent: bool = False, transactional: bool = False) -> Units:
    """GetItem: the item rounded up to 4 KB; a missing item costs as one unit."""
    size = item_size(item) if item is not None else 0
    return {PRIMARY: read_units(size, consistent=consistent, transactional=transactional)}


def batch_get_units(items: Iterable[Item | None], *, consistent: bool = False) -> Units:
    """BatchGetItem: each key as its own GetItem (rounded per item), summed."""
    return {PRIMARY: sum(get_units(i, consistent=consistent)[PRIMARY] for i in items)}


def query_units(
    items: Iterable[Item],
    design: TableDesign,
    index: str = PRIMARY,
    *,
    consistent: bool = False,
) -> Units:
    """One Query page over ``items`` (every item read, before any filter): their sizes summed,
    then rounded up to 4 KB once; at least one unit (half when eventual). On a secondary index
    the sizes are those of the index entries, and the table reads nothing."""
    if index == PRIMARY:
        return {PRIMARY: query_read_units([item_size(i) for i in items], consistent=consistent)}
    entries = (index_entry(i, design, index) for i in items)
    sizes = [item_size(e) for e in entries if e is not None]
    return {PRIMARY: 0.0, index: query_read_units(sizes, consistent=consistent)}


def write_request_units(
    old: Item | None, new: Item | None, design: TableDesign, *, transactional: bool = False
) -> Units:
    """PutItem, UpdateItem or DeleteItem turning ``old`` into ``new`` (``None``: absent).

    The table pays for the larger of the two items, by 1 KB (one unit at least, also for a
    missing item). Each secondary index it touches pays, from its own capacity, for the index
    writes: one to add or remove an entry, two (delete, then put) when an indexed key value
    changes, one when only projected attributes change (DG, GSI throughput), none when the
    item is in the index neither before nor after, nor when its entry is unchanged (the DG
    does not price that case; nothing is written). Each index write is rounded up to 1 KB of
    its entry. An LSI's units come from the table's capacity but are listed under its name,
    as ``ReturnConsumedCapacity=INDEXES`` lists them.
    """
    size = max(item_size(old) if old else 0, item_size(new) if new else 0)
    units: Units = {PRIMARY: write_units(size, transactional=transactional)}
    for index in design.indexes:
        if index.kind == "table":
            continue
        used = _index_write_units(design, index, old, new)
        if used:
            units[index.name] = used * 2 if transactional else used
    return units


def batch_write_units(
    writes: Iterable[tuple[Item | None, Item | None]], design: TableDesign
) -> Units:
    """BatchWriteItem: each ``(old, new)`` put or delete priced as its own write, summed."""
    total: Units = {PRIMARY: 0.0}
    for old, new in writes:
        for name, units in write_request_units(old, new, design).items():
            total[name] = total.get(name, 0.0) + units
    return total


def _index_write_units(
    design: TableDesign, index: IndexDesign, old: Item | None, new: Item | None
) -> float:
    before = index_entry(old, design, index.name)
    after = index_entry(new, design, index.name)
    if before is None:
        return write_units(item_size(after)) if after is not None else 0.0
    if after is None:
        return write_units(item_size(before))
    keys = index_key_attributes(design, index)
    if any(before[k] != after[k] for k in keys):
        return write_units(item_size(before)) + write_units(item_size(after))
    if before == after:
        return 0.0
    return write_units(max(item_size(before), item_size(after)))
