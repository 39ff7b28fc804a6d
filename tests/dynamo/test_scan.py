"""``repo.scan()`` on three backends: one entity's items only, filters, pages by cursor, and
parallel segments that split the table into disjoint parts."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

import modelkit
from modelkit.dynamo import CursorError, Database, Repository, connect, deploy
from modelkit.dynamo.expressions import Condition

if TYPE_CHECKING:
    from conftest import Backend

ROOT = Path(__file__).resolve().parents[2]
SHOP = modelkit.load_design(str(ROOT / "schemas" / "ecommerce.py"))
SESSIONS = modelkit.load_design(str(ROOT / "schemas" / "sessions.py"))
Customer = SHOP.entity("Customer").struct
Order = SHOP.entity("Order").struct
OrderLine = SHOP.entity("OrderLine").struct
Session = SESSIONS.entity("Session").struct
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
STATUSES = ["PLACED", "PAID", "SHIPPED"]
CUSTOMERS = 20


def order(customer: int, n: int) -> Any:
    return msgspec.convert(
        {
            "customer_id": f"c-{customer:02d}",
            "order_id": f"o-{customer:02d}-{n}",
            "placed_at": T0 + dt.timedelta(hours=n),
            "status": STATUSES[(customer + n) % 3],
            "total": Decimal(customer * 10 + n) + Decimal("0.25"),
        },
        type=Order,
    )


def customer(n: int) -> Any:
    return msgspec.convert(
        {
            "customer_id": f"c-{n:02d}",
            "email": f"user{n}@example.com",
            "name": f"User {n}",
            "created_at": T0,
        },
        type=Customer,
    )


def line(n: int) -> Any:
    return msgspec.convert(
        {
            "customer_id": "c-00",
            "order_id": "o-00-0",
            "line_no": n,
            "sku": f"SKU-{n}",
            "quantity": 1,
            "price": "2.50",
        },
        type=OrderLine,
    )


def by_id(orders: list[Any]) -> list[Any]:
    return sorted(orders, key=lambda o: o.order_id)


@pytest.fixture
def db(backend: Backend, table_name: str) -> Database:
    """A table of 20 customers (20 partitions), 2 orders each, and 3 lines of one order."""
    design = msgspec.structs.replace(SHOP, name=table_name)
    deploy(design, backend.client)
    db = connect(design, dynamodb=backend.client, cursor_secret="scan tests, 16+ bytes")
    db.repo(Customer).batch_put(customer(c) for c in range(CUSTOMERS))
    db.repo(Order).batch_put(order(c, n) for c in range(CUSTOMERS) for n in range(2))
    db.repo(OrderLine).batch_put(line(n) for n in range(3))
    return db


ALL_ORDERS = by_id([order(c, n) for c in range(CUSTOMERS) for n in range(2)])
TABLE_ITEMS = CUSTOMERS + len(ALL_ORDERS) + 3


def every_page(
    repo: Repository[Any],
    *,
    limit: int | None = None,
    filter: Condition | None = None,
    segment: int | None = None,
    segments: int | None = None,
) -> list[list[Any]]:
    """The items of each page, following cursors to the end."""
    pages: list[list[Any]] = []
    cursor = None
    while True:
        page = repo.scan(
            limit=limit, filter=filter, segment=segment, segments=segments, cursor=cursor
        )
        pages.append(page.items)
        if page.cursor is None:
            return pages
        cursor = page.cursor


def test_scan_returns_only_the_entitys_items(db: Database) -> None:
    orders = db.repo(Order).scan()
    assert orders.cursor is None
    assert by_id(orders.items) == ALL_ORDERS
    customers = db.repo(Customer).scan().items
    assert sorted(customers, key=lambda c: c.customer_id) == [customer(c) for c in range(20)]
    lines = db.repo(OrderLine).scan().items
    assert sorted(lines, key=lambda x: x.line_no) == [line(n) for n in range(3)]


def test_scan_with_a_filter(db: Database) -> None:
    orders = db.repo(Order)
    f = orders.f
    paid = orders.scan(filter=f.status == "PAID").items
    assert by_id(paid) == [o for o in ALL_ORDERS if o.status == "PAID"]
    assert {o.status for o in paid} == {"PAID"}
    big = orders.scan(filter=(f.total > 150) & (f.status != "SHIPPED")).items
    expected = [o for o in ALL_ORDERS if o.total > 150 and o.status != "SHIPPED"]
    assert by_id(big) == expected
    assert [o.order_id for o in expected] == [
        "o-15-0",
        "o-15-1",
        "o-16-0",
        "o-17-1",
        "o-18-0",
        "o-18-1",
        "o-19-0",
    ]
    assert orders.scan(filter=f.customer_id == "nobody").items == []


def test_scan_pages_follow_cursors(db: Database) -> None:
    orders = db.repo(Order)
    pages = every_page(orders, limit=7)
    # Limit counts the items read, of every entity, before the type filter drops the others
    assert len(pages) >= math.ceil(TABLE_ITEMS / 7)
    assert all(len(p) <= 7 for p in pages)
    assert by_id([o for p in pages for o in p]) == ALL_ORDERS
    paid_pages = every_page(orders, limit=5, filter=orders.f.status == "PAID")
    assert by_id([o for p in paid_pages for o in p]) == [
        o for o in ALL_ORDERS if o.status == "PAID"
    ]


def test_a_scan_cursor_is_bound_to_its_entity_and_segment(db: Database) -> None:
    orders, customers = db.repo(Order), db.repo(Customer)
    first = orders.scan(limit=3)
    assert first.cursor is not None
    with pytest.raises(CursorError, match="another query"):
        customers.scan(limit=3, cursor=first.cursor)
    segment = orders.scan(limit=3, segment=0, segments=3)
    assert segment.cursor is not None
    with pytest.raises(CursorError, match="another query"):
        orders.scan(limit=3, segment=1, segments=3, cursor=segment.cursor)
    with pytest.raises(CursorError, match="another query"):
        orders.scan(limit=3, cursor=segment.cursor)
    rest = every_page(orders, limit=3)  # a fresh scan still reads everything
    assert by_id([o for p in rest for o in p]) == ALL_ORDERS


def test_parallel_segments_are_disjoint_and_cover_the_table(db: Database) -> None:
    orders = db.repo(Order)
    parts = [
        [o for p in every_page(orders, segment=i, segments=3, limit=4) for o in p] for i in range(3)
    ]
    ids = [{o.order_id for o in part} for part in parts]
    assert ids[0].isdisjoint(ids[1]) and ids[0].isdisjoint(ids[2]) and ids[1].isdisjoint(ids[2])
    assert by_id([o for part in parts for o in part]) == ALL_ORDERS
    # segments split by partition: a customer's two orders fall in one segment
    for part in parts:
        customers = {o.customer_id for o in part}
        assert len(part) == 2 * len(customers)
    assert sum(1 for part in parts if part) >= 2
    paid = [
        o
        for i in range(3)
        for p in every_page(orders, segment=i, segments=3, filter=orders.f.status == "PAID")
        for o in p
    ]
    assert by_id(paid) == [o for o in ALL_ORDERS if o.status == "PAID"]


def test_segment_needs_segments(db: Database) -> None:
    with pytest.raises(ValueError, match="give both segment and segments"):
        db.repo(Order).scan(segment=0)
    with pytest.raises(ValueError, match="give both segment and segments"):
        db.repo(Order).scan(segments=3)


def test_scan_leaves_out_expired_items(backend: Backend, table_name: str) -> None:
    """DynamoDB deletes expired items only eventually (emulators never): reads hide them."""
    design = msgspec.structs.replace(SESSIONS, name=table_name)
    deploy(design, backend.client)
    now = T0.timestamp()
    db = connect(design, dynamodb=backend.client, clock=lambda: now)
    sessions = db.repo(Session)
    user = uuid.UUID(int=7)

    def session(n: int, expires_in: int) -> Any:
        return Session(
            session_id=uuid.UUID(int=n),
            user_id=user,
            created_at=T0,
            expires_at=int(now) + expires_in,
        )

    live, expired = session(1, 3600), session(2, -1)
    sessions.batch_put([live, expired])
    assert sessions.scan().items == [live]
    assert sessions.get(session_id=expired.session_id) is None
    later = connect(design, dynamodb=backend.client, clock=lambda: now + 7200)
    assert later.repo(Session).scan().items == []
