"""Text a key must refuse, on the all-str synthetic schema: lone surrogates, keys over
DynamoDB's size limits, and empty keys.

The same schema also runs through every property of test_roundtrip, test_injective and
test_sort_keys, with ``adversarial_text()`` for its fields.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelkit import KeyValueError
from modelkit.keys import KeyFormat, escape_str
from modelkit.schema import keys_for

from ._support import KEYS_LIGHT, utf8, values_of
from ._synthetic import design

SCHEMA = "synthetic-adversarial"
KEYS_OF = keys_for(design)
#: (entity, index, 0 for the partition key / 1 for the sort key) of every template with a field.
TEMPLATES = [
    (entity, index, part)
    for entity, keys in KEYS_OF.entities.items()
    for index, formats in keys.formats.items()
    for part, fmt in enumerate(formats)
    if fmt is not None and fmt.fields
]
#: Multi-byte characters by their encoded size: ASCII, two-byte, escaped, three-byte, astral.
WIDTHS = {"a": 1, "é": 2, "#": 3, "\uffff": 3, "\U0010ffff": 4}


def template(entity: str, index: str, part: int) -> KeyFormat:
    fmt = KEYS_OF[entity].formats[index][part]
    assert fmt is not None
    return fmt


@pytest.mark.parametrize(("entity", "index", "part"), TEMPLATES)
@KEYS_LIGHT
@given(data=st.data(), surrogate=st.characters(categories=["Cs"]))
def test_lone_surrogate_is_refused(
    entity: str, index: str, part: int, data: st.DataObject, surrogate: str
) -> None:
    fmt = template(entity, index, part)
    values = data.draw(values_of(SCHEMA, entity, index))
    field = data.draw(st.sampled_from(fmt.fields), label="field")
    at = data.draw(st.integers(0, len(values[field])), label="position")
    values[field] = values[field][:at] + surrogate + values[field][at:]
    with pytest.raises(KeyValueError, match="surrogate") as caught:
        fmt.format(values)
    assert (caught.value.entity, caught.value.field) == (entity, field)
    if part == 1:  # a partial key with the surrogate in a given field is refused too
        given_values = {f: values[f] for f in fmt.fields[: fmt.fields.index(field) + 1]}
        with pytest.raises(KeyValueError, match="surrogate") as caught:
            KEYS_OF[entity].sort_condition(given_values, index=index)
        assert (caught.value.entity, caught.value.field) == (entity, field)


@pytest.mark.parametrize(("entity", "index", "part"), TEMPLATES)
@KEYS_LIGHT
@given(data=st.data(), char=st.sampled_from(sorted(WIDTHS)), delta=st.integers(-2, 2))
def test_size_limit_is_exact(
    entity: str, index: str, part: int, data: st.DataObject, char: str, delta: int
) -> None:
    """A key of up to the limit (2,048 partition / 1,024 sort bytes) is accepted, one byte
    more is refused with an error naming the entity and the limit."""
    fmt = template(entity, index, part)
    values = data.draw(values_of(SCHEMA, entity, index))
    field = data.draw(st.sampled_from(fmt.fields), label="long field")
    values[field] = ""
    rest = len(utf8(_encoded(fmt, values)))
    count = max(0, (fmt.max_bytes - rest) // WIDTHS[char] + delta)
    values[field] = char * count
    size = rest + count * WIDTHS[char]
    if size <= fmt.max_bytes:
        assert len(utf8(fmt.format(values))) == size
        return
    with pytest.raises(KeyValueError) as caught:
        fmt.format(values)
    role = "partition" if part == 0 else "sort"
    assert caught.value.entity == entity
    assert f"{size} bytes, over DynamoDB's {fmt.max_bytes}-byte {role} key limit" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("entity", "index", "part"),
    [case for case in TEMPLATES if len(template(*case).template.segments) == 1],
)
def test_empty_key_is_refused(entity: str, index: str, part: int) -> None:
    fmt = template(entity, index, part)
    (field,) = fmt.fields
    values = {name: "x" for name in KEYS_OF[entity].formats[index][1 - part].fields}
    values[field] = ""
    with pytest.raises(KeyValueError, match="would be empty") as caught:
        fmt.format(values)
    assert caught.value.entity == entity


def _encoded(fmt: KeyFormat, values: dict[str, str]) -> str:
    """The key ``fmt`` should make, built independently of KeyFormat."""
    return "#".join(
        escape_str(values[s.field]) if s.field is not None else s.text
        for s in fmt.template.segments
    )
