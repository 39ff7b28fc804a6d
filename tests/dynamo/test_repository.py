"""Repositories on three backends (moto in-process, moto server, dynalite): every single-item
operation, queries by named pattern with cursors, collections, sparse indexes, batches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

import modelkit
from modelkit.dynamo import CursorError, Database, connect, deploy
from modelkit.errors import ConditionFailed, NotFound, ValidationError

if TYPE_CHECKING:
    from conftest import Backend

ROOT = Path(__file__).resolve().parents[2]
SHOP = modelkit.load_design(str(ROOT / "schemas" / "ecommerce.py"))
Customer = SHOP.entity("Customer").struct
Order = SHOP.entity("Order").struct
OrderLine = SHOP.entity("OrderLine").struct
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(backend: Backend, table_name: str) -> Database:
    design = msgspec.structs.replace(SHOP, name=table_name)
    deploy(design, backend.client)
    return connect(design, dynamodb=backend.client, cursor_secret="test secret, 16+ bytes")


def order(n: int, customer: str = "c-1", **changes: Any) -> Any:
    values: dict[str, Any] = {
        "customer_id": customer,
        "order_id": f"o-{n:03d}",
        "placed_at": T0 + dt.timedelta(hours=n),
        "status": "PLACED",
        "total": Decimal(n) + Decimal("0.99"),
    }
    values.update(changes)
    return msgspec.convert(values, type=Order)


def key(o: Any) -> dict[str, Any]:
    return {"customer_id": o.customer_id, "placed_at": o.placed_at, "order_id": o.order_id}


def test_put_get_require_delete(db: Database) -> None:
    orders = db.repo(Order)
    first = order(1)
    assert orders.put(first) == first
    assert orders.get(key(first)) == first
    assert orders.get(**key(first), consistent=True) == first
    assert orders.get(customer_id="c-1", placed_at=T0, order_id="nope") is None
    with pytest.raises(NotFound, match="no Order with key"):
        orders.require(customer_id="c-1", placed_at=T0, order_id="nope")
    assert orders.delete(key(first)) == first
    assert orders.get(key(first)) is None
    assert orders.delete(key(first)) is None


def test_create_refuses_an_existing_key(db: Database, backend: Backend) -> None:
    customers = db.repo(Customer)
    ada = msgspec.convert(
        {"customer_id": "c-1", "email": "ada@example.com", "name": "Ada", "created_at": T0},
        type=Customer,
    )
    customers.create(ada)
    with pytest.raises(ConditionFailed) as caught:
        customers.create(msgspec.structs.replace(ada, name="Other"))
    # dynalite ignores ReturnValuesOnConditionCheckFailure, so it sends no current item
    assert caught.value.item == (None if backend.name == "dynalite" else ada)
    assert customers.get(customer_id="c-1").name == "Ada"


def test_conditional_put_and_delete(db: Database) -> None:
    orders = db.repo(Order)
    placed = orders.put(order(2))
    f = orders.f
    with pytest.raises(ConditionFailed):
        orders.put(msgspec.structs.replace(placed, status="PAID"), condition=f.status == "PAID")
    orders.put(msgspec.structs.replace(placed, status="PAID"), condition=f.status == "PLACED")
    with pytest.raises(ConditionFailed):
        orders.delete(key(placed), condition=f.total > 1000)
    assert orders.require(key(placed)).status == "PAID"


def test_update_returns_the_new_item_and_rebuilds_index_keys(db: Database) -> None:
    orders = db.repo(Order)
    placed = orders.put(order(3))
    f = orders.f
    updated = orders.update(
        key(placed),
        f.status.set("PAID"),
        f.total.set(f.total + Decimal("1.01")),
        f.ship_by.set(T0 + dt.timedelta(days=2)),
        f.ship_shard.set(4),
    )
    assert updated.status == "PAID" and updated.total == Decimal("5.00")
    assert updated.ship_by == T0 + dt.timedelta(days=2) and updated.ship_shard == 4
    due = db.query("orders to ship before a time", ship_shard=4, ship_by=T0 + dt.timedelta(days=3))
    assert [o.order_id for o in due] == ["o-003"]
    shipped = orders.update(key(placed), f.ship_by.set(None), f.ship_shard.remove())
    assert shipped.ship_by is None and shipped.ship_shard is None
    assert (
        len(
            db.query(
                "orders to ship before a time", ship_shard=4, ship_by=T0 + dt.timedelta(days=3)
            )
        )
        == 0
    )


def test_update_errors_before_sending(db: Database) -> None:
    orders = db.repo(Order)
    placed = orders.put(order(4))
    f = orders.f
    with pytest.raises(ValidationError, match="part of the primary key"):
        orders.update(key(placed), f.order_id.set("o-999"))
    with pytest.raises(ValidationError, match="give ship_shard too"):
        orders.update(key(placed), f.ship_by.set(T0))
    with pytest.raises(ValidationError, match="not arithmetic"):
        orders.update(key(placed), f.ship_shard.set(f.ship_shard + 1), f.ship_by.set(T0))
    with pytest.raises(NotFound):
        orders.update({**key(placed), "order_id": "ghost"}, f.status.set("PAID"))
    with pytest.raises(ConditionFailed):
        orders.update(key(placed), f.status.set("PAID"), condition=f.status == "SHIPPED")
    assert orders.require(key(placed)).status == "PLACED"


def test_query_between_descending_pages_and_cursors(db: Database) -> None:
    orders = db.repo(Order)
    orders.batch_put([order(n) for n in range(30)])
    orders.batch_put([order(n, customer="c-2") for n in range(5)])
    window = (T0 + dt.timedelta(hours=5), T0 + dt.timedelta(hours=24))
    pattern = "orders of a customer in a period"
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = orders.query(pattern, customer_id="c-1", placed_at=window, limit=7, cursor=cursor)
        seen += [o.order_id for o in page]
        pages += 1
        if page.cursor is None:
            break
        cursor = page.cursor
        with pytest.raises(CursorError, match="another query"):
            orders.query(pattern, customer_id="c-2", placed_at=window, cursor=cursor)
    assert seen == [f"o-{n:03d}" for n in range(24, 4, -1)]
    assert pages >= 3
    everything = list(
        orders.query_all(pattern, customer_id="c-2", placed_at=(T0, T0 + dt.timedelta(days=9)))
    )
    assert [o.order_id for o in everything] == [f"o-{n:03d}" for n in range(4, -1, -1)]


def test_collection_and_index_get(db: Database) -> None:
    placed = db.repo(Order).put(order(7))
    lines = [
        msgspec.convert(
            {
                "customer_id": "c-1",
                "order_id": "o-007",
                "line_no": n,
                "sku": f"S{n}",
                "quantity": 1,
                "price": "2.50",
            },
            type=OrderLine,
        )
        for n in (1, 2, 3)
    ]
    db.repo(OrderLine).batch_put(lines)
    page = db.query("order with its lines", order_id="o-007")
    assert page.of(Order) == [placed]
    assert page.of(OrderLine) == lines
    assert [o.order_id for o in db.query("order by id", order_id="o-007")] == ["o-007"]


def test_batch_get_and_delete(db: Database) -> None:
    orders = db.repo(Order)
    batch = [order(n) for n in range(120)]
    orders.batch_put(batch)
    found = orders.batch_get([key(o) for o in batch] + [key(order(999))])
    assert sorted(found, key=lambda o: o.order_id) == batch
    orders.batch_delete([key(o) for o in batch[:60]])
    assert len(orders.batch_get([key(o) for o in batch])) == 60


def test_consumed_capacity_is_recorded(db: Database) -> None:
    orders = db.repo(Order)
    orders.put(order(1))
    orders.get(key(order(1)))
    rows = {(r.entity, r.pattern, r.index): r for r in db.stats.rows()}
    assert rows[("Order", "put", "primary")].write_units >= 1
    assert rows[("Order", "get", "primary")].read_units >= 0.5


def test_query_fields_reads_only_the_projected_attributes(db: Database) -> None:
    orders = db.repo(Order)
    orders.batch_put([order(n) for n in range(3)])
    f = orders.f
    page = orders.query_fields(
        "orders of a customer in a period",
        [f.order_id, f.total],
        customer_id="c-1",
        placed_at=(T0, T0 + dt.timedelta(days=1)),
    )
    assert page.items == [
        {"order_id": f"o-{n:03d}", "total": Decimal(n) + Decimal("0.99")} for n in (2, 1, 0)
    ]
    with pytest.raises(ValidationError, match="projects KEYS_ONLY"):
        orders.query_fields("orders to ship before a time", [f.status], ship_shard=1, ship_by=T0)
