"""Hypothesis strategies for any Struct the codec takes, built from ``msgspec.inspect``.

``hypothesis.strategies.from_type`` builds msgspec Structs from their signature but ignores
``Meta`` constraints (so it draws ints below ``ge=0``, over-long strings, ...), draws NaN-free
but out-of-DynamoDB-range numbers and naive datetimes only. This builder honours the
constraints and draws what a user may store: finite numbers in DynamoDB's range, aware
(several zones) and naive datetimes, text without lone surrogates, fields left at their
defaults.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from decimal import Decimal
from typing import Any

import msgspec
import msgspec.inspect as mi
from hypothesis import strategies as st

UTC = dt.UTC
ZONES = [
    UTC,
    dt.timezone(dt.timedelta(hours=2)),
    dt.timezone(dt.timedelta(hours=-5, minutes=-30)),
    zoneinfo.ZoneInfo("Europe/Paris"),
    zoneinfo.ZoneInfo("America/New_York"),
]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
#: Decimal exponents drawn stay well inside DynamoDB's range (boto3's decimal context, which
#: the tests also use, refuses some subnormal forms near 1E-130).
DECIMAL_EXPONENTS = st.integers(min_value=-60, max_value=60)


def decimals() -> st.SearchStrategy[Decimal]:
    """Finite Decimals of up to 38 significant digits, any exponent in the drawn range."""
    coefficient = st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1)
    return st.builds(lambda c, e: Decimal(c).scaleb(e), coefficient, DECIMAL_EXPONENTS)


def floats(t: mi.FloatType) -> st.SearchStrategy[float]:
    bounds = _bounds(t)
    strategy = st.floats(allow_nan=False, allow_infinity=False, **bounds)
    return strategy.filter(lambda x: x == 0.0 or 1e-130 <= abs(x) < 1e126)


def _bounds(t: mi.IntType | mi.FloatType) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if t.ge is not None:
        out["min_value"] = t.ge
    if t.gt is not None:
        out["min_value"] = t.gt
        if isinstance(t, mi.FloatType):
            out["exclude_min"] = True
    if t.le is not None:
        out["max_value"] = t.le
    if t.lt is not None:
        out["max_value"] = t.lt
        if isinstance(t, mi.FloatType):
            out["exclude_max"] = True
    if isinstance(t, mi.IntType):
        if t.gt is not None:
            out["min_value"] = t.gt + 1
        if t.lt is not None:
            out["max_value"] = t.lt - 1
    return out


def ints(t: mi.IntType) -> st.SearchStrategy[int]:
    bounds = {"min_value": -(10**38) + 1, "max_value": 10**38 - 1, **_bounds(t)}
    strategy = st.integers(**bounds) | st.integers(min_value=-5, max_value=300).filter(
        lambda i: bounds["min_value"] <= i <= bounds["max_value"]
    )
    if t.multiple_of is not None:
        step = t.multiple_of
        strategy = strategy.map(lambda i: i - i % step).filter(
            lambda i: bounds["min_value"] <= i <= bounds["max_value"]
        )
    return strategy


def texts(t: mi.StrType) -> st.SearchStrategy[str]:
    low, high = t.min_length or 0, t.max_length if t.max_length is not None else 30
    base = st.text(st.characters(exclude_categories=("Cs",)), min_size=low, max_size=high)
    if t.pattern is not None:
        pattern = re.compile(t.pattern)
        base = st.from_regex(pattern).filter(lambda s: low <= len(s) <= high)
    return base


def datetimes(t: mi.DateTimeType) -> st.SearchStrategy[dt.datetime]:
    low, high = dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1)
    aware = st.datetimes(low, high, timezones=st.sampled_from(ZONES)).filter(unambiguous)
    naive = st.datetimes(low, high)
    if t.tz is True:
        return aware
    if t.tz is False:
        return naive
    return aware | naive


def unambiguous(value: dt.datetime) -> bool:
    """False for a wall time a DST change makes ambiguous: PEP 495 makes such a datetime
    unequal to every datetime in another zone, so no storage form compares equal to it (the
    codec still stores the right instant)."""
    return value.utcoffset() == value.replace(fold=1 - value.fold).utcoffset()


def times(t: mi.TimeType) -> st.SearchStrategy[dt.time]:
    fixed = st.sampled_from([z for z in ZONES if isinstance(z, dt.timezone)])
    aware, naive = st.times(timezones=fixed), st.times()
    return aware if t.tz is True else naive if t.tz is False else aware | naive


def _sized(t: Any, items: st.SearchStrategy[Any], kind: Any) -> st.SearchStrategy[Any]:
    high = getattr(t, "max_length", None)
    return kind(items, min_size=getattr(t, "min_length", None) or 0, max_size=high or 4)


def of_type(t: mi.Type) -> st.SearchStrategy[Any]:
    """A strategy for values of the msgspec type ``t``."""
    while isinstance(t, mi.Metadata):
        t = t.type
    simple: dict[type, st.SearchStrategy[Any]] = {
        mi.BoolType: st.booleans(),
        mi.NoneType: st.none(),
        mi.DecimalType: decimals(),
        mi.DateType: st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
        mi.UUIDType: st.uuids(),
        mi.AnyType: st.recursive(
            st.none() | st.booleans() | st.integers(-(10**20), 10**20) | TEXT,
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
            max_leaves=5,
        ),
    }
    if type(t) in simple:
        return simple[type(t)]
    if isinstance(t, mi.StrType):
        return texts(t)
    if isinstance(t, mi.IntType):
        return ints(t)
    if isinstance(t, mi.FloatType):
        return floats(t)
    if isinstance(t, mi.DateTimeType):
        return datetimes(t)
    if isinstance(t, mi.TimeType):
        return times(t)
    if isinstance(t, mi.BytesType):
        return st.binary(min_size=t.min_length or 0, max_size=t.max_length or 20)
    if isinstance(t, mi.EnumType):
        return st.sampled_from(list(t.cls))
    if isinstance(t, mi.LiteralType):
        return st.sampled_from(t.values)
    if isinstance(t, mi.UnionType):
        return st.one_of([of_type(member) for member in t.types])
    if isinstance(t, mi.ListType):
        return _sized(t, of_type(t.item_type), st.lists)
    if isinstance(t, mi.VarTupleType):
        return _sized(t, of_type(t.item_type), st.lists).map(tuple)
    if isinstance(t, mi.TupleType):
        return st.tuples(*(of_type(x) for x in t.item_types))
    if isinstance(t, mi.SetType):
        return _sized(t, of_type(t.item_type), st.sets)
    if isinstance(t, mi.FrozenSetType):
        return _sized(t, of_type(t.item_type), st.frozensets)
    if isinstance(t, mi.DictType):
        high = t.max_length if t.max_length is not None else 4
        return st.dictionaries(
            of_type(t.key_type), of_type(t.value_type), min_size=t.min_length or 0, max_size=high
        )
    if isinstance(t, mi.StructType):
        return structs(t.cls)
    raise TypeError(f"no strategy for {t!r}")


@functools.cache
def structs(cls: type) -> st.SearchStrategy[Any]:
    """Instances of a Struct class; fields with defaults are sometimes left to them."""
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for f in info.fields:
        value = st.deferred(lambda f=f: of_type(f.type))
        if not f.required:
            value = st.one_of(st.just(msgspec.UNSET), value)
        fields[f.name] = value

    def build(values: dict[str, Any]) -> Any:
        return cls(**{k: v for k, v in values.items() if v is not msgspec.UNSET})

    return st.fixed_dictionaries(fields).map(build)
