"""Helpers of the cache tests: what Redis holds for an item, how many reads reached
DynamoDB, and designs with one policy changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from modelkit.cache import EntityCache
from modelkit.cache._envelope import Envelope
from modelkit.dynamo import Database
from modelkit.schema import TableDesign
from tests.cache.designs import Customer
from tests.redis_services import RedisServer

Variant = Callable[..., Database]
"""The ``variant`` fixture: ``variant(db, "Customer", ttl=5)``."""


def reads(db: Database, entity: str) -> int:
    """GetItem and BatchGetItem requests ``db`` sent for ``entity``."""
    rows = db.stats.rows()
    return sum(r.requests for r in rows if r.entity == entity and r.pattern in ("get", "batch_get"))


def item_cache(db: Database, cls: type[Any]) -> EntityCache[Any]:
    found = db.repo(cls).cache
    assert found is not None
    return found


def value_key(db: Database, cls: type[Any], **key: Any) -> bytes:
    return item_cache(db, cls).ref(db.repo(cls).shape.key(key)).value


def envelope(db: Database, redis: RedisServer, cls: type[Any], **key: Any) -> Envelope[Any] | None:
    """The envelope Redis holds for the item, decoded (None when there is none)."""
    data = redis.client().get(value_key(db, cls, **key))
    assert data is None or isinstance(data, bytes)
    return item_cache(db, cls).codec.decode(data) if data is not None else None


def with_policy(design: TableDesign, entity: str, **changes: Any) -> TableDesign:
    """``design`` with ``changes`` made to the cache policy of ``entity``."""
    entities = tuple(
        msgspec.structs.replace(e, cache=msgspec.structs.replace(e.cache, **changes))
        if e.name == entity
        else e
        for e in design.entities
    )
    return msgspec.structs.replace(design, entities=entities)


def alice(**changes: Any) -> Customer:
    values: dict[str, Any] = {"customer_id": "c-1", "email": "a@example.com", "name": "Alice"}
    return Customer(**{**values, **changes})
