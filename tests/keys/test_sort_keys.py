"""Sort keys: order-preserving and prefix-safe, over every sort-key template with a field.

Each example draws values ``v`` and ``w`` of one entity in one index (``w`` shares a drawn
number of leading fields with ``v``) and checks three rules on them:

* order: the keys compare as UTF-8 bytes the way the value tuples compare, field by field;
* prefix: the condition for ``v``'s first k fields admits ``w``'s key iff those fields agree;
* range: a between/gt/ge/lt/le condition on field k+1 admits ``w``'s key iff the first k
  fields agree and field k+1 satisfies the comparison.

Neither condition admits the key of another entity in the same partition.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelkit.keys import KeyCondition, KeyFormat
from modelkit.schema import EntityKeys, keys_for

from ._support import (
    DESIGNS,
    KEYS,
    blend,
    borrow,
    canonical,
    field_values,
    sort_cases,
    sortable,
    utf8,
    values_of,
)

Values = dict[str, Any]
RANGES: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


@pytest.mark.parametrize(("schema", "entity", "index"), sort_cases())
@KEYS
@given(data=st.data())
def test_sort_key_rules(schema: str, entity: str, index: str, data: st.DataObject) -> None:
    keys = keys_for(DESIGNS[schema][0])[entity]
    fmt = keys.formats[index][1]
    assert fmt is not None
    v = data.draw(values_of(schema, entity, index), label="v")
    w = blend(data, v, data.draw(values_of(schema, entity, index), label="w"), fmt.fields)
    check_order(fmt, v, w)
    prefix = check_prefix(keys, index, v, w, data)
    upper = data.draw(st.sampled_from(fmt.fields), label="range field")
    bound = data.draw(field_values(schema, entity, index, upper), label="range: upper bound")
    ranged = check_range(keys, index, v, w, upper, bound, data)
    stranger = _stranger_key(schema, entity, index, v, data)
    if stranger is not None:
        assert prefix is not None, f"{entity} reads its whole partition, holding {stranger!r}"
        assert not prefix.admits(stranger)
        assert not ranged.admits(stranger)


def check_order(fmt: KeyFormat, v: Values, w: Values) -> None:
    """Tuple order of the values is the byte order of the keys (up to the first field whose
    codec keeps no order; equal tuples then give equal keys)."""
    ordered = fmt.fields
    for position, name in enumerate(fmt.fields):
        if not fmt.codecs[name].orderable:
            ordered = fmt.fields[:position]
            break
    key_v, key_w = utf8(fmt.format(v)), utf8(fmt.format(w))
    tuple_v = tuple(sortable(v[f]) for f in ordered)
    tuple_w = tuple(sortable(w[f]) for f in ordered)
    if tuple_v != tuple_w:
        assert (key_v < key_w) == (tuple_v < tuple_w)
    elif ordered == fmt.fields:
        assert key_v == key_w


def check_prefix(
    keys: EntityKeys, index: str, v: Values, w: Values, data: st.DataObject
) -> KeyCondition | None:
    """``prefix`` (``eq`` when every field is given) admits exactly the keys whose leading
    fields equal the given ones; ``None`` only for the whole partition."""
    fmt = keys.formats[index][1]
    assert fmt is not None
    fields = fmt.fields
    count = data.draw(st.integers(0, len(fields)), label="prefix: given leading fields")
    op = "eq" if count == len(fields) else "prefix"
    cond = keys.sort_condition({f: v[f] for f in fields[:count]}, op, index=index)
    if cond is None:  # nothing fixed and the template starts with a field
        assert count == 0
        assert fmt.template.segments[0].field is not None
    else:
        assert cond.admits(fmt.format(w)) == _same(v, w, fields[:count])
    return cond


def check_range(
    keys: EntityKeys,
    index: str,
    v: Values,
    w: Values,
    field: str,
    bound: Any,
    data: st.DataObject,
) -> KeyCondition:
    """A range on ``field``, with the fields before it given from ``v``, admits exactly the
    keys with those leading fields whose ``field`` is in range (bounds ``v[field]``, ``bound``)."""
    fmt = keys.formats[index][1]
    assert fmt is not None
    leading = fmt.fields[: fmt.fields.index(field)]
    op = data.draw(st.sampled_from(["between", *RANGES]), label="range: op")
    low, high = v[field], bound
    if sortable(high) < sortable(low):
        low, high = high, low
    w = dict(w)
    w[field] = data.draw(st.sampled_from([w[field], low, high]), label="w's range field")
    cond = keys.sort_condition(
        {f: v[f] for f in leading}, op, low, high if op == "between" else None, index=index
    )
    assert cond is not None
    x, a, b = sortable(w[field]), sortable(low), sortable(high)
    in_range = a <= x <= b if op == "between" else RANGES[op](x, a)
    assert cond.admits(fmt.format(w)) == (_same(v, w, leading) and in_range)
    return cond


def _same(v: Values, w: Values, fields: tuple[str, ...]) -> bool:
    return all(canonical(v[f]) == canonical(w[f]) for f in fields)


def _stranger_key(
    schema: str, entity: str, index: str, v: Values, data: st.DataObject
) -> str | None:
    """The sort key of another entity's item in ``v``'s partition of ``index``, if any."""
    keys = keys_for(DESIGNS[schema][0])
    mine = keys[entity].formats[index][0]
    others = sorted(
        name
        for name, other in keys.entities.items()
        if name != entity
        and index in other.formats
        and other.formats[index][0].template.text == mine.template.text
    )
    if not others:
        return None
    other = data.draw(st.sampled_from(others), label="other entity")
    fresh = data.draw(values_of(schema, other, index), label="other values")
    values = borrow(keys[other], index, v, fresh, len(fresh))
    pk, sk = keys[other].formats[index]
    if pk.format(values) != mine.format(v) or sk is None:
        return None
    return sk.format(values)
