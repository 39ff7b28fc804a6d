"""Batch chunking and retries of unprocessed keys and writes.

No local DynamoDB returns UnprocessedKeys / UnprocessedItems, so these tests use a fake
caller (``StingyTable``) that processes only part of each request, like a table short of
capacity. The real batch paths run against moto and dynalite in the repository tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from modelkit.dynamo._batch import Backoff, BatchIncomplete, batch_get, batch_write


class StingyTable:
    """Fake: holds items in a dict; each call processes at most ``per_call`` requests."""

    def __init__(self, per_call: int, stop_after: int | None = None) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.per_call = per_call
        self.calls: list[tuple[str, int]] = []
        self.stop_after = stop_after

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        ((table, body),) = request["RequestItems"].items()
        stingy = self.stop_after is not None and len(self.calls) >= self.stop_after
        take = 0 if stingy else self.per_call
        if operation == "BatchWriteItem":
            self.calls.append((operation, len(body)))
            assert len(body) <= 25
            done, left = body[:take], body[take:]
            for write in done:
                item = write["PutRequest"]["Item"]
                self.items[item["PK"]["S"]] = item
            return {"UnprocessedItems": {table: left} if left else {}}
        keys = body["Keys"]
        self.calls.append((operation, len(keys)))
        assert len(keys) <= 100
        done, left = keys[:take], keys[take:]
        found = [self.items[k["PK"]["S"]] for k in done if k["PK"]["S"] in self.items]
        unprocessed = {table: {"Keys": left}} if left else {}
        return {"Responses": {table: found}, "UnprocessedKeys": unprocessed}


def no_wait(sleeps: list[float]) -> Backoff:
    return Backoff(base=0.01, cap=0.05, attempts=50, sleep=sleeps.append, rand=lambda: 1.0)


def put(n: int) -> dict[str, Any]:
    return {"PutRequest": {"Item": {"PK": {"S": f"K#{n}"}, "n": {"N": str(n)}}}}


def test_writes_and_reads_everything_through_unprocessed_retries() -> None:
    table = StingyTable(per_call=3)
    sleeps: list[float] = []
    batch_write(table, "t", [put(n) for n in range(60)], backoff=no_wait(sleeps))
    assert sorted(int(i["n"]["N"]) for i in table.items.values()) == list(range(60))
    assert [size for op, size in table.calls][:4] == [25, 22, 19, 16]
    assert sleeps[:3] == [0.01, 0.02, 0.04] and max(sleeps) == 0.05
    keys = [{"PK": {"S": f"K#{n}"}} for n in [*range(250), 3, 3]]
    found = batch_get(table, "t", keys, backoff=no_wait(sleeps))
    assert sorted(int(i["n"]["N"]) for i in found) == list(range(60))
    gets = [size for op, size in table.calls if op == "BatchGetItem"]
    assert gets[0] == 100 and sum(1 for s in gets if s == 100) == 2


def test_gives_up_without_losing_anything() -> None:
    table = StingyTable(per_call=10, stop_after=2)
    sleeps: list[float] = []
    backoff = Backoff(base=0.01, cap=1.0, attempts=4, sleep=sleeps.append, rand=lambda: 0.5)
    with pytest.raises(BatchIncomplete) as caught:
        batch_write(table, "t", [put(n) for n in range(60)], backoff=backoff)
    left = {w["PutRequest"]["Item"]["PK"]["S"] for w in caught.value.unprocessed}
    assert left | set(table.items) == {f"K#{n}" for n in range(60)}
    assert left.isdisjoint(table.items)
    assert len(sleeps) == 3 and caught.value.operation == "BatchWriteItem"
    assert "in .unprocessed" in str(caught.value)
