"""Consumed capacity is summed per entity, pattern and index."""

from __future__ import annotations

from modelkit.dynamo._stats import CapacityStats


def test_indexes_response_is_split_per_index_and_summed() -> None:
    stats = CapacityStats()
    response = {
        "ConsumedCapacity": {
            "TableName": "shop",
            "CapacityUnits": 3.0,
            "Table": {"WriteCapacityUnits": 1.0, "CapacityUnits": 1.0},
            "GlobalSecondaryIndexes": {"GSI1": {"WriteCapacityUnits": 2.0, "CapacityUnits": 2.0}},
        }
    }
    stats.record("Order", "put", response, "write")
    stats.record("Order", "put", response, "write")
    rows = {(r.pattern, r.index): r for r in stats.rows()}
    assert rows[("put", "primary")].write_units == 2.0
    assert rows[("put", "GSI1")].write_units == 4.0 and rows[("put", "GSI1")].requests == 2
    assert stats.total(entity="Order").write_units == 6.0


def test_total_only_and_batch_lists() -> None:
    stats = CapacityStats()
    stats.record("Order", "get", {"ConsumedCapacity": {"CapacityUnits": 0.5}}, "read")
    stats.record("Order", "batch", {"ConsumedCapacity": [{"CapacityUnits": 1.0}] * 3}, "write")
    stats.record("Order", "none", {})
    assert stats.total(entity="Order", index="primary").read_units == 0.5
    assert stats.total().write_units == 3.0
    stats.reset()
    assert stats.rows() == []
