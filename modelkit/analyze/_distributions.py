"""Key-value distributions a workload file names: which values of a key field requests hit.

The skew models are YCSB's (REFERENCE.md, "Skew models"): uniform, zipfian, hotspot, latest
and sequential, plus a constant, a weighted list of values, values sampled from a file and
``unique`` (every request a new value, as a put with a fresh id). These are plain
descriptions; :mod:`modelkit.analyze._spectrum` turns them into loads per value.
"""

from __future__ import annotations

import msgspec


class Uniform(
    msgspec.Struct, frozen=True, tag="uniform", tag_field="dist", forbid_unknown_fields=True
):
    """Each of ``n`` values equally likely."""

    n: float


class Zipf(msgspec.Struct, frozen=True, tag="zipf", tag_field="dist", forbid_unknown_fields=True):
    """The value of rank ``k`` (1-based) is requested in proportion to ``1 / k**s``."""

    n: float
    s: float = 0.99


class Hotspot(
    msgspec.Struct, frozen=True, tag="hotspot", tag_field="dist", forbid_unknown_fields=True
):
    """``hot_fraction`` of the ``n`` values take ``hot_share`` of the requests, evenly."""

    n: float
    hot_fraction: float = 0.2
    hot_share: float = 0.8


class Latest(
    msgspec.Struct, frozen=True, tag="latest", tag_field="dist", forbid_unknown_fields=True
):
    """Recent values are hot: Zipf over recency rank. The hot values move with time."""

    n: float
    s: float = 0.99


class Sequential(
    msgspec.Struct, frozen=True, tag="sequential", tag_field="dist", forbid_unknown_fields=True
):
    """Time-ordered: every request at a given moment hits the current value (a day, an hour,
    an increasing counter). ``n`` is how many values exist over the data's life."""

    n: float = 1.0


class Constant(
    msgspec.Struct, frozen=True, tag="constant", tag_field="dist", forbid_unknown_fields=True
):
    """One value takes every request."""

    value: str = ""


class Weighted(
    msgspec.Struct, frozen=True, tag="weighted", tag_field="dist", forbid_unknown_fields=True
):
    """Named values with relative weights (``{PLACED = 5, PAID = 3, SHIPPED = 2}``)."""

    values: dict[str, float]


class Sample(msgspec.Struct, frozen=True, tag="file", tag_field="dist", forbid_unknown_fields=True):
    """Values sampled from a file: one value per line, or ``value,weight`` lines. A relative
    ``path`` is read from the workload file's folder."""

    path: str


class Unique(
    msgspec.Struct, frozen=True, tag="unique", tag_field="dist", forbid_unknown_fields=True
):
    """Every request a value never seen before (a put with a fresh id)."""


Distribution = (
    Uniform | Zipf | Hotspot | Latest | Sequential | Constant | Weighted | Sample | Unique
)

TIME_ORDERED = (Latest, Sequential)
"""Distributions whose hot values move with time: split for heat cannot follow them."""


def describe(dist: Distribution) -> str:
    """The shorthand a workload file may use for ``dist``: ``zipf(1000000, 0.99)``."""
    match dist:
        case Uniform(n=n):
            return f"uniform({_num(n)})"
        case Zipf(n=n, s=s):
            return f"zipf({_num(n)}, {_num(s)})"
        case Hotspot(n=n, hot_fraction=f, hot_share=h):
            return f"hotspot({_num(n)}, {_num(f)}, {_num(h)})"
        case Latest(n=n, s=s):
            return f"latest({_num(n)}, {_num(s)})"
        case Sequential(n=n):
            return "sequential" if n == 1 else f"sequential({_num(n)})"
        case Constant(value=value):
            return f"constant({value})" if value else "constant"
        case Weighted(values=values):
            return "weighted(" + ", ".join(f"{k}={_num(w)}" for k, w in values.items()) + ")"
        case Sample(path=path):
            return f"file({path})"
        case Unique():
            return "unique"
    raise TypeError(f"not a distribution: {dist!r}")


def _num(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x)}"
    return f"{x:g}"
