"""Encoded items are accepted by a real DynamoDB implementation (dynalite) and read back equal,
numbers at DynamoDB's limits included."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelkit.codec import item_codec

from ._everything import Everything, Mood, Rank
from ._strategies import structs

pytestmark = pytest.mark.services
TABLE = "codec"
_ids = itertools.count()


@pytest.fixture(scope="module")
def client(dynalite_url: str) -> Iterator[Any]:
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=dynalite_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 0.2})
    yield dynamodb
    dynamodb.delete_table(TableName=TABLE)


def stored(client: Any, item: dict[str, Any]) -> dict[str, Any]:
    """Put ``item`` under a fresh key and get it back (without the key)."""
    key = {"PK": {"S": f"item-{next(_ids)}"}}
    client.put_item(TableName=TABLE, Item={**item, **key})
    back: dict[str, Any] = client.get_item(TableName=TABLE, Key=key, ConsistentRead=True)["Item"]
    del back["PK"]
    return back


class Numbers(msgspec.Struct):
    value: Decimal
    ratio: float = 0.0
    count: int = 0


@pytest.mark.parametrize(
    "value",
    [
        Numbers(Decimal("1E-130")),
        Numbers(Decimal("-1E-130")),
        Numbers(Decimal("9.9999999999999999999999999999999999999E+125")),
        Numbers(Decimal("-" + "9" * 38)),
        Numbers(Decimal("12.50"), ratio=0.1, count=-(10**37)),
        Numbers(Decimal("0E-200"), ratio=1e20, count=10**40),
        Numbers(Decimal(0), ratio=1.5e-7),
        Numbers(Decimal(0), ratio=1e-130),
        Numbers(Decimal(0), ratio=-9.999999999999998e125),
    ],
)
def test_numbers_at_the_limits(client: Any, value: Numbers) -> None:
    codec = item_codec(Numbers)
    assert codec.decode(stored(client, codec.encode(value))) == value


def test_sets_binary_and_empty_values(client: Any) -> None:
    value = Everything(
        text="",
        short="é",
        count=0,
        bounded=0,
        ratio=0.5,
        amount=Decimal("1.10"),
        flag=False,
        blob=b"",
        at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
        day=dt.date(2024, 5, 1),
        clock=dt.time(0, 0),
        ident=uuid.UUID(int=7),
        mood=Mood.HAPPY,
        rank=Rank.LOW,
        choice=7,
        names={"a", ""},
        scores=frozenset({1, 2}),
        amounts=set(),
        blobs={b"x", b""},
        nested={"k": {"j": set()}},
    )
    codec = item_codec(Everything)
    assert codec.decode(stored(client, codec.encode(value))) == value


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_everything_round_trips_through_dynamodb(client: Any, data: st.DataObject) -> None:
    value = data.draw(structs(Everything))
    codec = item_codec(Everything)
    back = codec.decode(stored(client, codec.encode(value)))
    # DynamoDB keeps numbers, not their text: an integral float in ``int | float`` reads back
    # as an int, equal at float precision (5.851847818770654e16 -> 58518478187706540)
    assert float(back.number) == float(value.number)
    assert msgspec.structs.replace(back, number=value.number) == value
