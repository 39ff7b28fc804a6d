"""Reading a table's description, and waiting until the table and its indexes are ACTIVE."""

from __future__ import annotations

import time
from typing import Any, Protocol

from modelkit.errors import DynamoError, TableNotFound

#: First pause between two DescribeTable calls; it doubles up to ``MAX_POLL``.
FIRST_POLL = 0.05
MAX_POLL = 5.0


class Caller(Protocol):
    """What deploy needs of a :class:`~modelkit.dynamo.DynamoClient`."""

    endpoint: str

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]: ...


def describe_table(client: Caller, name: str) -> dict[str, Any] | None:
    """DescribeTable's ``Table``, or ``None`` when there is no such table."""
    try:
        table: dict[str, Any] = client.call("DescribeTable", {"TableName": name})["Table"]
    except TableNotFound:
        return None
    return table


def busy_parts(table: dict[str, Any]) -> list[str]:
    """What is not ACTIVE yet: ``["table CREATING", "index GSI3 CREATING (backfilling)"]``."""
    parts = []
    if table.get("TableStatus", "ACTIVE") != "ACTIVE":
        parts.append(f"table {table['TableStatus']}")
    for index in table.get("GlobalSecondaryIndexes", ()):
        status = index.get("IndexStatus", "ACTIVE")
        if status != "ACTIVE":
            backfill = " (backfilling)" if index.get("Backfilling") else ""
            parts.append(f"index {index['IndexName']} {status}{backfill}")
    return parts


def wait_active(client: Caller, name: str, *, deadline: float, timeout: float) -> dict[str, Any]:
    """Poll DescribeTable until the table and every GSI are ACTIVE; its description.

    ``deadline`` is a :func:`time.monotonic` time; ``timeout`` is only quoted in the error.
    """
    pause = FIRST_POLL
    while True:
        table = describe_table(client, name)
        if table is None:
            raise TableNotFound(
                f"table {name} disappeared from {client.endpoint} while deploy waited for it",
                code="ResourceNotFoundException",
                operation="DescribeTable",
            )
        busy = busy_parts(table)
        if not busy:
            return table
        status = table.get("TableStatus")
        if status not in ("CREATING", "UPDATING", "ACTIVE"):  # DELETING, ARCHIVED, ...
            raise DynamoError(
                f"table {name} on {client.endpoint} is {status}: deploy cannot use it",
                code="TableNotUsable",
                operation="DescribeTable",
            )
        left = deadline - time.monotonic()
        if left <= 0:
            raise DynamoError(
                f"table {name} on {client.endpoint} is not ACTIVE after {timeout:g} s "
                f"({', '.join(busy)}); DynamoDB keeps building it: run deploy again later "
                "to continue, or give it a longer timeout (--timeout)",
                code="DeployTimeout",
                operation="DescribeTable",
            )
        time.sleep(min(pause, left))
        pause = min(pause * 2, MAX_POLL)
