"""What of an item a secondary index holds: its projected attributes, or nothing (sparse)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from modelkit.schema._design import IndexDesign, TableDesign

V = TypeVar("V")


def index_key_attributes(design: TableDesign, index: IndexDesign) -> list[str]:
    """The key attributes of ``index`` (an LSI shares the table's partition key)."""
    pk = index.pk or design.pk
    return [pk, *([index.sk] if index.sk else [])]


def index_entry(
    item: Mapping[str, V] | None, design: TableDesign, index: str
) -> Mapping[str, V] | None:
    """The entry ``item`` has in secondary index ``index`` (its projected attributes), or
    ``None`` when the item lacks one of the index's key attributes (a sparse index)."""
    if item is None:
        return None
    found = design.index(index)
    keys = index_key_attributes(design, found)
    if any(name not in item for name in keys):
        return None
    if found.projection.kind == "ALL":
        return item
    names = {*keys, design.pk, *([design.sk] if design.sk else [])}
    if found.projection.kind == "INCLUDE":
        names.update(found.projection.attributes)
    return {name: value for name, value in item.items() if name in names}


__all__ = ["index_entry", "index_key_attributes"]
