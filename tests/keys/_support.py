"""Shared pieces of the key property tests: the schemas, the cases, value comparisons."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import modelkit
from modelkit import KeyValueError
from modelkit.keys import KeyFormat
from modelkit.schema import EntityKeys, TableDesign, keys_for
from modelkit.testing import adversarial_text, key_field_values, key_values
from modelkit.testing.properties import canonical as canonical
from modelkit.testing.properties import canonical_map as canonical_map
from modelkit.testing.properties import sortable as sortable

from ._synthetic import design as synthetic_design

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILES = sorted((ROOT / "schemas").glob("*.py"))

settings.register_profile(
    "keys", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "keys-light", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "keys-thorough", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck)
)
#: The settings every property here runs with; MODELKIT_KEYS_PROFILE=keys-thorough digs deeper.
_PROFILE = os.environ.get("MODELKIT_KEYS_PROFILE", "keys")
KEYS = settings.get_profile(_PROFILE)
#: For properties that draw one value set per example (round trip, refusals): fewer examples.
KEYS_LIGHT = settings.get_profile("keys-light" if _PROFILE == "keys" else _PROFILE)

#: name -> (design, strategy for str fields or None for the default).
DESIGNS: dict[str, tuple[TableDesign, st.SearchStrategy[str] | None]] = {
    path.stem: (modelkit.load_design(str(path)), None) for path in SCHEMA_FILES
}
DESIGNS["synthetic-adversarial"] = (synthetic_design, adversarial_text())


@functools.cache
def values_of(
    schema: str, entity: str, index: str = "primary"
) -> st.SearchStrategy[dict[str, Any]]:
    """``key_values`` for a case, built once (strategies are immutable)."""
    design, text = DESIGNS[schema]
    return key_values(design, entity, index, text=text)


@functools.cache
def field_values(schema: str, entity: str, index: str, field: str) -> st.SearchStrategy[Any]:
    """``key_field_values`` for one field of a case, built once."""
    design, text = DESIGNS[schema]
    return key_field_values(design, entity, field, index, text=text)


def entity_cases() -> list[tuple[str, str]]:
    return [(s, e.name) for s, (d, _) in DESIGNS.items() for e in d.entities]


def index_cases() -> list[tuple[str, str, str]]:
    return [
        (s, name, index)
        for s, (d, _) in DESIGNS.items()
        for name, keys in keys_for(d).entities.items()
        for index in keys.formats
    ]


def sort_cases() -> list[tuple[str, str, str]]:
    """(schema, entity, index) whose sort-key template has at least one field."""
    return [
        (s, e, i)
        for s, e, i in index_cases()
        if (sk := sort_format(DESIGNS[s][0], e, i)) is not None and sk.fields
    ]


def sort_format(design: TableDesign, entity: str, index: str) -> KeyFormat | None:
    return keys_for(design)[entity].formats[index][1]


def utf8(key: str) -> bytes:
    """A key as DynamoDB compares it."""
    return key.encode("utf-8")


def blend(
    data: st.DataObject, base: Mapping[str, Any], fresh: Mapping[str, Any], order: tuple[str, ...]
) -> dict[str, Any]:
    """``fresh`` with a drawn number of the leading ``order`` fields taken from ``base``.

    Keys of the two then share a prefix often, which is where encodings go wrong.
    """
    shared = data.draw(st.integers(0, len(order)), label="shared leading fields")
    result = dict(fresh)
    result.update({name: base[name] for name in order[:shared] if name in base})
    return result


def borrow(
    keys: EntityKeys, index: str, base: Mapping[str, Any], fresh: Mapping[str, Any], count: int
) -> dict[str, Any]:
    """``fresh`` with its first ``count`` key fields (in template order) taken from ``base``
    where ``base`` has them, unless the result makes no valid key (too long, empty, wrong
    type): then ``fresh`` as drawn."""
    order = [n for fmt in keys.formats[index] if fmt is not None for n in fmt.fields]
    mixed = dict(fresh)
    mixed.update({n: base[n] for n in order[:count] if n in base})
    try:
        keys.index_key(index, mixed)
    except KeyValueError:
        return dict(fresh)
    return mixed
