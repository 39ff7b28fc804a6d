"""Properties over every entity of every example schema and a Struct holding every type:
values round-trip, the output is DynamoDB's wire format (plain JSON-ready data that boto3's
TypeDeserializer reads back to the same values), and the generated fast path agrees with the
checked path."""

from __future__ import annotations

import base64
import datetime as dt
import enum
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import msgspec
import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modelkit
from modelkit.codec import item_codec
from modelkit.codec._struct import struct_codec
from modelkit.errors import ValidationError

from ._everything import Everything
from ._strategies import structs

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = sorted((ROOT / "schemas").glob("*.py"))
PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def entity_cases() -> list[Any]:
    cases = []
    for path in SCHEMAS:
        design = modelkit.load_design(str(path))
        for entity in design.entities:
            cases.append(pytest.param(entity.struct, id=f"{path.stem}.{entity.name}"))
    cases.append(pytest.param(Everything, id="Everything"))
    return cases


CASES = entity_cases()
DESERIALIZER = TypeDeserializer()


def _bytes_as_text(value: Any) -> str:
    assert isinstance(value, bytes)
    return base64.b64encode(value).decode()


@pytest.mark.parametrize("struct", CASES)
@PROPERTY
@given(data=st.data())
def test_round_trip_and_wire_format(struct: type, data: st.DataObject) -> None:
    value = data.draw(structs(struct))
    codec = item_codec(struct)
    item = codec.encode(value)
    assert codec.decode(item) == value
    # plain data: dicts, lists, str, bool and bytes (B), which botocore sends as base64
    json.dumps(item, default=_bytes_as_text)
    # DynamoDB's wire format, read back by boto3 (its decimal context checks the numbers)
    plain = {name: DESERIALIZER.deserialize(av) for name, av in item.items()}
    sc = struct_codec(struct)
    for plan in sc.fields:
        field_value = getattr(value, plan.name)
        if plan.attr in plain:
            assert agrees(plain[plan.attr], field_value), (plan.name, plain[plan.attr])
        else:
            assert plan.omits(field_value) or field_value is None


@pytest.mark.parametrize("struct", CASES)
@PROPERTY
@given(data=st.data())
def test_fast_path_agrees_with_checked_path(struct: type, data: st.DataObject) -> None:
    value = data.draw(structs(struct))
    sc = struct_codec(struct)
    item = sc.encode(value)
    assert sc.encode_item(value) == item
    assert sc.decode_item(item) == sc.decode(item) == value


@pytest.mark.parametrize("struct", CASES[:3] + CASES[-1:])
@PROPERTY
@given(data=st.data())
def test_unknown_attributes_never_matter(struct: type, data: st.DataObject) -> None:
    value = data.draw(structs(struct))
    codec = item_codec(struct)
    item = codec.encode(value)
    names = st.text(min_size=1, max_size=8).filter(lambda n: n not in item)
    extra = data.draw(st.dictionaries(names, st.sampled_from(EXTRA_VALUES), max_size=4))
    assert codec.decode({**extra, **item}) == value


EXTRA_VALUES: list[dict[str, Any]] = [
    {"S": "TENANT#acme"},
    {"N": "1700000000"},
    {"NULL": True},
    {"M": {"x": {"L": []}}},
    {"SS": ["a"]},
]


def agrees(plain: Any, value: Any) -> bool:
    """Whether boto3's reading of an attribute matches the field's value."""
    if value is None or isinstance(value, bool):
        return plain is value
    if isinstance(value, enum.Enum):
        return agrees(plain, value.value)
    if isinstance(value, int | Decimal):
        return isinstance(plain, Decimal) and plain == value
    if isinstance(value, float):
        return isinstance(plain, Decimal) and float(plain) == value
    if isinstance(value, str):
        return plain == value
    if isinstance(value, bytes):
        return isinstance(plain, Binary) and plain.value == value
    if isinstance(value, dt.datetime):
        return dt.datetime.fromisoformat(plain) == value
    if isinstance(value, dt.date):
        return dt.date.fromisoformat(plain) == value
    if isinstance(value, dt.time):
        return dt.time.fromisoformat(plain) == value
    if isinstance(value, uuid.UUID):
        return uuid.UUID(plain) == value
    if isinstance(value, list | tuple):
        return len(plain) == len(value) and all(map(agrees, plain, value))
    if isinstance(value, set | frozenset):
        if not value:
            return plain == []
        return len(plain) == len(value) and all(any(agrees(p, v) for v in value) for p in plain)
    if isinstance(value, dict):
        return plain.keys() == {str(k) for k in value} and all(
            agrees(plain[str(k)], v) for k, v in value.items()
        )
    if isinstance(value, msgspec.Struct):
        return _struct_agrees(plain, value)
    raise AssertionError(f"no comparison for {value!r}")


def _struct_agrees(plain: dict[str, Any], value: msgspec.Struct) -> bool:
    sc = struct_codec(type(value))
    for plan in sc.fields:
        field_value = getattr(value, plan.name)
        if plan.attr not in plain:
            if not (plan.omits(field_value) or field_value is None):
                return False
        elif not agrees(plain[plan.attr], field_value):
            return False
    return sc.tag_field is None or plain[sc.tag_field] == next(iter(sc.tag_av.values()))


# -- the codec refuses what msgspec's own validation refuses ---------------------------------


class Limits(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(min_length=2, max_length=4, pattern="^[a-z]+$")]
    level: Annotated[int, msgspec.Meta(ge=0, le=9)]
    share: Annotated[float, msgspec.Meta(gt=0.0, lt=1.0)]
    tags: Annotated[list[str], msgspec.Meta(max_length=2)]


@settings(max_examples=200, deadline=None)
@given(
    code=st.text("abcZ1", max_size=6),
    level=st.integers(-3, 12),
    share=st.floats(-0.5, 1.5).filter(lambda x: x == 0 or abs(x) >= 1e-130),  # DynamoDB range
    tags=st.lists(st.just("t"), max_size=4),
)
def test_refuses_exactly_what_msgspec_refuses(
    code: str, level: int, share: float, tags: list[str]
) -> None:
    value = Limits(code, level, share, tags)
    try:
        msgspec.json.decode(msgspec.json.encode(value), type=Limits)
    except msgspec.ValidationError:
        valid = False
    else:
        valid = True
    try:
        item_codec(Limits).encode(value)
    except ValidationError:
        assert not valid
    else:
        assert valid
