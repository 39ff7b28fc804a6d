"""Every codec, on values drawn by modelkit.testing: round trip, order and injectivity, and
the shape that makes templates safe (no ``#``, nothing at or below ``$`` but escapes)."""

from __future__ import annotations

import enum
import re
from typing import Annotated, Any, Literal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelkit.keys import KeyCodec, codec_for
from modelkit.testing import adversarial_text, codec_values

from ._support import KEYS, canonical, sortable, utf8


class Colour(enum.StrEnum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Priority(enum.IntEnum):
    LOW = -5
    MID = 0
    HIGH = 100


CODECS: dict[str, tuple[Any, st.SearchStrategy[str] | None]] = {
    "str": (str, None),
    "str-adversarial": (str, adversarial_text()),
    "int64": (int, None),
    "int-bounded": (Annotated[int, msgspec.Meta(ge=-1000, le=10**6)], None),
    "int-shard": (Annotated[int, msgspec.Meta(ge=0, lt=16)], None),
    "decimal": ("decimal.Decimal", None),
    "datetime": ("datetime.datetime", None),
    "date": ("datetime.date", None),
    "uuid": ("uuid.UUID", None),
    "bool": (bool, None),
    "str-enum": (Colour, None),
    "int-enum": (Priority, None),
    "literal": (Literal["b", "a#", "a"], None),
}
_ESCAPE = re.compile(r"\$[0-9A-F]{2}")


def _codec(name: str) -> KeyCodec:
    annotation = CODECS[name][0]
    if isinstance(annotation, str):
        module, _, attr = annotation.rpartition(".")
        annotation = getattr(__import__(module), attr)
    return codec_for(annotation)


@pytest.mark.parametrize("name", sorted(CODECS))
@KEYS
@given(data=st.data())
def test_codec_round_trip_order_and_shape(name: str, data: st.DataObject) -> None:
    codec = _codec(name)
    values = codec_values(codec, text=CODECS[name][1])
    a, b = data.draw(values, label="a"), data.draw(values, label="b")
    text_a, text_b = codec.encode(a), codec.encode(b)
    assert canonical(codec.decode(text_a)) == canonical(a)
    assert "#" not in text_a
    assert all(c > "$" for c in _ESCAPE.sub("", text_a))
    # Injective, and (for ordered codecs) in order, even followed by more segments.
    assert (text_a == text_b) == (canonical(a) == canonical(b))
    if codec.orderable and text_a != text_b:
        assert (utf8(text_a + "#z") < utf8(text_b + "#z")) == (sortable(a) < sortable(b))
