"""Retail cart: the products in each customer's cart, saved for later or bought, by status.

Mirrors the published NoSQL Workbench model ``CartTable`` from aws-samples/amazon-dynamodb-labs
(scenario-solutions/retail-cart/CartModel.json), licensed Apache-2.0 (copy of the licence and
NOTICE in /work/shared/data/models/retail-cart/). Same table, key attributes and GSI; the
entity and pattern names are ours.

* A cart line is ``CustomerID = {customer_id}``, ``Status#Date = {status}#{date}``: "a
  customer's active (or saved, or purchased) products, newest first" is one query with
  ``begins_with`` on the status. Moving a line from the cart to "saved" changes its sort key,
  so it is a delete and a put in one transaction.
* ``GSI-SKU`` (``ItemSKU``, ``Status#Date``) lists every customer holding a product in a
  status: "who has this product in their cart". The authors expect fewer than 1,000 writes a
  second on any one product, at a scale of millions of concurrent customers.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Annotated

import msgspec

from modelkit import CachePolicy, Index, Key, Table


class CartStatus(enum.StrEnum):
    ACTIVE = "Active"
    SAVED = "Saved"
    PURCHASED = "Purchased"


cart = Table(
    "CartTable",
    pk="CustomerID",
    sk="Status#Date",
    indexes=[Index.gsi("GSI-SKU", pk="ItemSKU", sk="Status#Date")],
    doc="Cart lines per customer by status and time, and per product in a GSI.",
)


@cart.entity(
    key=Key(pk="{customer_id}", sk="{status}#{date}"),
    indexes={"GSI-SKU": Key(pk="{item_sku}", sk="{status}#{date}")},
    cache=CachePolicy(ttl=30),
)
class CartLine(msgspec.Struct, kw_only=True):
    """One product in a customer's cart (items stay under 1 KB)."""

    customer_id: str
    status: CartStatus
    date: dt.datetime
    item_sku: str
    price: Decimal
    count: Annotated[int, msgspec.Meta(ge=1)]


cart.pattern("add product to cart", CartLine, op="put")
cart.pattern(
    "products of a customer in a status",
    CartLine,
    given=["customer_id", "status"],
    descending=True,
    limit=50,
)
cart.pattern(
    "customers holding a product in a status",
    CartLine,
    index="GSI-SKU",
    given=["item_sku", "status"],
    limit=100,
)
cart.pattern("change quantity", CartLine, op="update", given=["customer_id", "status", "date"])
cart.pattern("move product to another status", CartLine, op="transaction")
cart.pattern(
    "remove product from cart", CartLine, op="delete", given=["customer_id", "status", "date"]
)

design = cart.compile()
