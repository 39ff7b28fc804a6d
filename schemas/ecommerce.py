"""E-commerce orders: customers, their orders and order lines in one table.

A customer's profile, orders and order lines share the customer's partition, so "a
customer's recent orders" is one query. GSI1 finds an order by its id and collects its lines;
GSI2 is a sparse index of orders that still need shipping, sharded so that the busiest status
never lands on one partition.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Annotated

import msgspec

from modelkit import CachePolicy, Index, Key, Table


class OrderStatus(enum.StrEnum):
    PLACED = "PLACED"
    PAID = "PAID"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


shop = Table(
    "shop",
    pk="PK",
    sk="SK",
    indexes=[
        Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK"),
        Index.gsi("GSI2", pk="GSI2PK", sk="GSI2SK", projection="KEYS_ONLY"),
    ],
    stream="NEW_AND_OLD_IMAGES",
    doc="Customers, orders and order lines of an online shop.",
)


@shop.entity(
    key=Key(pk="CUSTOMER#{customer_id}", sk="PROFILE"),
    indexes={"GSI1": Key(pk="EMAIL#{email}", sk="CUSTOMER")},
    cache=CachePolicy(ttl=300),
)
class Customer(msgspec.Struct, kw_only=True):
    """A shopper's profile."""

    customer_id: str
    email: Annotated[str, msgspec.Meta(max_length=254)]
    name: Annotated[str, msgspec.Meta(max_length=200)]
    created_at: dt.datetime


@shop.entity(
    key=Key(pk="CUSTOMER#{customer_id}", sk="ORDER#{placed_at}#{order_id}"),
    indexes={
        "GSI1": Key(pk="ORDER#{order_id}", sk="ORDER"),
        "GSI2": Key(pk="TO_SHIP#{ship_shard}", sk="{ship_by}#{order_id}"),
    },
    cache=CachePolicy(ttl=60, mode="write-through"),
)
class Order(msgspec.Struct, kw_only=True):
    """An order; ``ship_by``/``ship_shard`` are set only while it waits to be shipped."""

    customer_id: str
    order_id: str
    placed_at: dt.datetime
    status: OrderStatus
    total: Decimal
    ship_by: dt.datetime | None = None
    ship_shard: Annotated[int, msgspec.Meta(ge=0, lt=10)] | None = None


@shop.entity(
    key=Key(pk="CUSTOMER#{customer_id}", sk="LINE#{order_id}#{line_no}"),
    indexes={"GSI1": Key(pk="ORDER#{order_id}", sk="LINE#{line_no}")},
)
class OrderLine(msgspec.Struct, kw_only=True):
    """One product line of an order."""

    customer_id: str
    order_id: str
    line_no: Annotated[int, msgspec.Meta(ge=0, lt=1000)]
    sku: str
    quantity: Annotated[int, msgspec.Meta(ge=1)]
    price: Decimal


shop.pattern("customer by id", Customer, op="get", given=["customer_id"])
shop.pattern("customer by email", Customer, op="get", index="GSI1", given=["email"])
shop.pattern(
    "orders of a customer in a period",
    Order,
    given=["customer_id"],
    sort="between",
    descending=True,
    limit=25,
)
shop.pattern("order by id", Order, index="GSI1", op="get", given=["order_id"])
shop.pattern("order with its lines", [Order, OrderLine], index="GSI1", given=["order_id"])
shop.pattern("place order", [Order, OrderLine], op="transaction")
shop.pattern(
    "update order status", Order, op="update", given=["customer_id", "placed_at", "order_id"]
)
shop.pattern(
    "orders to ship before a time",
    Order,
    index="GSI2",
    given=["ship_shard"],
    sort="lt",
    limit=100,
)

design = shop.compile()
