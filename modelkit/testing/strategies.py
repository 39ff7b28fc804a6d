"""Hypothesis strategies for the key fields of a compiled design.

``key_values(design, "Order")`` draws dicts of the fields an entity's key templates use, with
values each field's key codec accepts and sizes that keep every key within DynamoDB's limits.
``adversarial_text()`` draws strings that stress key encodings: delimiters, escapes, control
characters, empty and long strings, astral characters.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from modelkit.keys import DELIMITER, ESCAPE, KeyCodec, KeyFormat
from modelkit.keys._codecs import (
    BoolCodec,
    DateCodec,
    DateTimeCodec,
    DecimalCodec,
    EnumeratedCodec,
    IntCodec,
    StrCodec,
    UUIDCodec,
)
from modelkit.schema import PRIMARY, TableDesign, keys_for

#: Worst-case UTF-8 bytes per character of an encoded str (an astral character; an escape
#: ``$XX`` takes three).
_BYTES_PER_CHAR = 4
_FIXED_BYTES: dict[type[KeyCodec], int] = {
    BoolCodec: len("false"),
    DateCodec: len("2024-05-01"),
    DateTimeCodec: len("2024-05-01T12:30:00.000000Z"),
    DecimalCodec: len("N123:") + 39 + len("~"),
    UUIDCodec: 36,
}
_OFFSETS = (0, 330, -480, 840, -720, 345, 59, -1)  # minutes east of UTC
_ZONE_NAMES = ("Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu")
#: Datetimes are drawn as microseconds from _CENTRE, a day inside datetime's range at each end
#: so that any zone's local time exists.
_CENTRE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_MIN_INSTANT = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
_MAX_INSTANT = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)

#: Pieces that break naive key encodings: the delimiter, the escape and lookalikes of an
#: escape, characters just below them, controls, and the edges of Unicode.
TRICKY_TEXTS: tuple[str, ...] = (
    DELIMITER,
    ESCAPE,
    "$23",
    "$24",
    "$2",
    "$$",
    "$g1",
    "##",
    "#$",
    "a#b",
    "a$23b",
    " ",
    "!",
    '"',
    "%",
    "\x00",
    "\x01",
    "\t",
    "\n",
    "\x1f",
    "\x7f",
    "A",
    "z",
    "0",
    "-",
    "é",
    "\u200b",
    "\ufeff",
    "\ue000",
    "\uffff",
    "\U0001f600",
    "\U00010000",
    "\U0010ffff",
)


def adversarial_text(*, max_size: int = 300) -> st.SearchStrategy[str]:
    """Strings that stress key encodings, never holding a lone surrogate.

    Mixes :data:`TRICKY_TEXTS` with any other character, from the empty string up to
    ``max_size`` characters.
    """
    char = st.characters(exclude_categories=["Cs"])
    singles = [t for t in TRICKY_TEXTS if len(t) == 1]
    short = st.lists(st.sampled_from(TRICKY_TEXTS) | char, max_size=12).map("".join)
    long = st.text(st.sampled_from(singles) | char, min_size=max_size * 3 // 4, max_size=max_size)
    return st.one_of(st.just(""), st.sampled_from(TRICKY_TEXTS), short, long)


def dynamo_decimals() -> st.SearchStrategy[Decimal]:
    """Decimals DynamoDB can store: up to 38 significant digits, exponents -130..125."""

    def build(negative: bool, mantissa: int, adjusted: int) -> Decimal:
        digits = tuple(int(c) for c in str(mantissa))
        return Decimal((int(negative), digits, adjusted - len(digits) + 1))

    mantissas = st.integers(1, 38).flatmap(lambda n: st.integers(10 ** (n - 1), 10**n - 1))
    full = st.builds(build, st.booleans(), mantissas, st.integers(-130, 125))
    prices = st.decimals(-(10**9), 10**9, places=2, allow_nan=False, allow_infinity=False)
    zeros = st.sampled_from([Decimal(0), Decimal("-0"), Decimal("0.00")])
    return st.one_of(prices, full, zeros)


def _zones() -> list[dt.tzinfo]:
    zones: list[dt.tzinfo] = [dt.timezone(dt.timedelta(minutes=m)) for m in _OFFSETS]
    for name in _ZONE_NAMES:
        try:
            zones.append(zoneinfo.ZoneInfo(name))
        except zoneinfo.ZoneInfoNotFoundError:  # no tz database on this system
            continue
    return zones


def aware_datetimes() -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes in fixed offsets and DST zones, all convertible to UTC.

    Drawn as a UTC instant (shrinking towards 2000-01-01) shown in one of the zones.
    """
    low = (_MIN_INSTANT - _CENTRE) // _MICROSECOND
    high = (_MAX_INSTANT - _CENTRE) // _MICROSECOND
    return st.builds(_in_zone, st.integers(low, high), st.sampled_from(_zones()))


def _in_zone(microseconds: int, zone: dt.tzinfo) -> dt.datetime:
    return (_CENTRE + dt.timedelta(microseconds=microseconds)).astimezone(zone)


def codec_values(
    codec: KeyCodec,
    *,
    text: st.SearchStrategy[str] | None = None,
    max_size: int | None = None,
) -> st.SearchStrategy[Any]:
    """Values ``codec`` encodes; ``text`` replaces the default for str fields, and str values
    are cut to ``max_size`` characters."""
    if isinstance(codec, EnumeratedCodec):
        return st.sampled_from(codec.values)
    if isinstance(codec, StrCodec):
        strings = text if text is not None else st.text(max_size=max_size)
        return strings if max_size is None else strings.map(lambda s: s[:max_size])
    if isinstance(codec, BoolCodec):
        return st.booleans()
    if isinstance(codec, IntCodec):
        return st.integers(codec.low, codec.high)
    if isinstance(codec, DecimalCodec):
        return dynamo_decimals()
    if isinstance(codec, DateTimeCodec):
        return aware_datetimes()
    if isinstance(codec, DateCodec):
        return st.dates()
    if isinstance(codec, UUIDCodec):
        return st.uuids()
    raise TypeError(f"no strategy for key codec {type(codec).__name__}; pass values yourself")


def key_values(
    design: TableDesign,
    entity: str,
    index: str = PRIMARY,
    *,
    text: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts of the fields in ``entity``'s key templates of ``index``.

    Every dict formats to keys within DynamoDB's size limits and never to an empty key: str
    values are cut to fit the template's byte budget. ``text`` (for example
    :func:`adversarial_text`) replaces the strategy for str fields.
    """
    return st.fixed_dictionaries(_field_strategies(design, entity, index, text))


def key_field_values(
    design: TableDesign,
    entity: str,
    field: str,
    index: str = PRIMARY,
    *,
    text: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Any]:
    """Values of one key field, as :func:`key_values` draws them (bounds for range queries)."""
    fields = _field_strategies(design, entity, index, text)
    if field not in fields:
        known = ", ".join(fields)
        raise KeyError(f"{field!r} is not in {entity}'s {index} key (its fields: {known})")
    return fields[field]


def _field_strategies(
    design: TableDesign, entity: str, index: str, text: st.SearchStrategy[str] | None
) -> dict[str, st.SearchStrategy[Any]]:
    keys = keys_for(design)[entity]
    if index not in keys.formats:
        known = ", ".join(keys.formats)
        raise KeyError(f"entity {entity} has no key in index {index!r} (it has: {known})")
    formats = [f for f in keys.formats[index] if f is not None]
    budgets = _str_budgets(formats)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for fmt in formats:
        for name in fmt.fields:
            if name in fields:
                continue
            values = codec_values(fmt.codecs[name], text=text, max_size=budgets.get(name))
            if any(_alone(f, name) for f in formats):
                values = values.filter(_non_empty(fmt.codecs[name]))
            fields[name] = values
    return fields


def _non_empty(codec: KeyCodec) -> Callable[[Any], bool]:
    return lambda value: codec.encode(value) != ""


def _alone(fmt: KeyFormat, name: str) -> bool:
    """True if the template is just ``{name}``: an empty value would make an empty key."""
    return fmt.fields == (name,) and len(fmt.template.segments) == 1


def _max_bytes(codec: KeyCodec) -> int:
    if isinstance(codec, EnumeratedCodec):
        return max(len(t.encode()) for t in codec.finite_texts())
    if isinstance(codec, IntCodec):
        return codec.width + 1
    for kind, size in _FIXED_BYTES.items():
        if isinstance(codec, kind):
            return size
    raise TypeError(f"no size bound for key codec {type(codec).__name__}")


def _str_budgets(formats: Iterable[KeyFormat]) -> dict[str, int]:
    """Most characters each str field may have so that every template fits its limit."""
    budgets: dict[str, int] = {}
    for fmt in formats:
        segments = fmt.template.segments
        used = len(segments) - 1
        strs: list[str] = []
        for segment in segments:
            if segment.field is None:
                used += len(segment.text.encode())
            elif isinstance(fmt.codecs[segment.field], StrCodec):
                strs.append(segment.field)
            else:
                used += _max_bytes(fmt.codecs[segment.field])
        for name in strs:
            share = max(0, (fmt.max_bytes - used) // (_BYTES_PER_CHAR * len(strs)))
            budgets[name] = min(share, budgets.get(name, share))
    return budgets
