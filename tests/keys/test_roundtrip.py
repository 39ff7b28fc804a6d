"""Invertible: every key parses back to the values it was built from, in every index."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelkit import KeyValueError
from modelkit.keys import DELIMITER
from modelkit.schema import PRIMARY, keys_for

from ._support import DESIGNS, KEYS_LIGHT, canonical_map, index_cases, utf8, values_of


@pytest.mark.parametrize(("schema", "entity", "index"), index_cases())
@KEYS_LIGHT
@given(data=st.data())
def test_parse_inverts_format(schema: str, entity: str, index: str, data: st.DataObject) -> None:
    """parse(format(v)) == v; keys are non-empty, within DynamoDB's limits, with one segment
    per template segment; format_obj and format_map agree. A None field keeps the item out
    of a (sparse) secondary index; the table key cannot do without it."""
    keys = keys_for(DESIGNS[schema][0])[entity]
    values = data.draw(values_of(schema, entity, index))
    attrs = keys.index_key(index, values)
    assert attrs is not None
    assert keys.index_key(index, SimpleNamespace(**values)) == attrs
    pk, sk = keys.formats[index]
    for fmt in (pk, sk):
        if fmt is not None:
            key = attrs[fmt.attribute]
            assert 0 < len(utf8(key)) <= fmt.max_bytes
            assert key.count(DELIMITER) == len(fmt.template.segments) - 1
    parsed = keys.parse(index, attrs[pk.attribute], attrs[sk.attribute] if sk else None)
    assert canonical_map(parsed) == canonical_map(values)

    if not values:
        return
    name = data.draw(st.sampled_from(sorted(values)), label="field set to None")
    values[name] = None
    if index != PRIMARY:
        assert keys.index_key(index, values) is None
        assert keys.index_key(index, SimpleNamespace(**values)) is None
        return
    with pytest.raises(KeyValueError) as caught:
        keys.index_key(index, values)
    assert (caught.value.entity, caught.value.field) == (entity, name)
