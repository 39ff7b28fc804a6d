"""Cached query pages on a real redis-server and moto: a page is read once, every kind of
write makes its partitions stale, a fill begun before a write is refused, GSI pages wait for
the index to settle, and updates that move an item between GSI partitions make the index's
pages stale whole."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto import mock_aws

from modelkit.cache import RedisCache
from modelkit.dynamo import Database, connect, deploy
from tests.cache.designs import Order, Task, board_design
from tests.redis_services import RedisServer

pytestmark = pytest.mark.services
ORDERS = "orders of a customer"
BY_STATUS = "tasks by status"
SETTLE = 0.3

Requests = list[tuple[str, dict[str, Any]]]


def record(db: Database, monkeypatch: pytest.MonkeyPatch) -> Requests:
    """Every request ``db`` sends from now on, as (operation, request)."""
    sent: Requests = []
    call: Callable[[str, dict[str, Any]], dict[str, Any]] = db.client.call

    def recording(operation: str, request: dict[str, Any]) -> dict[str, Any]:
        sent.append((operation, request))
        return call(operation, request)

    monkeypatch.setattr(db.client, "call", recording)
    return sent


def queries(sent: Requests) -> int:
    return sum(1 for operation, _ in sent if operation == "Query")


def orders(db: Database, customer: str = "c-1", **options: Any) -> list[tuple[str, int]]:
    page = db.repo(Order).query(ORDERS, customer_id=customer, **options)
    return [(o.order_id, o.total) for o in page.items]


def order(n: int, total: int = 10, customer: str = "c-1") -> Order:
    return Order(customer_id=customer, order_id=f"o-{n}", total=total)


@pytest.fixture
def shop(moto_db: Database) -> Database:
    moto_db.repo(Order).batch_put([order(n, 10 * n) for n in range(1, 4)])
    moto_db.repo(Order).put(order(9, 90, customer="c-2"))
    return moto_db


def test_a_page_is_read_once_then_served_from_redis(
    shop: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = record(shop, monkeypatch)
    first = orders(shop)
    assert first == [("o-1", 10), ("o-2", 20), ("o-3", 30)]
    assert orders(shop) == first
    assert orders(shop) == first
    assert queries(sent) == 1
    (fill,) = [r for op, r in sent if op == "Query"]
    assert fill["ConsistentRead"] is True  # a table partition is filled strongly
    m = shop.query_cache_metrics()[ORDERS]
    assert (m.misses, m.fills, m.hits) == (1, 1, 2)


@pytest.mark.parametrize(
    "write",
    ["put", "update", "delete", "batch_put", "batch_delete", "transaction"],
)
def test_every_write_makes_its_partition_stale_and_no_other(shop: Database, write: str) -> None:
    repo = shop.repo(Order)
    assert orders(shop) == [("o-1", 10), ("o-2", 20), ("o-3", 30)]
    assert orders(shop, "c-2") == [("o-9", 90)]
    expected = {
        "put": [("o-1", 10), ("o-2", 20), ("o-3", 30), ("o-4", 40)],
        "update": [("o-1", 10), ("o-2", 25), ("o-3", 30)],
        "delete": [("o-1", 10), ("o-3", 30)],
        "batch_put": [("o-1", 11), ("o-2", 20), ("o-3", 30), ("o-5", 50)],
        "batch_delete": [("o-3", 30)],
        "transaction": [("o-1", 10), ("o-2", 20), ("o-6", 60)],
    }[write]
    if write == "put":
        repo.put(order(4, 40))
    elif write == "update":
        repo.update({"customer_id": "c-1", "order_id": "o-2"}, repo.f.total.set(25))
    elif write == "delete":
        repo.delete(customer_id="c-1", order_id="o-2")
    elif write == "batch_put":
        repo.batch_put([order(1, 11), order(5, 50)])
    elif write == "batch_delete":
        repo.batch_delete([{"customer_id": "c-1", "order_id": f"o-{n}"} for n in (1, 2)])
    else:
        with shop.transaction() as tx:
            tx.put(order(6, 60))
            tx.delete(Order, {"customer_id": "c-1", "order_id": "o-3"})
    before = shop.query_cache_metrics()[ORDERS]
    assert orders(shop) == expected
    assert orders(shop, "c-2") == [("o-9", 90)]
    after = shop.query_cache_metrics()[ORDERS]
    assert after.misses - before.misses == 1  # c-1 read again
    assert after.hits - before.hits == 1  # c-2 still cached


def test_a_fill_begun_before_a_write_is_refused(shop: Database) -> None:
    """The classic race on a page: a reader notes the partition's generation and reads the
    old page, a write is acknowledged, the reader's store comes last: refused."""
    assert shop.queries is not None
    pages = shop.queries.pages
    fill = pages.begin(ORDERS, "primary", "ORDER#c-1", gsi=False, ttl=60)
    assert fill is not None
    old_page = orders(shop, consistent=True)  # what the reader read: the page before the write
    shop.repo(Order).put(order(4, 40))
    assert pages.commit(ORDERS, fill, b"race", repr(old_page).encode(), ttl=60) is False
    assert pages.metrics()[ORDERS].refused_fills == 1
    assert ("o-4", 40) in orders(shop)


def test_cursors_of_a_cached_page_work_in_another_process(
    shop: Database, cache: RedisCache
) -> None:
    """Pages are cached with DynamoDB's LastEvaluatedKey and signed on the way out, so a
    process with another cursor secret can follow a page another process cached."""
    first = shop.repo(Order).query(ORDERS, customer_id="c-1", limit=2)
    assert [o.order_id for o in first.items] == ["o-1", "o-2"] and first.cursor
    secret = "another secret, 16+ bytes"
    other = connect(shop.design, dynamodb=shop.client, cache=cache, cursor_secret=secret)
    again = other.repo(Order).query(ORDERS, customer_id="c-1", limit=2)
    assert again.items == first.items and again.cursor and again.cursor != first.cursor
    rest = other.repo(Order).query(ORDERS, customer_id="c-1", limit=2, cursor=again.cursor)
    assert [o.order_id for o in rest.items] == ["o-3"]
    assert other.query_cache_metrics()[ORDERS].hits == 1


def test_consistent_queries_and_projections_skip_the_cache(
    shop: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders(shop)
    sent = record(shop, monkeypatch)
    assert orders(shop, consistent=True) == [("o-1", 10), ("o-2", 20), ("o-3", 30)]
    repo = shop.repo(Order)
    page = repo.query_fields(ORDERS, [repo.f.total], customer_id="c-1")
    assert sorted(item["total"] for item in page.items) == [10, 20, 30]
    assert queries(sent) == 2
    m = shop.query_cache_metrics()[ORDERS]
    assert (m.misses, m.hits) == (1, 0)


# -- GSI pages ---------------------------------------------------------------------------------


@pytest.fixture
def board(aws_env: None, redis_server: RedisServer) -> Iterator[Database]:
    cache = RedisCache(
        redis_server.url, timeout=1.0, prefix=f"t{uuid.uuid4().hex[:8]}", index_settle=SETTLE
    )
    with mock_aws():
        db = connect(board_design, cache=cache)
        deploy(board_design, db.client)
        yield db
    cache.close()


def tasks(db: Database, status: str) -> list[str]:
    return [t.task_id for t in db.repo(Task).query(BY_STATUS, status=status).items]


def test_a_gsi_page_is_stored_only_once_its_partition_settled(board: Database) -> None:
    board.repo(Task).put(Task(task_id="t-1", status="OPEN", title="a"))
    assert tasks(board, "OPEN") == ["t-1"]  # within SETTLE of the write: served, not stored
    m = board.query_cache_metrics()[BY_STATUS]
    assert (m.misses, m.fills) == (1, 0)
    time.sleep(SETTLE + 0.1)
    assert tasks(board, "OPEN") == ["t-1"]
    assert tasks(board, "OPEN") == ["t-1"]
    m = board.query_cache_metrics()[BY_STATUS]
    assert (m.misses, m.fills, m.hits) == (2, 1, 1)


def test_an_update_that_moves_a_gsi_key_makes_the_index_stale_whole(board: Database) -> None:
    repo = board.repo(Task)
    repo.put(Task(task_id="t-1", status="OPEN", title="a"))
    repo.put(Task(task_id="t-2", status="DONE", title="b"))
    time.sleep(SETTLE + 0.1)
    assert (tasks(board, "OPEN"), tasks(board, "DONE")) == (["t-1"], ["t-2"])
    assert (tasks(board, "OPEN"), tasks(board, "DONE")) == (["t-1"], ["t-2"])
    assert board.query_cache_metrics()[BY_STATUS].hits == 2
    assert board.queries is not None
    index_key = board.queries.pages.index_key("GSI1")
    before = board.queries.pages.cache.client.get(index_key)
    repo.update({"task_id": "t-1"}, repo.f.status.set("DONE"))  # ALL_NEW names only DONE
    assert board.queries.pages.cache.client.get(index_key) != before
    assert (tasks(board, "OPEN"), sorted(tasks(board, "DONE"))) == ([], ["t-1", "t-2"])
    repo.update({"task_id": "t-2"}, repo.f.title.set("c"))  # the GSI key stays: one partition
    assert board.queries.pages.cache.client.get(index_key) is not None


def test_a_write_while_redis_is_down_keeps_the_partition_pending(
    aws_env: None, fresh_redis: RedisServer
) -> None:
    cache = RedisCache(fresh_redis.url, timeout=0.05, prefix="q", breaker_reset=0.1)
    with mock_aws():
        db = connect(board_design, cache=cache)
        deploy(board_design, db.client)
        repo = db.repo(Task)
        repo.put(Task(task_id="t-1", status="OPEN", title="a"))
        time.sleep(SETTLE + 1.0)  # the default settle time, 1 s
        assert tasks(db, "OPEN") == ["t-1"]
        assert tasks(db, "OPEN") == ["t-1"]
        assert db.query_cache_metrics()[BY_STATUS].hits == 1
        fresh_redis.stop()
        repo.put(Task(task_id="t-2", status="OPEN", title="b"))
        assert db.queries is not None
        partition = db.queries.pages.partition_key("GSI1", "STATUS#OPEN")
        assert partition in cache.pending
        assert sorted(tasks(db, "OPEN")) == ["t-1", "t-2"]  # from DynamoDB
        fresh_redis.start()
        time.sleep(0.2)
        assert sorted(tasks(db, "OPEN")) == ["t-1", "t-2"]
        assert partition not in cache.pending
    cache.close()


def test_a_page_msgpack_cannot_hold_is_read_but_not_cached(
    shop: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item with an integer beyond 64 bits (DynamoDB holds 38 digits): the page is read
    from DynamoDB every time, and nothing raises."""
    shop.repo(Order).put(order(4, total=2**70))
    sent = record(shop, monkeypatch)
    expected = [("o-1", 10), ("o-2", 20), ("o-3", 30), ("o-4", 2**70)]
    assert orders(shop) == expected
    assert orders(shop) == expected
    assert queries(sent) == 2
    m = shop.query_cache_metrics()[ORDERS]
    assert (m.misses, m.fills, m.hits) == (2, 0, 0)
