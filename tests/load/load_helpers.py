"""Helpers of the load tests: deploy the ecommerce table (or another design) under a unique
name, scan it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from modelkit.dynamo import DynamoClient, connect_dynamodb, deploy
from modelkit.schema import TableDesign, load_design

SHOP = load_design("schemas/ecommerce.py")
#: Users with unique fields, and their notes (tests/load/team_schema.py).
TEAM_SCHEMA = Path(__file__).with_name("team_schema.py")
TEAM = load_design(str(TEAM_SCHEMA))


class Deployed(NamedTuple):
    design: TableDesign
    client: DynamoClient
    url: str


def deployed(url: str, design: TableDesign = SHOP) -> Deployed:
    """``design`` (the ecommerce table by default) deployed on ``url`` under a name no other
    test uses."""
    name = f"load-{uuid.uuid4().hex[:12]}"
    design = msgspec.structs.replace(design, name=name, stream=None)
    client = connect_dynamodb(endpoint_url=url)
    report = deploy(design, client)
    assert report.ok
    return Deployed(design, client, url)


def scan(target: Deployed) -> dict[tuple[str, str], dict[str, Any]]:
    """Every item of the table by (PK, SK), as plain values."""
    items: dict[tuple[str, str], dict[str, Any]] = {}
    request: dict[str, Any] = {"TableName": target.design.name}
    while True:
        page = target.client.call("Scan", request)
        for item in page["Items"]:
            plain = {k: next(iter(v.values())) for k, v in item.items()}
            items[(plain["PK"], plain["SK"])] = plain
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class Interrupt(Exception):
    """A load stopped on purpose (see :func:`crashing`)."""


def crashing(url: str, transactions: int) -> DynamoClient:
    """A client whose ``transactions``-th TransactWriteItems (and every later one) fails
    before it is sent, as a load stops when its process is killed in the middle of a batch."""
    client = connect_dynamodb(endpoint_url=url)
    send = client.call
    left = [transactions]

    def call(operation: str, request: Any) -> dict[str, Any]:
        if operation == "TransactWriteItems":
            left[0] -= 1
            if left[0] <= 0:
                raise Interrupt
        return send(operation, request)

    client.call = call  # type: ignore[method-assign]
    return client
