"""The designs the cache tests share: one table with an entity per caching policy."""

from __future__ import annotations

import datetime as dt

import msgspec

from modelkit import CachePolicy, Index, Key, Table

shop = Table(
    "cacheshop",
    pk="PK",
    sk="SK",
    ttl="ttl",
    stream="NEW_AND_OLD_IMAGES",
    indexes=[Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK")],
)


@shop.entity(
    key=Key(pk="CUSTOMER#{customer_id}", sk="PROFILE"),
    indexes={"GSI1": Key(pk="EMAIL#{email}", sk="CUSTOMER")},
    cache=CachePolicy(ttl=60, negative_ttl=30),
)
class Customer(msgspec.Struct, kw_only=True):
    """Cache-aside, with negative caching."""

    customer_id: str
    email: str
    name: str
    version: int = 0


@shop.entity(
    key=Key(pk="WALLET#{wallet_id}", sk="WALLET"),
    cache=CachePolicy(ttl=60, mode="write-through"),
)
class Wallet(msgspec.Struct, kw_only=True):
    """Write-through."""

    wallet_id: str
    balance: int


@shop.entity(
    key=Key(pk="SESSION#{token}", sk="SESSION"),
    ttl="expires_at",
    cache=CachePolicy(ttl=600, negative_ttl=None),
)
class Session(msgspec.Struct, kw_only=True):
    """An item with its own expiry (the cached value never outlives it); no negative
    caching."""

    token: str
    user: str
    expires_at: dt.datetime


@shop.entity(
    key=Key(pk="ORDER#{customer_id}", sk="ORDER#{order_id}"),
    cache=CachePolicy(ttl=60, cache_queries=True),
)
class Order(msgspec.Struct, kw_only=True):
    """Cached items and cached query pages."""

    customer_id: str
    order_id: str
    total: int
    status: str = "NEW"


@shop.entity(key=Key(pk="NOTE#{note_id}", sk="NOTE"))
class Note(msgspec.Struct, kw_only=True):
    """Not cached (the default policy is off)."""

    note_id: str
    text: str


shop.pattern("orders of a customer", Order, given=["customer_id"])
shop.pattern("customer by email", Customer, op="get", index="GSI1", given=["email"])

design = shop.compile()


board = Table(
    "cacheboard",
    pk="PK",
    sk="SK",
    stream="KEYS_ONLY",
    indexes=[Index.gsi("GSI1", pk="GSI1PK", sk="GSI1SK")],
)


@board.entity(
    key=Key(pk="TASK#{task_id}", sk="TASK"),
    indexes={"GSI1": Key(pk="STATUS#{status}", sk="TASK#{task_id}")},
    cache=CachePolicy(ttl=60, cache_queries=True),
)
class Task(msgspec.Struct, kw_only=True):
    """Cached items and cached GSI pages, on a table whose stream has keys only."""

    task_id: str
    status: str
    title: str


board.pattern("tasks by status", Task, index="GSI1", given=["status"])
board_design = board.compile()
