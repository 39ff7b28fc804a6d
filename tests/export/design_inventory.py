"""Test design: provisioned billing, an LSI, INCLUDE and KEYS_ONLY projections, a hash-only
GSI with its own capacity, TTL, a KEYS_ONLY stream, renamed key attributes and many field
types."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from modelkit import Index, Key, Provisioned, Table


class Grade(enum.IntEnum):
    A = 1
    B = 2


class Address(msgspec.Struct):
    street: str
    city: str
    zip_code: Annotated[str, msgspec.Meta(max_length=5)]


inventory = Table(
    "inventory-v2",
    pk="pk",
    sk="sk",
    indexes=[
        Index.gsi(
            "by-sku",
            pk="sku_key",
            projection="INCLUDE",
            include=["quantity", "price"],
            capacity=Provisioned(rcu=2, wcu=3),
        ),
        Index.gsi("by_warehouse", pk="wh_pk", sk="wh_sk", projection="KEYS_ONLY"),
        Index.lsi("by-received", sk="received_sk", projection="KEYS_ONLY"),
    ],
    ttl="expires",
    stream="KEYS_ONLY",
    billing=Provisioned(rcu=5, wcu=4),
    type_attribute="kind",
    doc="Stock per warehouse.",
)


@inventory.entity(
    key=Key(pk="WH#{warehouse_id}", sk="STOCK#{sku}"),
    indexes={
        "by-sku": Key(pk="SKU#{sku}"),
        "by_warehouse": Key(pk="{region}#{grade}", sk="{received}#{batch}"),
        "by-received": Key(sk="RECEIVED#{received}"),
    },
    ttl="expires_at",
)
class Stock(msgspec.Struct, kw_only=True):
    warehouse_id: str
    sku: Annotated[str, msgspec.Meta(max_length=12)]
    region: Literal["eu", "us", "ap"]
    grade: Grade
    received: dt.date
    batch: uuid.UUID
    quantity: Annotated[int, msgspec.Meta(ge=0, le=10_000)]
    price: Decimal
    weight_kg: float
    fragile: bool
    tags: set[str]
    sizes: list[int]
    dims: tuple[int, int, int]
    attrs: dict[str, str]
    address: Address
    photo: bytes
    note: str | None = None
    expires_at: dt.datetime | None = None


@inventory.entity(key=Key(pk="WH#{warehouse_id}", sk="INFO"), name="Warehouse")
class WarehouseInfo(msgspec.Struct, kw_only=True):
    warehouse_id: str
    name: str
    opened: dt.datetime


design = inventory.compile()
