"""Stream records, read from moto's DynamoDB Streams, decode into typed entity events."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import msgspec
import pytest
from moto import mock_aws

import modelkit
from modelkit.dynamo import connect, connect_dynamodb, deploy
from modelkit.errors import ValidationError

ROOT = Path(__file__).resolve().parents[2]
SHOP = modelkit.load_design(str(ROOT / "schemas" / "ecommerce.py"))
Order = SHOP.entity("Order").struct
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def records(stream_arn: str) -> list[dict[str, Any]]:
    # moto routes the streams API only at its classic endpoint name, so it is given here
    streams = boto3.client(
        "dynamodbstreams",
        region_name="us-east-1",
        endpoint_url="https://streams.dynamodb.us-east-1.amazonaws.com",
    )
    shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    found: list[dict[str, Any]] = []
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        found += streams.get_records(ShardIterator=iterator)["Records"]
    return found


def test_insert_modify_remove_decode_to_typed_events(aws_env: None) -> None:
    with mock_aws():
        client = connect_dynamodb()
        deploy(SHOP, client)
        db = connect(SHOP, dynamodb=client)
        orders = db.repo(Order)
        placed = msgspec.convert(
            {
                "customer_id": "c-1",
                "order_id": "o-1",
                "placed_at": T0,
                "status": "PLACED",
                "total": "9.99",
            },
            type=Order,
        )
        key = {"customer_id": "c-1", "placed_at": T0, "order_id": "o-1"}
        orders.put(placed)
        paid = orders.update(key, orders.f.status.set("PAID"))
        orders.delete(key)
        arn = client.call("DescribeTable", {"TableName": SHOP.name})["Table"]["LatestStreamArn"]
        events = [db.decode_stream_record(r) for r in records(arn)]
    assert [e.event for e in events] == ["INSERT", "MODIFY", "REMOVE"]
    assert {e.entity for e in events} == {"Order"}
    assert events[0].keys == key and events[0].old is None and events[0].new == placed
    assert events[1].old == placed and events[1].new == paid
    assert events[2].old == paid and events[2].new is None
    assert paid.total == Decimal("9.99")


def test_lambda_json_with_base64_binary_and_bad_records(aws_env: None) -> None:
    with mock_aws():
        db = connect(SHOP, dynamodb=connect_dynamodb())
    record = {
        "eventName": "REMOVE",
        "dynamodb": {
            "Keys": {"PK": {"S": "CUSTOMER#c-1"}, "SK": {"S": "PROFILE"}},
            "OldImage": {
                "PK": {"S": "CUSTOMER#c-1"},
                "SK": {"S": "PROFILE"},
                "_type": {"S": "Customer"},
                "customer_id": {"S": "c-1"},
                "email": {"S": "a@example.com"},
                "name": {"S": "Ada"},
                "created_at": {"S": "2024-05-01T12:00:00.000000Z"},
                "avatar": {"B": base64.b64encode(b"\x00\x01").decode()},
            },
            "StreamViewType": "OLD_IMAGE",
        },
    }
    event = db.decode_stream_record(record)
    assert (event.event, event.entity, event.new) == ("REMOVE", "Customer", None)
    assert event.old.name == "Ada" and event.old.created_at == T0
    with pytest.raises(ValidationError, match="not a DynamoDB Streams record"):
        db.decode_stream_record({"eventName": "X"})
    with pytest.raises(ValidationError, match="no entity of shop"):
        db.decode_stream_record({"eventName": "INSERT", "dynamodb": {"Keys": {"PK": {"S": "?"}}}})
