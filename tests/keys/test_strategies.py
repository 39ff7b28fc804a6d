"""modelkit.testing's strategies draw what they promise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelkit.keys._codecs import IntCodec
from modelkit.testing import (
    TRICKY_TEXTS,
    adversarial_text,
    aware_datetimes,
    codec_values,
    dynamo_decimals,
    key_values,
)

from ._support import DESIGNS, KEYS

FEATURES: dict[str, Callable[[str], bool]] = {
    "empty": lambda s: s == "",
    "delimiter": lambda s: "#" in s,
    "escape": lambda s: "$" in s,
    "escape lookalike": lambda s: "$23" in s,
    "below the delimiter": lambda s: any(c in s for c in ' !"'),
    "control": lambda s: any(ord(c) < 0x20 for c in s),
    "nul": lambda s: "\x00" in s,
    "non-ASCII": lambda s: any(0x80 <= ord(c) < 0x10000 for c in s),
    "astral": lambda s: any(ord(c) >= 0x10000 for c in s),
    "highest code point": lambda s: "\U0010ffff" in s,
    "long": lambda s: len(s) >= 225,
}


def test_adversarial_text_covers_the_hard_cases() -> None:
    seen: set[str] = set()

    @settings(max_examples=400, database=None, derandomize=True, deadline=None)
    @given(adversarial_text())
    def collect(text: str) -> None:
        assert not any("\ud800" <= c <= "\udfff" for c in text)
        assert len(text) <= 300
        seen.update(name for name, has in FEATURES.items() if has(text))

    collect()
    assert seen == set(FEATURES)
    assert "$23" in TRICKY_TEXTS


@KEYS
@given(value=aware_datetimes())
def test_aware_datetimes_convert_to_utc(value: dt.datetime) -> None:
    offset = value.utcoffset()
    assert offset is not None
    assert dt.datetime(1, 1, 1, tzinfo=dt.UTC) < value.astimezone(dt.UTC)


def test_aware_datetimes_use_several_zones() -> None:
    offsets: set[dt.timedelta | None] = set()

    @settings(max_examples=200, database=None, derandomize=True, deadline=None)
    @given(aware_datetimes())
    def collect(value: dt.datetime) -> None:
        offsets.add(value.utcoffset())

    collect()
    assert len(offsets) >= 5


@KEYS
@given(value=dynamo_decimals())
def test_decimals_stay_in_dynamodb_range(value: Decimal) -> None:
    assert value.is_finite()
    if not value.is_zero():
        significant = "".join(map(str, value.as_tuple().digits)).strip("0")
        assert len(significant) <= 38
        assert -130 <= value.adjusted() <= 125


@KEYS
@given(data=st.data(), low=st.integers(-(10**6), 10**6), span=st.integers(0, 10**6))
def test_ints_stay_in_codec_bounds(data: st.DataObject, low: int, span: int) -> None:
    value = data.draw(codec_values(IntCodec(low, low + span)))
    assert low <= value <= low + span


def test_key_values_names_what_is_missing() -> None:
    design = DESIGNS["ecommerce"][0]
    with pytest.raises(KeyError, match=r"no key in index 'GSI9' \(it has: primary, GSI1\)"):
        key_values(design, "Customer", "GSI9")
    with pytest.raises(KeyError, match="no entity 'Nobody'"):
        key_values(design, "Nobody")
