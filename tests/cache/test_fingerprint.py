"""Cached values are keyed by the entity's shape fingerprint, so bytes written for one shape
are never decoded as another; and cached envelopes round-trip every field type modelkit
stores."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

import msgspec
import pytest

from modelkit import CachePolicy, Index, Key, Table
from modelkit.cache import RedisCache, fingerprint
from modelkit.cache._naming import EntityKeys
from modelkit.dynamo import Database, connect, deploy
from modelkit.schema import EntityDesign, TableDesign
from tests.cache import designs
from tests.cache.designs import Customer
from tests.redis_services import RedisServer

pytestmark = pytest.mark.services
TIMEOUT = 1.0  # as the conftest cache fixture's

ROOT = Path(__file__).resolve().parents[2]


def shop_like(entity: type[Any]) -> TableDesign:
    """The shared table's layout with ``entity`` declared as its Customer."""
    table = Table(
        "cacheshop",
        pk="PK",
        sk="SK",
        ttl="ttl",
        stream="NEW_AND_OLD_IMAGES",
        indexes=[Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK")],
    )
    table.entity(
        key=Key(pk="CUSTOMER#{customer_id}", sk="PROFILE"),
        indexes={"GSI1": Key(pk="EMAIL#{email}", sk="CUSTOMER")},
        cache=CachePolicy(ttl=60, negative_ttl=30),
        name="Customer",
    )(entity)
    return table.compile()


class CustomerWithTier(msgspec.Struct, kw_only=True):
    customer_id: str
    email: str
    name: str
    version: int = 0
    tier: str = "basic"


class CustomerFloatVersion(msgspec.Struct, kw_only=True):
    customer_id: str
    email: str
    name: str
    version: float = 0.0


class CustomerOptionalName(msgspec.Struct, kw_only=True):
    customer_id: str
    email: str
    name: str | None = None
    version: int = 0


def customer_of(design: TableDesign) -> EntityDesign:
    return design.entity("Customer")


# -- fingerprints ----------------------------------------------------------------------------


@pytest.mark.parametrize("changed", [CustomerWithTier, CustomerFloatVersion, CustomerOptionalName])
def test_changed_fields_change_the_fingerprint_and_prefix(changed: type[Any]) -> None:
    old, new = customer_of(designs.design), customer_of(shop_like(changed))
    assert fingerprint(old) != fingerprint(new)
    assert len(fingerprint(new)) == 12 and set(fingerprint(new)) <= set("0123456789abcdef")
    assert EntityKeys("mk", "cacheshop", old).prefix == f"mk:cacheshop:Customer:{fingerprint(old)}:"
    assert EntityKeys("mk", "cacheshop", new).prefix != EntityKeys("mk", "cacheshop", old).prefix


def test_changed_nested_struct_changes_the_fingerprint() -> None:
    """Two nested types with one name and module but different fields."""
    narrow = msgspec.defstruct("Address", [("street", str)], module=__name__)
    wide = msgspec.defstruct("Address", [("street", str), ("zip", str)], module=__name__)
    found = []
    for address in (narrow, wide):
        holder = msgspec.defstruct(
            "Holder", [("holder_id", str), ("address", address)], kw_only=True, module=__name__
        )
        table = Table("holders", pk="PK", sk="SK")
        table.entity(key=Key(pk="H#{holder_id}", sk="H"), cache=CachePolicy())(holder)
        found.append(fingerprint(table.compile().entity("Holder")))
    assert found[0] != found[1]


def test_same_shape_gives_the_same_fingerprint() -> None:
    first, second = customer_of(designs.shop.compile()), customer_of(designs.shop.compile())
    assert fingerprint(first) == fingerprint(second) == fingerprint(customer_of(designs.design))
    other_policy = msgspec.structs.replace(first, cache=CachePolicy(ttl=5, mode="write-through"))
    assert fingerprint(other_policy) == fingerprint(first)
    assert fingerprint(customer_of(shop_like(Customer))) == fingerprint(first)


def test_fingerprint_is_the_same_in_another_process() -> None:
    code = (
        "from modelkit.cache import fingerprint\n"
        "from tests.cache.designs import design\n"
        "print(fingerprint(design.entity('Customer')))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == fingerprint(customer_of(designs.design))


def test_value_cached_for_one_shape_is_not_read_by_another(
    moto_db: Database, cache: RedisCache, redis_server: RedisServer
) -> None:
    """A process deployed with a new shape (same RedisCache prefix) misses and reads
    DynamoDB, while the old shape's entry stays as it was."""
    alice = Customer(customer_id="c-1", email="a@example.com", name="Alice")
    moto_db.repo(Customer).put(alice)
    assert moto_db.repo(Customer).get(customer_id="c-1") == alice
    new_cache = RedisCache(redis_server.url, timeout=TIMEOUT, prefix=cache.prefix)
    try:
        new_db = connect(shop_like(CustomerWithTier), dynamodb=moto_db.client, cache=new_cache)
        new_repo = new_db.repo(CustomerWithTier)
        got = new_repo.get(customer_id="c-1")
        assert type(got) is CustomerWithTier
        assert got == CustomerWithTier(customer_id="c-1", email="a@example.com", name="Alice")
        assert new_repo.get(customer_id="c-1") == got
        m = new_repo.cache_metrics
        assert m is not None and (m.misses, m.fills, m.hits) == (1, 1, 1)
        assert new_db.stats.total(entity="Customer").requests == 1
        old_cache = moto_db.repo(Customer).cache
        assert new_repo.cache is not None and old_cache is not None
        old_prefix = old_cache.keys.prefix
        assert new_repo.cache.keys.prefix != old_prefix
        client = redis_server.client()
        (old_key,) = client.scan_iter(match=old_prefix + "*")
        old_bytes = client.get(old_key)
        assert isinstance(old_bytes, bytes)
        assert old_cache.codec.decode(old_bytes) is not None  # still the old shape's value
        # the new type would decode them (its extra field has a default): only the key
        # prefix keeps them apart
        assert new_repo.cache.codec.decode(old_bytes) is not None
        assert len(list(client.scan_iter(match=new_repo.cache.keys.prefix + "*"))) == 1
        assert moto_db.repo(Customer).get(customer_id="c-1") == alice
    finally:
        new_cache.close()


def test_one_redis_cache_serves_two_shapes_of_an_entity_apart(
    moto_db: Database, cache: RedisCache
) -> None:
    """Two connects on one RedisCache, the second with a changed shape of the same entity
    and table: each repository caches and returns its own type."""
    alice = Customer(customer_id="c-1", email="a@example.com", name="Alice")
    moto_db.repo(Customer).put(alice)
    assert moto_db.repo(Customer).get(customer_id="c-1") == alice
    new_db = connect(shop_like(CustomerWithTier), dynamodb=moto_db.client, cache=cache)
    got = new_db.repo(CustomerWithTier).get(customer_id="c-1")
    assert type(got) is CustomerWithTier
    assert type(moto_db.repo(Customer).get(customer_id="c-1")) is Customer
    assert new_db.repo(CustomerWithTier).cache is not moto_db.repo(Customer).cache


# -- envelopes of every field type -----------------------------------------------------------

types = Table("cachetypes", pk="PK", sk="SK")
R = TypeVar("R", bound="Record")


class Address(msgspec.Struct):
    street: str
    zip: str
    tags: set[str] = msgspec.field(default_factory=set)


@types.entity(key=Key(pk="REC#{record_id}", sk="REC"), cache=CachePolicy(ttl=60))
class Record(msgspec.Struct, kw_only=True):
    record_id: str
    at: dt.datetime
    naive: dt.datetime
    day: dt.date
    amount: Decimal
    ratio: float
    count: int
    flag: bool
    blob: bytes
    ident: uuid.UUID
    kind: Literal["a", "b"]
    tags: set[str]
    scores: frozenset[int]
    blobs: set[bytes]
    address: Address
    lines: list[Address]
    counts: dict[str, int]
    nested: dict[str, list[Decimal]]
    note: str | None = None
    alt: Address | None = None
    empty: set[str] = msgspec.field(default_factory=set)


@types.entity(
    key=Key(pk="LEDGER#{record_id}", sk="LEDGER"), cache=CachePolicy(mode="write-through")
)
class Ledger(Record, kw_only=True):
    """The same fields, cached write-through (the value stored is the one written)."""


types_design = types.compile()


@pytest.fixture
def types_db(moto_db: Database, cache: RedisCache) -> Iterator[Database]:
    deploy(types_design, moto_db.client)
    yield connect(types_design, dynamodb=moto_db.client, cache=cache)


def full(cls: type[R], record_id: str, **changes: Any) -> R:
    values: dict[str, Any] = {
        "record_id": record_id,
        "at": dt.datetime(2024, 5, 1, 14, 30, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "naive": dt.datetime(2024, 5, 1, 12, 0, 0, 500),
        "day": dt.date(2024, 2, 29),
        "amount": Decimal("12345678901234567890.123456789"),
        "ratio": 0.1,
        "count": -(2**53) - 1,
        "flag": True,
        "blob": b"\x00\xffbytes",
        "ident": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "kind": "b",
        "tags": {"x", "y", "ünï"},
        "scores": frozenset({1, 2, 3}),
        "blobs": {b"a", b"\x01"},
        "address": Address("Main St 1", "12345", {"home"}),
        "lines": [Address("A", "1"), Address("B", "2", {"x"})],
        "counts": {"a": 1, "b": 2},
        "nested": {"p": [Decimal("1.5"), Decimal("-0.001")]},
        "note": "hello",
        "alt": Address("Alt", "9"),
    }
    values.update(changes)
    return cls(**values)


def check_types(got: Record) -> None:
    assert isinstance(got.amount, Decimal) and isinstance(got.ident, uuid.UUID)
    assert type(got.tags) is set and type(got.scores) is frozenset and type(got.blob) is bytes
    assert isinstance(got.address, Address) and all(isinstance(a, Address) for a in got.lines)
    assert got.at.utcoffset() is not None and got.naive.tzinfo is None
    assert type(got.day) is dt.date


@pytest.mark.parametrize("optional", ["set", "none"])
def test_cache_aside_envelope_round_trips_every_type(
    types_db: Database, redis_server: RedisServer, optional: str
) -> None:
    changes = {} if optional == "set" else {"note": None, "alt": None}
    record = full(Record, "r-1", **changes)
    records = types_db.repo(Record)
    records.put(record)
    from_dynamodb = records.get(record_id="r-1")
    from_redis = records.get(record_id="r-1")
    assert from_dynamodb == record and from_redis == record
    assert from_redis is not None
    check_types(from_redis)
    assert from_redis.at == record.at and from_redis.amount == record.amount
    m = records.cache_metrics
    assert m is not None and (m.misses, m.hits) == (1, 1)


def test_write_through_envelope_round_trips_every_type(
    types_db: Database, redis_server: RedisServer
) -> None:
    ledger = full(Ledger, "l-1")
    ledgers = types_db.repo(Ledger)
    ledgers.put(ledger)
    from_redis = ledgers.get(record_id="l-1")
    assert from_redis == ledger and isinstance(from_redis, Ledger)
    check_types(from_redis)
    assert ledgers.get(record_id="l-1", consistent=True) == from_redis
    m = ledgers.cache_metrics
    assert m is not None and (m.misses, m.hits) == (0, 1)
