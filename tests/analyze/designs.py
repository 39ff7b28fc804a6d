"""Small designs for hand-checkable analyzer cases, built in code."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from modelkit import CachePolicy, Index, Key, Table
from modelkit.schema import TableDesign


def counter_design() -> TableDesign:
    """One item per counter name: every bump writes the same item."""
    table = Table("counters", pk="PK", sk="SK")

    @table.entity(key=Key(pk="COUNTER#{name}", sk="COUNTER"))
    class Counter(msgspec.Struct, kw_only=True):
        name: str
        value: int = 0

    @table.entity(key=Key(pk="LOG#{log_id}", sk="LOG"))
    class Log(msgspec.Struct, kw_only=True):
        log_id: str
        text: str = ""

    table.pattern("bump", Counter, op="update", given=["name"])
    table.pattern("read counter", Counter, op="get", given=["name"])
    table.pattern("write log", Log, op="put")
    return table.compile()


def events_design(gsi_pk: str, gsi_sk: str) -> TableDesign:
    """Events keyed by id, with one GSI whose key templates the test chooses."""
    table = Table("events", pk="PK", sk="SK", indexes=[Index.gsi("GSI1", pk="G1PK", sk="G1SK")])

    @table.entity(
        key=Key(pk="EVENT#{event_id}", sk="EVENT"),
        indexes={"GSI1": Key(pk=gsi_pk, sk=gsi_sk)},
    )
    class Event(msgspec.Struct, kw_only=True):
        event_id: str
        day: dt.date
        created_at: dt.datetime
        status: Literal["PENDING", "SHIPPED", "DELIVERED"]
        shard: Annotated[int, msgspec.Meta(ge=0, lt=200)] = 0
        body: str = ""

    table.pattern("record event", Event, op="put")
    table.pattern("event by id", Event, op="get", given=["event_id"])
    fields = [f.strip("{}") for f in gsi_pk.split("#") if f.startswith("{")]
    table.pattern("events by gsi", Event, index="GSI1", given=fields, limit=20)
    return table.compile()


def shop_design() -> TableDesign:
    """Customers and their orders: a design that spreads well."""
    table = Table("shop", pk="PK", sk="SK", indexes=[Index.gsi("GSI1", pk="G1PK", sk="G1SK")])

    @table.entity(key=Key(pk="CUSTOMER#{customer_id}", sk="PROFILE"))
    class Customer(msgspec.Struct, kw_only=True):
        customer_id: str
        name: str

    @table.entity(
        key=Key(pk="CUSTOMER#{customer_id}", sk="ORDER#{order_id}"),
        indexes={"GSI1": Key(pk="ORDER#{order_id}", sk="ORDER")},
    )
    class Order(msgspec.Struct, kw_only=True):
        customer_id: str
        order_id: str
        total: int

    table.pattern("customer by id", Customer, op="get", given=["customer_id"])
    table.pattern("orders of a customer", Order, given=["customer_id"], limit=25)
    table.pattern("order by id", Order, op="get", index="GSI1", given=["order_id"])
    table.pattern("place order", Order, op="put")
    return table.compile()


def feed_design(with_lsi: bool) -> TableDesign:
    """Posts of a feed under the feed's partition key, with or without an LSI by author."""
    indexes = [Index.lsi("LSI1", sk="L1SK")] if with_lsi else []
    table = Table("feeds", pk="PK", sk="SK", indexes=indexes)

    @table.entity(
        key=Key(pk="FEED#{feed}", sk="POST#{post_id}"),
        indexes={"LSI1": Key(pk="FEED#{feed}", sk="AUTHOR#{author}#{post_id}")} if with_lsi else {},
    )
    class Post(msgspec.Struct, kw_only=True):
        feed: str
        post_id: str
        author: str

    table.pattern("post", Post, op="put")
    return table.compile()


def collection_design() -> TableDesign:
    """Customers and their orders in one item collection, cached, with a KEYS_ONLY status
    index whose query pages the Order policy caches."""
    table = Table(
        "collections",
        pk="PK",
        sk="SK",
        indexes=[Index.gsi("GSI1", pk="G1PK", sk="G1SK", projection="KEYS_ONLY")],
    )

    @table.entity(
        key=Key(pk="CUSTOMER#{customer_id}", sk="PROFILE"),
        cache=CachePolicy(ttl=100, jitter=0.2),
    )
    class Customer(msgspec.Struct, kw_only=True):
        customer_id: str
        name: str

    @table.entity(
        key=Key(pk="CUSTOMER#{customer_id}", sk="ORDER#{order_id}"),
        indexes={"GSI1": Key(pk="STATUS#{status}", sk="{order_id}")},
        cache=CachePolicy(ttl=10, jitter=0.0, cache_queries=True),
    )
    class Order(msgspec.Struct, kw_only=True):
        customer_id: str
        order_id: str
        status: str
        total: int

    table.pattern("customer by id", Customer, op="get", given=["customer_id"])
    table.pattern("update customer", Customer, op="update", given=["customer_id"])
    table.pattern("customer with orders", [Customer, Order], given=["customer_id"], limit=10)
    table.pattern("order by key", Order, op="get", given=["customer_id", "order_id"])
    table.pattern("orders by status", Order, index="GSI1", given=["status"], limit=10)
    table.pattern("place order", Order, op="put")
    table.pattern("place orders", [Order], op="transaction")
    table.pattern("scan customers", Customer, op="scan")
    return table.compile()
