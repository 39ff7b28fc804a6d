"""modelkit's key properties, to run on your own schema: ``assert_keys_safe(design)``.

>>> from modelkit.testing import assert_keys_safe
>>> assert_keys_safe(design)                     # doctest: +SKIP

Three properties, each over every entity and index of the design, with values drawn by
Hypothesis (:func:`~modelkit.testing.key_values`, adversarial text if you pass it):

* **invertible**: every key parses back to the values it was built from;
* **injective**: two different (entity, values) never share a primary key, and a primary key
  parses back to its own entity;
* **ordered**: sort keys compare (as DynamoDB compares them, by UTF-8 bytes) the way their
  field values compare, field by field.

A violation raises ``AssertionError`` naming the property, the entity and the index, with
Hypothesis's smallest falsifying example.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelkit.schema import PRIMARY, DesignKeys, TableDesign, keys_for
from modelkit.testing.strategies import key_values


def assert_keys_safe(
    design: TableDesign,
    *,
    max_examples: int = 100,
    text: st.SearchStrategy[str] | None = None,
) -> None:
    """Run the key properties on ``design`` (see the module docstring); ``text`` replaces
    the strategy for str fields (for example :func:`~modelkit.testing.adversarial_text`)."""
    keys = keys_for(design)
    run = settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    _check("injective: primary keys", run, _injective, design, "", PRIMARY, text)
    for name, entity_keys in keys.entities.items():
        for index in entity_keys.formats:
            where = f"{name}, index {index}"
            _check(f"invertible: {where}", run, _invertible, design, name, index, text)
            if entity_keys.formats[index][1] is not None:
                _check(f"ordered: {where}", run, _ordered, design, name, index, text)


def _check(label: str, run: settings, prop: Any, *args: Any) -> None:
    @run
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        prop(data, *args)

    try:
        check()
    except AssertionError as exc:
        raise AssertionError(f"{label}: {exc}") from exc


def _invertible(
    data: st.DataObject, design: TableDesign, entity: str, index: str, text: Any
) -> None:
    keys = keys_for(design)[entity]
    values = data.draw(key_values(design, entity, index, text=text), label="values")
    attrs = keys.index_key(index, values)
    assert attrs is not None, f"no key for {values!r}"
    pk, sk = keys.formats[index]
    parsed = keys.parse(index, attrs[pk.attribute], attrs[sk.attribute] if sk else None)
    assert canonical_map(parsed) == canonical_map(values), (
        f"{attrs!r} parses to {parsed!r}, not {values!r}"
    )


def _injective(data: st.DataObject, design: TableDesign, _: str, __: str, text: Any) -> None:
    keys: DesignKeys = keys_for(design)
    names = sorted(keys.entities)
    first = data.draw(st.sampled_from(names), label="first entity")
    second = data.draw(st.sampled_from(names), label="second entity")
    a = data.draw(key_values(design, first, text=text), label="first values")
    b = data.draw(key_values(design, second, text=text), label="second values")
    shared = [f for f in b if f in a and data.draw(st.booleans(), label=f"share {f}")]
    b = {**b, **{f: a[f] for f in shared}}  # near-collisions: shared field values
    key_a, key_b = keys[first].primary_key(a), keys[second].primary_key(b)
    same = first == second and canonical_map(a) == canonical_map(b)
    assert (key_a == key_b) == same, f"{first} {a!r} and {second} {b!r} give {key_a!r}, {key_b!r}"
    for name, key in ((first, key_a), (second, key_b)):
        parsed = keys.parse(key[design.pk], key[design.sk] if design.sk else None)
        assert parsed.entity == name, f"{key!r} of {name} parses as {parsed.entity}"


def _ordered(data: st.DataObject, design: TableDesign, entity: str, index: str, text: Any) -> None:
    keys = keys_for(design)[entity]
    sk = keys.formats[index][1]
    assert sk is not None
    strategy = key_values(design, entity, index, text=text)
    v = data.draw(strategy, label="first values")
    w = data.draw(strategy, label="second values")
    lead = data.draw(st.integers(0, len(sk.fields)), label="leading fields shared")
    w = {**w, **{f: v[f] for f in sk.fields[:lead]}}
    key_v = (keys.index_key(index, v) or {})[sk.attribute].encode()
    key_w = (keys.index_key(index, w) or {})[sk.attribute].encode()
    tuple_v = tuple(sortable(v[f]) for f in sk.fields)
    tuple_w = tuple(sortable(w[f]) for f in sk.fields)
    for op in ("<", "==", ">"):
        by_key = _compare(op, key_v, key_w)
        by_values = _compare(op, tuple_v, tuple_w)
        assert by_key == by_values, (
            f"sort keys {key_v!r} {op} {key_w!r} is {by_key}, values {tuple_v!r} {op} "
            f"{tuple_w!r} is {by_values}"
        )


def _compare(op: str, a: Any, b: Any) -> bool:
    return bool(a < b) if op == "<" else bool(a == b) if op == "==" else bool(a > b)


def canonical(value: Any) -> Any:
    """The value a key keeps: datetimes as UTC instants, enum members as themselves."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return value


def canonical_map(values: Mapping[str, Any]) -> dict[str, Any]:
    """``canonical`` of every value."""
    return {name: canonical(v) for name, v in values.items()}


def sortable(value: Any) -> Any:
    """The value in the order its key must keep (enum members by their value)."""
    value = canonical(value)
    return value.value if isinstance(value, enum.Enum) else value
