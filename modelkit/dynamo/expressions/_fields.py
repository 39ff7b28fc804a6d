"""``fields(Order)``: a typed path for each field of an entity, under its stored name."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

import msgspec.inspect as mi

from modelkit.dynamo.expressions import _types
from modelkit.dynamo.expressions._path import Path
from modelkit.schema import EntityDesign

_Table = dict[str, tuple[str, _types.Info]]
_TABLES: weakref.WeakKeyDictionary[type[Any], _Table] = weakref.WeakKeyDictionary()


class Fields:
    """The fields of one entity as paths: ``f.status``, ``f.address.city``, ``f["status"]``.

    Attribute names are the Python field names; the paths use the stored names, so a
    msgspec ``rename`` is honoured.
    """

    __slots__ = ("_owner", "_table")

    def __init__(self, owner: str, table: _Table) -> None:
        self._owner = owner
        self._table = table

    def __getattr__(self, name: str) -> Path:
        if name.startswith("_"):
            raise AttributeError(name)
        path = self._path(name)
        if path is None:
            raise AttributeError(self._unknown(name))
        return path

    def __getitem__(self, name: str) -> Path:
        path = self._path(name)
        if path is None:
            raise KeyError(self._unknown(name))
        return path

    def _path(self, name: str) -> Path | None:
        found = self._table.get(name) if isinstance(name, str) else None
        return None if found is None else Path._typed((found[0],), found[1])

    def _unknown(self, name: object) -> str:
        known = ", ".join(self._table) or "(none)"
        return f"{self._owner} has no field {name!r}; its fields: {known}"

    def __iter__(self) -> Iterator[Path]:
        """Every field's path, in declaration order (a projection of all fields)."""
        return (self[name] for name in self._table)

    def __contains__(self, name: object) -> bool:
        return name in self._table

    def __dir__(self) -> list[str]:
        return list(self._table)

    def __repr__(self) -> str:
        return f"<fields of {self._owner}: {', '.join(self._table)}>"


def fields(source: type[Any] | EntityDesign) -> Fields:
    """Typed paths for a msgspec Struct class (or an :class:`EntityDesign`)."""
    if isinstance(source, EntityDesign):
        if source.struct is not None:
            return Fields(source.name, _struct_table(source.struct))
        table = {f.name: (f.attribute or f.name, _info(f.annotation)) for f in source.fields}
        return Fields(source.name, table)
    if isinstance(source, type):
        return Fields(source.__name__, _struct_table(source))
    raise TypeError(f"fields() takes a Struct class or an EntityDesign, not {source!r}")


def _struct_table(cls: type[Any]) -> _Table:
    table = _TABLES.get(cls)
    if table is None:
        table = _TABLES[cls] = _build_table(cls)
    return table


def _build_table(cls: type[Any]) -> _Table:
    info = _info(cls)
    if not isinstance(info, mi.StructType | mi.DataclassType | mi.TypedDictType):
        raise TypeError(f"fields() takes a Struct class, not {cls!r}")
    if isinstance(info, mi.StructType) and info.array_like:
        raise TypeError(f"{cls.__name__} is array_like: its fields have no names when stored")
    return {f.name: (f.encode_name, f.type) for f in info.fields}


def _info(annotation: Any) -> _types.Info:
    try:
        return mi.type_info(annotation)
    except (TypeError, ValueError):
        return None
