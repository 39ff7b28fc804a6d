"""An online shop: customers, products, warehouses, orders, invoices, payments and shipments.

Mirrors the published NoSQL Workbench model ``AnOnlineShop`` from
aws-samples/amazon-dynamodb-design-patterns (examples/an-online-shop/json/AnOnlineShop_14.json
and its one-facet-per-entity form AnOnlineShop_facets.json), licensed MIT-0 (copy in
/work/shared/data/models/online-shop/LICENSE). Same table, key attributes (``PK``/``SK``,
``GSI1-PK``/``GSI1-SK``, ``GSI2-PK``/``GSI2-SK``) and prefixes; the entity and pattern names
are ours. Where the two published files differ, this follows the facets (``p#``/``i#``
before the date in GSI2, so a customer's products and invoices are two ranges).

* Customers, products and warehouses are one item each, ``PK = SK = c#/p#/w#{id}``.
* Inventory lives under the product (``p#…`` / ``w#…``) and is mirrored in GSI2 under the
  warehouse, so "stock of a product everywhere" and "stock of a warehouse" are one query each.
* An order's items, invoice, payments and shipments share the order's partition ``o#{id}``.
* GSI1 finds an invoice with its payments, a shipment with its items, and a product's order
  lines by date; GSI2 finds a warehouse's shipments and a customer's order lines and
  invoices by date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

import msgspec

from modelkit import CachePolicy, Index, Key, Table


class Address(msgspec.Struct, kw_only=True):
    country: str
    county: str = ""
    city: str
    street: str
    number: str
    zip_code: str


shop = Table(
    "OnlineShop",
    pk="PK",
    sk="SK",
    indexes=[
        Index.gsi("GSI1", pk="GSI1-PK", sk="GSI1-SK"),
        Index.gsi("GSI2", pk="GSI2-PK", sk="GSI2-SK"),
    ],
    type_attribute="EntityType",
    doc="An online shop's customers, products, stock, orders, invoices and shipments.",
)


@shop.entity(key=Key(pk="c#{customer_id}", sk="c#{customer_id}"), cache=CachePolicy(ttl=300))
class Customer(msgspec.Struct, kw_only=True):
    customer_id: str
    email: str
    name: str


@shop.entity(key=Key(pk="p#{product_id}", sk="p#{product_id}"), cache=CachePolicy(ttl=600))
class Product(msgspec.Struct, kw_only=True):
    product_id: str
    name: str
    description: str
    price: Decimal


@shop.entity(key=Key(pk="w#{warehouse_id}", sk="w#{warehouse_id}"))
class Warehouse(msgspec.Struct, kw_only=True):
    warehouse_id: str
    address: Address


@shop.entity(
    key=Key(pk="p#{product_id}", sk="w#{warehouse_id}"),
    indexes={"GSI2": Key(pk="w#{warehouse_id}", sk="p#{product_id}")},
)
class WarehouseItem(msgspec.Struct, kw_only=True):
    """Stock of one product in one warehouse."""

    product_id: str
    warehouse_id: str
    quantity: int


@shop.entity(key=Key(pk="o#{order_id}", sk="c#{customer_id}"))
class Order(msgspec.Struct, kw_only=True):
    order_id: str
    customer_id: str
    date: dt.datetime


@shop.entity(
    key=Key(pk="o#{order_id}", sk="p#{product_id}"),
    indexes={
        "GSI1": Key(pk="p#{product_id}", sk="{date}"),
        "GSI2": Key(pk="c#{customer_id}", sk="p#{date}"),
    },
)
class OrderItem(msgspec.Struct, kw_only=True):
    """One product line of an order."""

    order_id: str
    product_id: str
    customer_id: str
    date: dt.datetime
    price: Decimal
    quantity: int


@shop.entity(
    key=Key(pk="o#{order_id}", sk="i#{invoice_id}"),
    indexes={
        "GSI1": Key(pk="i#{invoice_id}", sk="i#{invoice_id}"),
        "GSI2": Key(pk="c#{customer_id}", sk="i#{date}"),
    },
)
class Invoice(msgspec.Struct, kw_only=True):
    order_id: str
    invoice_id: str
    customer_id: str
    date: dt.datetime
    amount: Decimal


@shop.entity(
    key=Key(pk="o#{order_id}", sk="pmn#{payment_id}"),
    indexes={"GSI1": Key(pk="i#{invoice_id}", sk="pmn#{payment_id}")},
)
class Payment(msgspec.Struct, kw_only=True):
    order_id: str
    payment_id: str
    invoice_id: str
    type: str
    amount: Decimal
    date: dt.datetime


@shop.entity(
    key=Key(pk="o#{order_id}", sk="sh#{shipment_id}"),
    indexes={
        "GSI1": Key(pk="sh#{shipment_id}", sk="sh#{shipment_id}"),
        "GSI2": Key(pk="w#{warehouse_id}", sk="sh#{shipment_id}"),
    },
)
class Shipment(msgspec.Struct, kw_only=True):
    order_id: str
    shipment_id: str
    warehouse_id: str
    address: Address
    type: Literal["Standard", "Express"]
    date: dt.datetime


@shop.entity(
    key=Key(pk="o#{order_id}", sk="shp#{shipment_item_id}"),
    indexes={"GSI1": Key(pk="sh#{shipment_id}", sk="p#{product_id}")},
)
class ShipmentItem(msgspec.Struct, kw_only=True):
    order_id: str
    shipment_item_id: str
    shipment_id: str
    product_id: str
    quantity: int


shop.pattern("customer by id", Customer, op="get", given=["customer_id"])
shop.pattern("product by id", Product, op="get", given=["product_id"])
shop.pattern("warehouse by id", Warehouse, op="get", given=["warehouse_id"])
shop.pattern("order by id", Order, given=["order_id"], limit=1)
shop.pattern("invoice by id", Invoice, op="get", index="GSI1", given=["invoice_id"])
shop.pattern("shipment by id", Shipment, op="get", index="GSI1", given=["shipment_id"])
shop.pattern("stock of a product in all warehouses", WarehouseItem, given=["product_id"])
shop.pattern(
    "order with its products, invoice and shipments",
    [Order, OrderItem, Invoice, Payment, Shipment, ShipmentItem],
    given=["order_id"],
)
shop.pattern(
    "orders of a product in a date range",
    OrderItem,
    index="GSI1",
    given=["product_id"],
    sort="between",
    descending=True,
    limit=100,
)
shop.pattern("invoice with its payments", [Invoice, Payment], index="GSI1", given=["invoice_id"])
shop.pattern("items of a shipment", ShipmentItem, index="GSI1", given=["shipment_id"])
shop.pattern("shipments of a warehouse", Shipment, index="GSI2", given=["warehouse_id"])
shop.pattern("stock of a warehouse", WarehouseItem, index="GSI2", given=["warehouse_id"])
shop.pattern(
    "invoices of a customer in a date range",
    Invoice,
    index="GSI2",
    given=["customer_id"],
    sort="between",
    descending=True,
    limit=50,
)
shop.pattern(
    "products a customer ordered in a date range",
    OrderItem,
    index="GSI2",
    given=["customer_id"],
    sort="between",
    descending=True,
    limit=50,
)
shop.pattern("place order", [Order, OrderItem, Invoice], op="transaction")
shop.pattern("record payment", Payment, op="put")
shop.pattern("ship order", [Shipment, ShipmentItem], op="transaction")
shop.pattern("update stock", WarehouseItem, op="update", given=["product_id", "warehouse_id"])

design = shop.compile()
