"""The entity a bench reads and the items it loads: example values, one key each."""

from __future__ import annotations

import pytest

from modelkit.errors import ModelkitError
from modelkit.latency import cached_entity, example_items
from modelkit.schema import load_design
from modelkit.schema._examples import example_item

SHOP = load_design("schemas/ecommerce.py")


def test_the_first_cached_entity_is_chosen_unless_one_is_named() -> None:
    assert cached_entity(SHOP).name == "Customer"
    assert cached_entity(SHOP, "Order").name == "Order"
    with pytest.raises(ModelkitError, match="no cache policy"):
        cached_entity(SHOP, "OrderLine")
    with pytest.raises(ModelkitError, match=r"no entity 'Nope' \(known: Customer, Order"):
        cached_entity(SHOP, "Nope")


def test_items_have_distinct_keys_and_the_example_values() -> None:
    items = example_items(SHOP, SHOP.entity("Order"), 300)
    assert len(items.objects) == len(items.keys) == 300
    assert len({tuple(map(repr, k.values())) for k in items.keys}) == 300
    assert set(items.keys[0]) == {"customer_id", "placed_at", "order_id"}
    third = items.objects[3]
    example = example_item(SHOP, "Order", seed=3)
    assert third.order_id == example["order_id"] == items.keys[3]["order_id"]
    assert third.total == example["total"]
    assert third.status == example["status"]
