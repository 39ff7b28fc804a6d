"""Sort-key conditions on concrete keys of the ecommerce schema: the exact bounds sent to
DynamoDB, and the errors for partial keys that no condition can express."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from modelkit import KeyValueError
from modelkit.keys import KeyCondition
from modelkit.schema import keys_for

from ._support import DESIGNS

KEYS = keys_for(DESIGNS["ecommerce"][0])
T1 = dt.datetime(2024, 5, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
T2 = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
K1, K2 = "2024-05-01T12:30:00.000000Z", "2024-06-01T00:00:00.000000Z"


@pytest.mark.parametrize(
    ("given", "op", "value", "upper", "expected"),
    [
        ({}, "prefix", None, None, KeyCondition("begins_with", ("ORDER#",))),
        ({"placed_at": T1}, "prefix", None, None, KeyCondition("begins_with", (f"ORDER#{K1}#",))),
        (
            {"placed_at": T1, "order_id": "o#1"},
            "eq",
            None,
            None,
            KeyCondition("eq", (f"ORDER#{K1}#o$231",)),
        ),
        ({}, "between", T1, T2, KeyCondition("between", (f"ORDER#{K1}", f"ORDER#{K2}$"))),
        ({}, "gt", T1, None, KeyCondition("between", (f"ORDER#{K1}$", "ORDER$"))),
        ({}, "ge", T1, None, KeyCondition("between", (f"ORDER#{K1}", "ORDER$"))),
        ({}, "lt", T1, None, KeyCondition("between", ("ORDER#", f"ORDER#{K1}"))),
        ({}, "le", T1, None, KeyCondition("between", ("ORDER#", f"ORDER#{K1}$"))),
    ],
)
def test_order_conditions_stay_inside_the_order_prefix(
    given: dict[str, Any], op: str, value: Any, upper: Any, expected: KeyCondition
) -> None:
    assert KEYS["Order"].sort_condition(given, op, value, upper) == expected  # type: ignore[arg-type]


def test_range_without_fixed_text_uses_plain_comparisons() -> None:
    # GSI2's sort key "{ship_by}#{order_id}" starts with a field: nothing to stay inside.
    cond = KEYS["Order"].sort_condition({}, "lt", T1, index="GSI2")
    assert cond == KeyCondition("lt", (K1,))
    assert cond.admits("2024-05-01T12:29:59.999999Z#o-1")
    assert not cond.admits(f"{K1}#o-1")


def test_strict_lt_on_the_last_field_drops_the_bound() -> None:
    cond = KEYS["OrderLine"].sort_condition({"order_id": "o-1"}, "lt", 5)
    assert cond == KeyCondition("between", ("LINE#o-1#", "LINE#o-1#005"), drop="LINE#o-1#005")
    assert cond.admits("LINE#o-1#004")
    assert not cond.admits("LINE#o-1#005")
    assert not cond.admits("LINE#o-10#000")


@pytest.mark.parametrize(
    ("entity", "given", "op", "value", "message"),
    [
        ("Order", {"placed_at": T1}, "eq", None, "an exact sort key needs order_id"),
        ("Order", {"order_id": "o"}, "prefix", None, "unless every field before it is fixed"),
        ("Order", {"placed_at": T1, "order_id": "o"}, "gt", "x", "gt needs a field after"),
        ("Order", {}, "gt", None, "placed_at: a range condition needs a value"),
        ("Order", {}, "ge", "2024-05-01", "placed_at: expected datetime, got str"),
        ("Customer", {}, "gt", 1, "gt needs a field after the fixed ones in 'PROFILE'"),
    ],
)
def test_conditions_that_cannot_be_expressed(
    entity: str, given: dict[str, Any], op: str, value: Any, message: str
) -> None:
    with pytest.raises(KeyValueError, match=message) as caught:
        KEYS[entity].sort_condition(given, op, value)  # type: ignore[arg-type]
    assert caught.value.entity == entity


def test_between_with_reversed_bounds_is_refused() -> None:
    """BUG (fails until fixed): DynamoDB rejects BETWEEN whose lower bound is above its
    upper bound (ValidationException); modelkit should say so before sending it."""
    with pytest.raises(KeyValueError, match="between"):
        KEYS["Order"].sort_condition({}, "between", T2, T1)
