"""TableDesign: the immutable value every later part (check, show, export, analyze,
repositories, cache) reads. Plain msgspec Structs; the user's classes appear only as the
``struct`` and ``annotation`` references that repositories need to build instances."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from modelkit.errors import SchemaError
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

    Times are seconds. ``ttl`` is the life of a cached value, stretched by up to ``jitter``
    (a fraction) at random so that values filled together do not expire together;
    ``negative_ttl`` caches "no such item" (None turns that off). ``early_refresh`` is the
    XFetch β: a reader refreshes a value shortly before it expires, with a probability that
    grows as expiry nears (0 turns it off). ``single_flight`` lets one reader per key fill a
    miss while the others wait up to ``lease_wait`` for its value; a fill's lease lasts
    ``lease_ttl``. ``consistent_fills`` reads misses with strongly consistent reads, which the
    coherence guarantee needs. ``cache_queries`` also caches the pages of the entity's named
    queries. ``max_bytes`` caps one cached value. ``near_ttl`` turns on an in-process cache of
    at most ``near_items`` values, each kept at most ``near_ttl`` (it is coherent only with
    this process's own writes).
    """

    mode: CacheMode = "cache-aside"
    ttl: float = 300.0
    jitter: float = 0.1
    negative_ttl: float | None = 30.0
    early_refresh: float = 1.0
    single_flight: bool = True
    lease_ttl: float = 2.0
    lease_wait: float = 0.05
    consistent_fills: bool = True
    cache_queries: bool = False
    max_bytes: int = 256 * 1024
    near_ttl: float | None = None
    near_items: int = 10_000

    def __post_init__(self) -> None:
        if self.mode not in ("cache-aside", "write-through", "off"):
            _bad_policy("mode", "must be 'cache-aside', 'write-through' or 'off'", self.mode)
        positive = {"ttl": self.ttl, "lease_ttl": self.lease_ttl}
        for name, value in positive.items():
            if not value > 0:
                _bad_policy(name, "must be more than 0 seconds", value)
        if self.negative_ttl is not None and not self.negative_ttl > 0:
            _bad_policy("negative_ttl", "must be more than 0 seconds, or None", self.negative_ttl)
        if self.near_ttl is not None and not self.near_ttl > 0:
            _bad_policy("near_ttl", "must be more than 0 seconds, or None", self.near_ttl)
        if not 0 <= self.jitter <= 1:
            _bad_policy("jitter", "must be a fraction from 0 to 1", self.jitter)
        if not 0 <= self.early_refresh <= 10:
            _bad_policy("early_refresh", "must be from 0 (off) to 10", self.early_refresh)
        if not 0 <= self.lease_wait <= self.lease_ttl:
            _bad_policy("lease_wait", "must be from 0 to lease_ttl", self.lease_wait)
        if self.max_bytes < 64:
            _bad_policy("max_bytes", "must be at least 64", self.max_bytes)
        if self.near_items < 1:
            _bad_policy("near_items", "must be at least 1", self.near_items)


def _bad_policy(field: str, rule: str, value: object) -> None:
    raise SchemaError(f"{rule}, got {value!r}", where=f"CachePolicy.{field}")


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
