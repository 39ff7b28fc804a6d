"""Item sizes and capacity units by DynamoDB's published rules."""

from __future__ import annotations

import pytest

from modelkit.codec._size import (
    item_size,
    number_size,
    query_read_units,
    read_units,
    value_size,
)


@pytest.mark.parametrize(
    ("text", "size"),
    [("0", 2), ("7", 2), ("42", 2), ("123", 3), ("-1.5", 2), ("1000", 2), ("12345678", 5)],
)
def test_number_size(text: str, size: int) -> None:
    assert number_size(text) == size


def test_value_and_item_sizes() -> None:
    assert value_size({"S": "héllo"}) == 6
    assert value_size({"BOOL": True}) == 1 and value_size({"NULL": True}) == 1
    assert value_size({"B": b"abc"}) == 3
    assert value_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (2 + 1) + (2 + 1)
    assert value_size({"M": {"k": {"S": "v"}}}) == 3 + 1 + 1 + 1
    assert value_size({"SS": ["a", "bc"]}) == 3
    assert item_size({"PK": {"S": "A#1"}, "n": {"N": "10"}}) == 2 + 3 + 1 + 2


def test_capacity_units() -> None:
    assert read_units(100) == 0.5
    assert read_units(5000, consistent=True) == 2
    assert read_units(5000, transactional=True) == 4
    assert query_read_units([3000, 3000]) == 1.0
    assert query_read_units([3000, 3000], consistent=True) == 2.0
