"""Query pages through the cache: which patterns are cached, the page's identity, its
encoding, and which partitions a write makes stale."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from modelkit.cache._naming import fingerprint
from modelkit.codec import encode_value
from modelkit.dynamo.expressions import Builder
from modelkit.schema import CachePolicy, TableDesign

if TYPE_CHECKING:
    from modelkit.cache import QueryCache
    from modelkit.dynamo._database import Database
    from modelkit.dynamo._items import ItemShape
    from modelkit.dynamo._query import QueryPlan

T = TypeVar("T")
Raw = tuple[list[Any], dict[str, Any] | None]
"""A page before its cursor is signed: the items and DynamoDB's LastEvaluatedKey."""
_encode = msgspec.msgpack.Encoder().encode
_outer = msgspec.msgpack.Decoder(tuple[dict[str, Any] | None, list[tuple[str, msgspec.Raw]]])


class CachedQueries:
    """The query pages of one :class:`Database` that its entities' policies cache."""

    def __init__(self, db: Database, pages: QueryCache) -> None:
        self.db = db
        self.pages = pages
        self._decoders = {
            e.name: msgspec.msgpack.Decoder(e.struct) for e in db.design.entities if e.struct
        }
        self._fingerprints = {e.name: fingerprint(e) for e in db.design.entities}
        self._ttl_fields = {e.struct: e.ttl_field for e in db.design.entities if e.ttl_field}
        self.policies: dict[str, CachePolicy] = {}
        for pattern in db.design.patterns:
            found = [db.design.entity(n).cache for n in pattern.entities]
            if found and all(p.mode != "off" and p.cache_queries for p in found):
                self.policies[pattern.name] = min(found, key=lambda p: p.ttl)
        self.tracked = {
            n for p in db.design.patterns if p.name in self.policies for n in p.entities
        }
        """Entities whose writes must invalidate cached pages."""

    def fetch(
        self, plan: QueryPlan, start: dict[str, Any] | None, load: Callable[[QueryPlan], Raw]
    ) -> Raw:
        """The page of ``plan`` from ``start``: from the cache, or from ``load`` (then stored)."""
        policy = self.policies.get(plan.pattern.name)
        if policy is None or plan.consistent:
            return load(plan)
        index = self.db.design.index(plan.index)
        gsi = index.kind == "gsi"
        name = plan.pattern.name
        page_id = self._page_id(plan, start)
        payload, may_fill = self.pages.lookup(name, plan.index, plan.pk_value, page_id, gsi)
        if payload is not None:
            found = self._decode(payload)
            if found is not None:
                return found
        if not may_fill:
            return load(plan)
        ttl = policy.ttl * (1.0 + policy.jitter * random.random())
        fill = self.pages.begin(name, plan.index, plan.pk_value, gsi, ttl)
        strong = policy.consistent_fills and not gsi
        items, last = load(dataclasses.replace(plan, consistent=True) if strong else plan)
        ttl = min(ttl, self._earliest_expiry(items) - time.time())
        if fill is not None and ttl > 0:
            payload = self._encode(items, last)
            if payload is not None:
                self.pages.commit(name, fill, page_id, payload, ttl)
        return items, last

    def _page_id(self, plan: QueryPlan, start: Mapping[str, Any] | None) -> bytes:
        condition = plan.condition
        parts: list[Any] = [
            plan.pattern.name,
            [self._fingerprints[e] for e in plan.entities],
            plan.index,
            plan.pk_value,
            [condition.op, *condition.values] if condition is not None else None,
            plan.descending,
            plan.limit,
            start,
        ]
        if plan.filter is not None:
            builder = Builder(encode_value)
            parts.append([builder.condition(plan.filter), builder.attributes()])
        blob = msgspec.json.encode(parts, order="deterministic")
        return hashlib.blake2b(blob, digest_size=16).hexdigest().encode()

    def _encode(self, items: list[Any], last: dict[str, Any] | None) -> bytes | None:
        """The page as stored; None when msgpack cannot hold an item (an integer beyond 64
        bits): the page is not cached."""
        entity_of = self.db.entity_name
        try:
            return _encode(
                (last, [(entity_of(type(item)), msgspec.Raw(_encode(item))) for item in items])
            )
        except (OverflowError, msgspec.EncodeError):
            return None

    def _decode(self, payload: bytes) -> Raw | None:
        try:
            last, raw = _outer.decode(payload)
            items = [self._decoders[name].decode(data) for name, data in raw]
        except (msgspec.DecodeError, msgspec.ValidationError, KeyError):
            return None
        if self._earliest_expiry(items) <= time.time():
            return None
        return items, last

    def _earliest_expiry(self, items: list[Any]) -> float:
        earliest = float("inf")
        for item in items:
            field = self._ttl_fields.get(type(item))
            value = getattr(item, field, None) if field else None
            if value is not None:
                moment = value.timestamp() if isinstance(value, dt.datetime) else float(value)
                earliest = min(earliest, moment)
        return earliest

    # -- invalidation ----------------------------------------------------------------------

    def invalidate(
        self,
        shape: ItemShape[Any],
        items: Sequence[Mapping[str, str]],
        whole_indexes: bool = False,
    ) -> None:
        """After a write of ``shape``'s items (each given by its key attributes, old and new
        versions alike): new generations for every partition they are in, and with
        ``whole_indexes`` for each of the entity's GSIs (when a version is unknown)."""
        partitions, gsis = self.stale(shape, items, whole_indexes)
        if partitions or gsis:
            self.pages.invalidate(partitions, gsis)

    def stale(
        self, shape: ItemShape[Any], items: Sequence[Mapping[str, str]], whole_indexes: bool
    ) -> tuple[set[tuple[str, str]], set[str]]:
        """The (index, pk) partitions that ``items`` of ``shape`` are in, and the GSIs to make
        stale whole (with ``whole_indexes``); nothing for entities no cached query reads."""
        partitions: set[tuple[str, str]] = set()
        gsis: set[str] = set()
        if shape.entity.name not in self.tracked:
            return partitions, gsis
        for index_name in shape.keys.formats:
            index = self.db.design.index(index_name)
            if index.kind == "gsi" and whole_indexes:
                gsis.add(index_name)
                continue
            for attributes in items:
                value = attributes.get(index.pk)
                if value is not None:
                    partitions.add((index_name, value))
        return partitions, gsis


@dataclasses.dataclass
class Written(Generic[T]):
    """What a repository write did: ``result`` for the caller, the items as ``stored`` (None
    for a delete; for write-through), the key attributes of the versions it ``touched`` (old
    and new), and whether it may have ``moved`` items out of GSI partitions it cannot name."""

    result: Any
    stored: list[T | None]
    touched: list[dict[str, str]]
    moved: bool = False


def moves_index_key(design: TableDesign, shape: ItemShape[Any], request: Mapping[str, Any]) -> bool:
    """Whether an UpdateItem request sets the partition key of one of the entity's GSIs."""
    names = set(request.get("ExpressionAttributeNames", {}).values())
    return any(
        design.index(index).kind == "gsi" and design.index(index).pk in names
        for index in shape.keys.formats
    )


def key_strings(item: Mapping[str, Any] | None) -> dict[str, str]:
    """The string attributes of a stored item (its key attributes among them)."""
    if not item:
        return {}
    return {
        name: value["S"]
        for name, value in item.items()
        if isinstance(value, Mapping) and "S" in value
    }
