"""Injective: two different (entity, values) never share a primary key, and every primary
key parses back to exactly one entity of its schema."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelkit.schema import PRIMARY, keys_for

from ._support import DESIGNS, KEYS, borrow, canonical_map, values_of


@pytest.mark.parametrize("schema", sorted(DESIGNS))
@KEYS
@given(data=st.data())
def test_primary_keys_are_injective(schema: str, data: st.DataObject) -> None:
    design = DESIGNS[schema][0]
    keys = keys_for(design)
    names = sorted(keys.entities)
    first = data.draw(st.sampled_from(names), label="first entity")
    second = data.draw(st.sampled_from(names), label="second entity")
    a = data.draw(values_of(schema, first), label="first values")
    fresh = data.draw(values_of(schema, second), label="second values")
    # The second key often takes leading field values from the first: near-collisions.
    shared = data.draw(st.integers(0, len(fresh)), label="fields taken from the first")
    b = borrow(keys[second], PRIMARY, a, fresh, shared)

    key_a, key_b = keys[first].primary_key(a), keys[second].primary_key(b)
    same_item = first == second and canonical_map(a) == canonical_map(b)
    assert (key_a == key_b) == same_item

    for name, values, key in ((first, a, key_a), (second, b, key_b)):
        parsed = keys.parse(key[design.pk], key[design.sk] if design.sk else None)
        assert parsed.entity == name
        assert canonical_map(parsed.values) == canonical_map(values)
