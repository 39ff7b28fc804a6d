"""Writes that bypass modelkit reach the cache through the table's stream. The tests fill
the cache, write with a raw DynamoDB call, show the cache still serving the old value, run
the StreamInvalidator and show the new value read; the last ones cover reading the stream
itself (expired iterators, split shards, errors)."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
import pytest
from moto import mock_aws

from modelkit.cache import RedisCache
from modelkit.dynamo import Database, connect, connect_dynamodb, deploy
from modelkit.dynamo._stream_invalidator import InvalidationCounts, StreamInvalidator
from modelkit.dynamo._stream_reader import StreamsClient
from modelkit.errors import DynamoError, TableNotFound
from tests.cache.designs import Customer, Order, Task, board_design, design
from tests.redis_services import RedisServer
from tests.services import free_port

pytestmark = pytest.mark.services
ORDERS = "orders of a customer"


SETTLE = 0.05


@pytest.fixture
def board_db(aws_env: None, redis_server: RedisServer) -> Iterator[Database]:
    """A table with a KEYS_ONLY stream and a cached GSI pattern, on moto in-process. GSI
    pages are stored from ``SETTLE`` seconds after a write to their partition (not 1 s)."""
    prefix = f"t{uuid.uuid4().hex[:8]}"
    cache = RedisCache(redis_server.url, timeout=0.05, prefix=prefix, index_settle=SETTLE)
    with mock_aws():
        db = connect(board_design, cache=cache)
        deploy(board_design, db.client)
        yield db
    cache.close()


def in_status(db: Database, status: str, field: str = "task_id") -> list[str]:
    """A field of each task of the (cached) page of tasks in ``status``."""
    page = db.repo(Task).query("tasks by status", status=status)
    return [str(getattr(task, field)) for task in page.items]


def settle() -> None:
    """Until GSI pages read now are stored (see ``board_db``)."""
    time.sleep(2 * SETTLE)


def raw_put(db: Database, obj: Any) -> None:
    """PutItem straight to DynamoDB: the cache knows nothing of it."""
    item = db.shape(db.entity_name(type(obj))).to_item(obj)
    db.client.call("PutItem", {"TableName": db.table, "Item": item})


def counts(**found: int) -> InvalidationCounts:
    return InvalidationCounts(**found)


def ada(**changes: Any) -> Customer:
    return Customer(**{"customer_id": "c-1", "email": "ada@example.com", "name": "Ada", **changes})


def totals(page: Any) -> list[tuple[str, int]]:
    return [(o.order_id, o.total) for o in page.items]


def value_key(db: Database, cls: type[Any], **key: Any) -> bytes:
    cache = db.repo(cls).cache
    assert cache is not None
    return cache.ref(db.repo(cls).shape.key(key)).value


def changed_behind_the_cache(db: Database, name: str) -> StreamInvalidator:
    """Ada cached through the repository, then renamed ``name`` by a write that bypasses
    modelkit: the cache still serves the old Ada (checked). Returns an invalidator opened
    before all this."""
    invalidator = StreamInvalidator(db)
    invalidator.open()
    customers = db.repo(Customer)
    customers.put(ada())
    assert customers.get(customer_id="c-1") == ada()
    raw_put(db, ada(name=name))
    assert customers.get(customer_id="c-1") == ada()  # the cache does not know
    return invalidator


# -- records read from the stream ------------------------------------------------------------


def test_a_raw_put_is_served_stale_until_the_stream_invalidates_it(moto_db: Database) -> None:
    invalidator = changed_behind_the_cache(moto_db, "Ada Lovelace")
    customers = moto_db.repo(Customer)
    assert invalidator.drain() == counts(records=2, items=1)  # the put's INSERT, the raw MODIFY
    assert customers.get(customer_id="c-1") == ada(name="Ada Lovelace")
    assert invalidator.drain() == counts()


def test_a_raw_update_makes_the_cached_query_page_stale(moto_db: Database) -> None:
    orders = moto_db.repo(Order)
    for order_id, total in (("o-1", 10), ("o-2", 20)):
        orders.put(Order(customer_id="c-1", order_id=order_id, total=total))
    invalidator = StreamInvalidator(moto_db)
    invalidator.open()
    assert totals(orders.query(ORDERS, customer_id="c-1")) == [("o-1", 10), ("o-2", 20)]
    assert totals(orders.query(ORDERS, customer_id="c-1")) == [("o-1", 10), ("o-2", 20)]
    assert moto_db.query_cache_metrics()[ORDERS].hits == 1
    assert orders.require(customer_id="c-1", order_id="o-1").total == 10
    moto_db.client.call(
        "UpdateItem",
        {
            "TableName": moto_db.table,
            "Key": orders.shape.key({"customer_id": "c-1", "order_id": "o-1"}),
            "UpdateExpression": "SET #t = :t",
            "ExpressionAttributeNames": {"#t": "total"},
            "ExpressionAttributeValues": {":t": {"N": "99"}},
        },
    )
    assert totals(orders.query(ORDERS, customer_id="c-1")) == [("o-1", 10), ("o-2", 20)]
    assert orders.require(customer_id="c-1", order_id="o-1").total == 10
    assert invalidator.drain() == counts(records=1, items=1, partitions=1)
    assert totals(orders.query(ORDERS, customer_id="c-1")) == [("o-1", 99), ("o-2", 20)]
    assert orders.require(customer_id="c-1", order_id="o-1").total == 99


def test_a_raw_delete_drops_the_item_and_its_query_page(moto_db: Database) -> None:
    orders = moto_db.repo(Order)
    for order_id in ("o-1", "o-2"):
        orders.put(Order(customer_id="c-1", order_id=order_id, total=5))
    invalidator = StreamInvalidator(moto_db)
    invalidator.open()
    key = {"customer_id": "c-1", "order_id": "o-1"}
    assert orders.get(key) is not None
    assert len(orders.query(ORDERS, customer_id="c-1")) == 2
    moto_db.client.call("DeleteItem", {"TableName": moto_db.table, "Key": orders.shape.key(key)})
    assert orders.get(key) is not None and len(orders.query(ORDERS, customer_id="c-1")) == 2
    assert invalidator.drain() == counts(records=1, items=1, partitions=1)
    assert orders.get(key) is None
    assert [o.order_id for o in orders.query(ORDERS, customer_id="c-1")] == ["o-2"]


def test_a_keys_only_stream_makes_the_entitys_gsi_pages_stale_whole(board_db: Database) -> None:
    tasks = board_db.repo(Task)
    for task_id in ("t-1", "t-2"):
        tasks.put(Task(task_id=task_id, status="OPEN", title=task_id))
    invalidator = StreamInvalidator(board_db)
    invalidator.open()
    settle()
    assert in_status(board_db, "OPEN") == ["t-1", "t-2"]  # filled
    assert in_status(board_db, "OPEN") == ["t-1", "t-2"]  # from the cache
    assert board_db.query_cache_metrics()["tasks by status"].hits == 1
    raw_put(board_db, Task(task_id="t-1", status="DONE", title="t-1"))  # leaves STATUS#OPEN
    assert in_status(board_db, "OPEN") == ["t-1", "t-2"]
    # KEYS_ONLY: the record names neither STATUS#OPEN nor STATUS#DONE, so GSI1 goes whole
    assert invalidator.drain() == counts(records=1, items=1, partitions=1, indexes=1)
    assert in_status(board_db, "OPEN") == ["t-2"]
    assert in_status(board_db, "DONE") == ["t-1"]


def test_markers_and_unknown_items_are_skipped_and_counted(moto_db: Database) -> None:
    invalidator = StreamInvalidator(moto_db)
    invalidator.open()
    customers = moto_db.repo(Customer)
    customers.put(ada())
    assert customers.get(customer_id="c-1") == ada()
    table = moto_db.table
    for pk, sk in (("_UNIQUE#Customer#email#ada@example.com", "_UNIQUE"), ("JUNK#1", "X")):
        item = {"PK": {"S": pk}, "SK": {"S": sk}}
        moto_db.client.call("PutItem", {"TableName": table, "Item": item})
    raw_put(moto_db, ada(name="Ada B."))
    assert invalidator.drain() == counts(records=4, items=1, skipped=2)
    assert customers.get(customer_id="c-1") == ada(name="Ada B.")


# -- Lambda events ---------------------------------------------------------------------------


def lambda_record(
    db: Database, event: str, keys: Mapping[str, Any], **images: Mapping[str, Any]
) -> dict[str, Any]:
    """A record as Lambda's JSON delivers it (binary values in base64), with a ``blob``
    binary attribute added to each image."""
    body: dict[str, Any] = {"Keys": keys, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    for name, image in images.items():
        body[name] = {**image, "blob": {"B": base64.b64encode(b"\x00\xff").decode()}}
    record = {
        "eventName": event,
        "eventSource": "aws:dynamodb",
        "eventSourceARN": f"arn:aws:dynamodb:us-east-1:123456789012:table/{db.table}/stream/x",
        "dynamodb": body,
    }
    loaded: dict[str, Any] = json.loads(json.dumps(record))
    return loaded


def test_lambda_json_records_invalidate_old_and_new_partitions(board_db: Database) -> None:
    tasks = board_db.repo(Task)
    shape = tasks.shape
    first, second = (Task(task_id=t, status="OPEN", title=t) for t in ("t-1", "t-2"))
    tasks.put(first)
    tasks.put(second)
    settle()
    assert in_status(board_db, "OPEN", "title") == ["t-1", "t-2"]
    invalidator = StreamInvalidator(board_db)

    done = Task(task_id="t-1", status="DONE", title="t-1")
    raw_put(board_db, done)
    assert in_status(board_db, "OPEN", "title") == ["t-1", "t-2"]
    both = lambda_record(
        board_db,
        "MODIFY",
        shape.key(first),
        OldImage=shape.to_item(first),
        NewImage=shape.to_item(done),
    )
    # the table's partition TASK#t-1, and GSI1's STATUS#OPEN (left) and STATUS#DONE (entered)
    assert invalidator.handle([both]) == counts(records=1, items=1, partitions=3)
    assert in_status(board_db, "OPEN", "title") == ["t-2"]
    settle()
    assert in_status(board_db, "OPEN", "title") == ["t-2"]  # stored now

    renamed = Task(task_id="t-2", status="OPEN", title="renamed")
    raw_put(board_db, renamed)
    assert in_status(board_db, "OPEN", "title") == ["t-2"]
    new_only = lambda_record(board_db, "MODIFY", shape.key(second), NewImage=shape.to_item(renamed))
    # NEW_IMAGE view: the GSI partition the old version was in is unknown: GSI1 goes whole
    assert invalidator.handle([new_only]) == counts(records=1, items=1, partitions=1, indexes=1)
    assert in_status(board_db, "OPEN", "title") == ["renamed"]
    assert invalidator.totals == counts(records=2, items=2, partitions=4, indexes=1)


def test_records_of_no_entity_of_this_table_are_skipped(board_db: Database) -> None:
    tasks = board_db.repo(Task)
    tasks.put(Task(task_id="t-1", status="OPEN", title="a"))
    assert tasks.require(task_id="t-1").title == "a"
    raw_put(board_db, Task(task_id="t-1", status="OPEN", title="b"))
    key = tasks.shape.key({"task_id": "t-1"})
    other_table = lambda_record(board_db, "REMOVE", key)
    other_table["eventSourceARN"] = "arn:aws:dynamodb:us-east-1:1:table/other/stream/x"
    no_pk = lambda_record(board_db, "REMOVE", {"SK": {"S": "TASK"}})
    binary_pk = lambda_record(board_db, "REMOVE", {"PK": {"B": "AAE="}, "SK": {"S": "TASK"}})
    not_a_record = {"eventName": "INSERT"}
    invalidator = StreamInvalidator(board_db)
    found = invalidator.handle([other_table, no_pk, binary_pk, not_a_record])
    assert found == counts(records=4, skipped=4)
    assert tasks.require(task_id="t-1").title == "a"  # nothing was invalidated
    assert invalidator.handle([lambda_record(board_db, "REMOVE", key)]) == counts(
        records=1, items=1, partitions=1, indexes=1
    )
    assert tasks.require(task_id="t-1").title == "b"


# -- the stream read in a thread, on moto's server -------------------------------------------


def test_run_in_a_thread_picks_up_a_raw_write(server_db: Database) -> None:
    invalidator = changed_behind_the_cache(server_db, "Countess")
    customers = server_db.repo(Customer)
    stop = threading.Event()
    result: list[InvalidationCounts] = []

    def run() -> None:
        result.append(invalidator.run(stop, interval=0.1))

    thread = threading.Thread(target=run)
    started = time.monotonic()
    thread.start()
    try:
        while customers.get(customer_id="c-1") != ada(name="Countess"):
            assert time.monotonic() - started < 5.0, "the write was not picked up in 5 s"
            time.sleep(0.05)
        picked_up = time.monotonic() - started
    finally:
        stop.set()
        thread.join(5.0)
    assert not thread.is_alive()
    assert picked_up < 3.0
    assert result == [counts(records=2, items=1)]


# -- Redis unreachable -----------------------------------------------------------------------


@pytest.fixture
def own_cache(fresh_redis: RedisServer) -> Iterator[RedisCache]:
    made = RedisCache(fresh_redis.url, timeout=0.05, breaker_reset=0.2)
    yield made
    made.close()


@pytest.fixture
def own_db(aws_env: None, own_cache: RedisCache) -> Iterator[Database]:
    """The shared design on moto in-process, cached in a redis-server of the test's own."""
    with mock_aws():
        db = connect(design, cache=own_cache)
        deploy(design, db.client)
        yield db


def test_redis_down_leaves_the_invalidation_pending_until_it_returns(
    own_db: Database, own_cache: RedisCache, fresh_redis: RedisServer
) -> None:
    invalidator = changed_behind_the_cache(own_db, "Ada K.")
    customers = own_db.repo(Customer)
    fresh_redis.stop()
    found = invalidator.drain()
    assert (found.records, found.items, found.pending) == (2, 1, 1)
    assert value_key(own_db, Customer, customer_id="c-1") in own_cache.pending
    assert customers.get(customer_id="c-1") == ada(name="Ada K.")  # from DynamoDB meanwhile
    fresh_redis.start()
    time.sleep(0.3)  # the breaker's reset
    assert invalidator.poll() == counts()  # delivered: nothing pending
    assert customers.get(customer_id="c-1") == ada(name="Ada K.")
    assert customers.get(customer_id="c-1") == ada(name="Ada K.")
    metrics = customers.cache_metrics
    assert metrics is not None and metrics.bypasses == 1 and metrics.fills == 2


def test_while_pending_the_stale_value_redis_holds_is_not_served(
    own_db: Database, own_cache: RedisCache, fresh_redis: RedisServer
) -> None:
    invalidator = changed_behind_the_cache(own_db, "Ada P.")
    customers = own_db.repo(Customer)
    key = value_key(own_db, Customer, customer_id="c-1")
    paused = time.monotonic()
    fresh_redis.client().execute_command(  # type: ignore[no-untyped-call]
        "CLIENT", "PAUSE", 1500, "WRITE"
    )  # reads go on
    found = invalidator.drain()  # its DEL times out after 50 ms
    assert (found.items, found.pending) == (1, 1)
    assert fresh_redis.client().get(key) is not None  # Redis still holds the old value
    assert customers.get(customer_id="c-1") == ada(name="Ada P.")  # read from DynamoDB
    time.sleep(max(0.0, paused + 1.5 - time.monotonic()) + 0.3)  # the pause, the breaker
    assert invalidator.poll() == counts()  # the invalidator delivers what it left pending
    assert fresh_redis.client().get(key) is None
    assert customers.get(customer_id="c-1") == ada(name="Ada P.")


# -- iterators, shards, errors ---------------------------------------------------------------


class ExpiringStreams:
    """The real streams client of moto, except that the next GetRecords answers
    ExpiredIteratorException when ``expire`` is set: moto's iterators never expire."""

    def __init__(self, real: StreamsClient) -> None:
        self.real = real
        self.expire = False
        self.iterators: list[dict[str, Any]] = []

    def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        if operation == "GetShardIterator":
            self.iterators.append(dict(request))
        if operation == "GetRecords" and self.expire:
            self.expire = False
            raise DynamoError("GetRecords: iterator expired", code="ExpiredIteratorException")
        return self.real.call(operation, request)


def test_an_expired_iterator_resumes_after_the_last_record_read(moto_db: Database) -> None:
    streams = ExpiringStreams(StreamsClient(moto_db.client))
    invalidator = StreamInvalidator(moto_db, streams=streams)
    invalidator.open()
    customers = moto_db.repo(Customer)
    customers.put(ada())
    assert invalidator.drain() == counts(records=1, items=1)
    assert customers.get(customer_id="c-1") == ada()
    raw_put(moto_db, ada(name="Ada E."))
    streams.expire = True
    assert invalidator.drain() == counts(records=1, items=1)  # the put's record is not re-read
    assert streams.iterators[-1]["ShardIteratorType"] == "AFTER_SEQUENCE_NUMBER"
    assert customers.get(customer_id="c-1") == ada(name="Ada E.")

    fresh = StreamInvalidator(moto_db, streams=streams)
    fresh.open()  # LATEST, then expired before any record was read: from TRIM_HORIZON
    raw_put(moto_db, ada(name="Ada F."))
    streams.expire = True
    assert fresh.drain() == counts(records=3, items=1)
    assert streams.iterators[-1]["ShardIteratorType"] == "TRIM_HORIZON"
    assert customers.get(customer_id="c-1") == ada(name="Ada F.")


class SplitStream:
    """A fake DynamoDB Streams API of one stream whose shard splits in two after the reader
    opened it (moto's streams have one shard that never splits). Records name customers."""

    def __init__(self) -> None:
        self.shards: dict[str, dict[str, Any]] = {"s-0": {"records": [self.record(0)]}}
        self.calls: list[tuple[str, str]] = []

    @staticmethod
    def record(n: int) -> dict[str, Any]:
        keys = {"PK": {"S": f"CUSTOMER#c-{n}"}, "SK": {"S": "PROFILE"}}
        return {"eventName": "MODIFY", "dynamodb": {"Keys": keys, "SequenceNumber": str(100 + n)}}

    def split(self) -> None:
        parent = self.shards["s-0"]
        parent["records"].append(self.record(1))
        parent["closed"] = True
        self.shards["s-1"] = {"parent": "s-0", "records": [self.record(2)]}
        self.shards["s-2"] = {"parent": "s-0", "records": [self.record(3)]}

    def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        if operation == "DescribeStream":
            self.calls.append((operation, ""))
            listed = []
            for shard_id, shard in self.shards.items():
                numbers = {"StartingSequenceNumber": "1"}
                if shard.get("closed"):
                    numbers["EndingSequenceNumber"] = "999"
                listed.append(
                    {"ShardId": shard_id, "SequenceNumberRange": numbers}
                    | ({"ParentShardId": shard["parent"]} if "parent" in shard else {})
                )
            return {"StreamDescription": {"Shards": listed}}
        if operation == "GetShardIterator":
            shard_id, kind = request["ShardId"], request["ShardIteratorType"]
            self.calls.append((operation, f"{shard_id} {kind}"))
            at = len(self.shards[shard_id]["records"]) if kind == "LATEST" else 0
            return {"ShardIterator": f"{shard_id}:{at}"}
        assert operation == "GetRecords"
        shard_id, at = request["ShardIterator"].split(":")
        shard = self.shards[shard_id]
        records = shard["records"][int(at) :]
        end = len(shard["records"])
        following = None if shard.get("closed") else f"{shard_id}:{end}"
        return {"Records": records, "NextShardIterator": following}


def test_a_split_is_followed_into_the_child_shards(moto_db: Database) -> None:
    customers = moto_db.repo(Customer)
    for n in range(4):
        customers.put(ada(customer_id=f"c-{n}"))
        assert customers.get(customer_id=f"c-{n}") == ada(customer_id=f"c-{n}")
    stream = SplitStream()
    invalidator = StreamInvalidator(moto_db, streams=stream)
    invalidator.open()
    stream.split()
    assert invalidator.drain() == counts(records=3, items=3)
    assert moto_db.cache is not None
    redis = moto_db.cache.client
    gone = [redis.get(value_key(moto_db, Customer, customer_id=f"c-{n}")) is None for n in range(4)]
    assert gone == [False, True, True, True]  # c-0 was written before the reader opened
    assert [c for c in stream.calls if c[0] == "GetShardIterator"] == [
        ("GetShardIterator", "s-0 LATEST"),
        ("GetShardIterator", "s-1 TRIM_HORIZON"),
        ("GetShardIterator", "s-2 TRIM_HORIZON"),
    ]
    assert invalidator.drain() == counts()


def test_stream_failures_are_modelkit_errors(aws_env: None, cache: RedisCache) -> None:
    with mock_aws():
        plain = msgspec.structs.replace(design, name=f"plain-{uuid.uuid4().hex[:6]}", stream=None)
        db = connect(plain, cache=cache)
        deploy(plain, db.client)
        with pytest.raises(DynamoError, match="has no stream") as no_stream:
            StreamInvalidator(db).open()
        assert no_stream.value.code == "StreamNotEnabled"
        gone = f"arn:aws:dynamodb:us-east-1:123456789012:table/{plain.name}x/stream/2024"
        with pytest.raises(TableNotFound, match="stream disabled"):
            StreamsClient(db.client).call("DescribeStream", {"StreamArn": gone})
    nowhere = connect_dynamodb(
        endpoint_url=f"http://127.0.0.1:{free_port()}", max_attempts=1, connect_timeout=0.2
    )
    with pytest.raises(DynamoError, match="cannot reach") as unreachable:
        StreamsClient(nowhere).call("DescribeStream", {"StreamArn": gone})
    assert unreachable.value.code == "EndpointConnectionError"


class FailingStreams:
    """A fake streams API that fails: first with a server error, then with the stream gone
    (conditions moto cannot produce on demand)."""

    def __init__(self) -> None:
        self.failures = [
            DynamoError("DescribeStream: InternalServerError", code="InternalServerError"),
            TableNotFound("DescribeStream: stream gone", code="ResourceNotFoundException"),
        ]

    def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        raise self.failures.pop(0)


def test_run_retries_stream_errors_and_stops_when_the_stream_is_gone(
    moto_db: Database,
) -> None:
    invalidator = StreamInvalidator(moto_db, streams=FailingStreams())
    with pytest.raises(TableNotFound, match="stream gone"):
        invalidator.run(threading.Event(), interval=0.01)
    assert invalidator.totals.errors == 1
