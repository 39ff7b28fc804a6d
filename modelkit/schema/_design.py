"""TableDesign: the immutable value every later part (check, show, export, analyze,
repositories, cache) reads. Plain msgspec Structs; the user's classes appear only as the
``struct`` and ``annotation`` references that repositories need to build instances."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from modelkit.keys import KeyTemplate, SortOp

IndexKind = Literal["table", "gsi", "lsi"]
ProjectionKind = Literal["ALL", "KEYS_ONLY", "INCLUDE"]
StreamView = Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"]
Operation = Literal["get", "query", "put", "update", "delete", "scan", "batch_get", "transaction"]
CacheMode = Literal["cache-aside", "write-through", "off"]

PRIMARY = "primary"
"""Name under which an entity declares its table (primary) key."""


class Projection(msgspec.Struct, frozen=True):
    kind: ProjectionKind = "ALL"
    attributes: tuple[str, ...] = ()


class OnDemand(msgspec.Struct, frozen=True, tag="on-demand"):
    """Pay per request (PAY_PER_REQUEST)."""


class Provisioned(msgspec.Struct, frozen=True, tag="provisioned"):
    """Provisioned capacity in read and write units per second."""

    rcu: int
    wcu: int


Billing = OnDemand | Provisioned


class IndexDesign(msgspec.Struct, frozen=True):
    """The table's own key (kind ``table``, name ``primary``), a GSI or an LSI."""

    name: str
    kind: IndexKind
    pk: str
    sk: str | None = None
    projection: Projection = Projection()
    capacity: Provisioned | None = None


class CachePolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How an entity is cached in Redis (applied by the repositories).

    ``ttl`` and ``negative_ttl`` are seconds; ``jitter`` is the fraction of ``ttl`` added at
    random; ``early_refresh`` is the XFetch β (0 turns it off); ``max_bytes`` caps one cached
    value.
    """

    mode: CacheMode = "cache-aside"
    ttl: float = 300.0
    jitter: float = 0.1
    negative_ttl: float | None = 30.0
    early_refresh: float = 1.0
    single_flight: bool = True
    cache_queries: bool = False
    max_bytes: int = 256 * 1024


NO_CACHE = CachePolicy(mode="off")


class FieldDesign(msgspec.Struct, frozen=True):
    """One attribute of an entity: its name, a short type name and the Python annotation."""

    name: str
    type: str
    optional: bool = False
    annotation: Any = None
    max_bytes: int | None = None
    attribute: str = ""


class EntityKey(msgspec.Struct, frozen=True):
    """An entity's key templates in one index (``primary`` for the table)."""

    index: str
    pk: KeyTemplate
    sk: KeyTemplate | None = None


class EntityDesign(msgspec.Struct, frozen=True):
    name: str
    type_value: str
    fields: tuple[FieldDesign, ...]
    keys: tuple[EntityKey, ...]
    cache: CachePolicy = NO_CACHE
    ttl_field: str | None = None
    version_field: str | None = None
    unique_fields: tuple[str, ...] = ()
    created_field: str | None = None
    updated_field: str | None = None
    doc: str = ""
    struct: Any = None
    source: str = ""

    def field(self, name: str) -> FieldDesign | None:
        return next((f for f in self.fields if f.name == name), None)

    def key(self, index: str = PRIMARY) -> EntityKey | None:
        return next((k for k in self.keys if k.index == index), None)


class PatternDesign(msgspec.Struct, frozen=True):
    """A named access pattern: which entities, which index, what the caller gives."""

    name: str
    entities: tuple[str, ...]
    op: Operation
    index: str = PRIMARY
    given: tuple[str, ...] = ()
    sort: SortOp | None = None
    descending: bool = False
    limit: int | None = None
    doc: str = ""
    source: str = ""


class TableDesign(msgspec.Struct, frozen=True, weakref=True):
    name: str
    pk: str
    sk: str | None
    indexes: tuple[IndexDesign, ...]
    entities: tuple[EntityDesign, ...]
    patterns: tuple[PatternDesign, ...] = ()
    type_attribute: str = "_type"
    ttl_attribute: str | None = None
    stream: StreamView | None = None
    billing: Billing = OnDemand()
    replicas: tuple[str, ...] = ()
    doc: str = ""
    source: str = ""

    @property
    def table_index(self) -> IndexDesign:
        return self.indexes[0]

    @property
    def gsis(self) -> tuple[IndexDesign, ...]:
        return tuple(i for i in self.indexes if i.kind == "gsi")

    @property
    def lsis(self) -> tuple[IndexDesign, ...]:
        return tuple(i for i in self.indexes if i.kind == "lsi")

    def index(self, name: str) -> IndexDesign:
        for index in self.indexes:
            if index.name == name:
                return index
        raise KeyError(f"table {self.name} has no index {name!r}")

    def entity(self, name: str) -> EntityDesign:
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise KeyError(f"table {self.name} has no entity {name!r}")

    def key_attributes(self) -> tuple[str, ...]:
        """Every attribute that holds a key of the table or of an index, in index order."""
        names: list[str] = []
        for index in self.indexes:
            for attr in (index.pk, index.sk):
                if attr is not None and attr not in names:
                    names.append(attr)
        return tuple(names)

    def to_builtins(self) -> dict[str, Any]:
        """JSON-ready data (Python classes shown by name)."""
        data: dict[str, Any] = msgspec.to_builtins(self, enc_hook=_type_name)
        return data


def _type_name(obj: Any) -> Any:
    return getattr(obj, "__qualname__", None) or repr(obj)
