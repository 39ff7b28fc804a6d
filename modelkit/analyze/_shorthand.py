"""The one-line form of a distribution a workload file may use: ``zipf(1e6, 0.99)``.

``parse_distribution`` reads the shorthand :func:`modelkit.analyze._distributions.describe`
writes, and ``distribution_problem`` says what is impossible about a distribution's
parameters (the loader asks it for the table form too).
"""

from __future__ import annotations

import math
import re
from typing import Any

import msgspec

from modelkit.analyze._distributions import (
    Distribution,
    Hotspot,
    Latest,
    Sample,
    Sequential,
    Uniform,
    Weighted,
    Zipf,
)

FORMS = (
    "uniform(N), zipf(N) or zipf(N, S), hotspot(N) or hotspot(N, HOT_FRACTION, HOT_SHARE), "
    "latest(N) or latest(N, S), sequential or sequential(N), constant or constant(VALUE), "
    "unique, file(PATH), weighted(A=5, B=3, ...); N is a count such as 1e6, 1_000_000 "
    "or 1000000"
)
"""Every form the shorthand accepts, for error messages."""

#: Numeric parameters of each distribution, in the order positional arguments fill them.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "uniform": ("n",),
    "zipf": ("n", "s"),
    "hotspot": ("n", "hot_fraction", "hot_share"),
    "latest": ("n", "s"),
    "sequential": ("n",),
}
_REQUIRED = {"uniform", "zipf", "hotspot", "latest"}
_TEXT = {"constant": "value", "file": "path"}
NAMES = (*PARAMETERS, "constant", "unique", "weighted", "file")
"""The distribution names, as the shorthand and the table form's ``dist`` write them."""

_CALL = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*", re.DOTALL)
_NUMBER = re.compile(r"[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d+)?")


class ShorthandError(ValueError):
    """A shorthand string that is not a distribution; the message lists the accepted forms."""


def parse_distribution(text: str) -> Distribution:
    """The distribution ``text`` names: ``zipf(1e6)``, ``weighted(PLACED=5, PAID=3)``, ...

    Raises :class:`ShorthandError` on a form it cannot read or impossible parameters
    (``zipf(0)``, ``hotspot(1e6, 1.5)``).
    """
    fields = shorthand_fields(text)
    dist: Distribution = msgspec.convert(fields, Distribution)
    problem = distribution_problem(dist)
    if problem:
        raise ShorthandError(f"{text.strip()!r}: {problem}")
    return dist


def shorthand_fields(text: str) -> dict[str, Any]:
    """The table form of a shorthand (``{"dist": "zipf", "n": 1e6}``), parameters unchecked."""
    match = _CALL.fullmatch(text)
    if match is None:
        raise _error(text, "not a distribution")
    name, inner = match.group(1).lower(), match.group(2)
    if name not in NAMES:
        close = _close(name, NAMES)
        raise _error(text, f"unknown distribution {name!r}{close}")
    inner = "" if inner is None else inner.strip()
    if name in _REQUIRED and not inner:
        raise _error(text, f"{name} needs at least N, the number of values: {name}(1e6)")
    if name in _TEXT:
        return {"dist": name, _TEXT[name]: _unquote(inner)} if inner else _bare(text, name)
    if name == "unique":
        if inner:
            raise _error(text, "unique takes no arguments")
        return {"dist": "unique"}
    if name == "weighted":
        return {"dist": "weighted", "values": _weights(text, inner)}
    return {"dist": name, **_numbers(text, name, inner)}


def distribution_problem(dist: Distribution) -> str:
    """What makes ``dist`` impossible (``""`` when nothing does). A ``file`` is not looked for
    here: its folder is the workload file's."""
    match dist:
        case Uniform(n=n) | Zipf(n=n) | Hotspot(n=n) | Latest(n=n) | Sequential(n=n) if not (
            math.isfinite(n) and n >= 1
        ):
            return f"n (the number of values) must be at least 1, got {_show(n)}"
        case Zipf(s=s) | Latest(s=s) if not (math.isfinite(s) and s > 0):
            return f"the exponent s must be greater than 0 (0.99 is usual), got {_show(s)}"
        case Hotspot(hot_fraction=f) if not 0 < f < 1:
            return f"hot_fraction (the share of values that are hot) must be in (0, 1), got {f:g}"
        case Hotspot(hot_share=h) if not 0 < h <= 1:
            return f"hot_share (the share of requests they take) must be in (0, 1], got {h:g}"
        case Weighted(values=values):
            if not values:
                return "weighted needs at least one value with its weight"
            bad = [(k, w) for k, w in values.items() if not (math.isfinite(w) and w >= 0)]
            if bad:
                return f"weights must be 0 or more; {bad[0][0]!r} has {_show(bad[0][1])}"
            if not any(values.values()):
                return "the weights are all zero; give at least one value a positive weight"
        case Sample(path=path) if not path.strip():
            return "file needs a path: file(ids.txt)"
    return ""


def _bare(text: str, name: str) -> dict[str, Any]:
    if name == "file":
        raise _error(text, "file needs a path: file(ids.txt)")
    return {"dist": name}


def _numbers(text: str, name: str, inner: str) -> dict[str, float]:
    names = PARAMETERS[name]
    result: dict[str, float] = {}
    args = [a.strip() for a in inner.split(",")] if inner else []
    named = False
    for i, arg in enumerate(args):
        key, eq, value = arg.partition("=")
        if eq:
            named, key = True, key.strip()
            if key not in names:
                raise _error(text, f"{name} has no parameter {key!r} (it takes {', '.join(names)})")
        elif named:
            raise _error(text, "a positional argument cannot follow a named one")
        elif i >= len(names):
            raise _error(text, f"{name} takes at most {len(names)} argument(s): {', '.join(names)}")
        else:
            key, value = names[i], arg
        if key in result:
            raise _error(text, f"{key} is given twice")
        result[key] = _number(text, value.strip())
    if name in _REQUIRED and "n" not in result:
        raise _error(text, f"{name} needs n, the number of values")
    return result


def _weights(text: str, inner: str) -> dict[str, float]:
    if not inner:
        raise _error(text, "weighted needs values with weights: weighted(PLACED=5, PAID=3)")
    weights: dict[str, float] = {}
    for arg in inner.split(","):
        value, eq, weight = arg.rpartition("=")
        value = _unquote(value.strip())
        if not eq or not value:
            raise _error(text, f"{arg.strip()!r} is not VALUE=WEIGHT, as in weighted(PAID=3)")
        if value in weights:
            raise _error(text, f"{value!r} is given twice")
        weights[value] = _number(text, weight.strip())
    return weights


def _number(text: str, value: str) -> float:
    if not _NUMBER.fullmatch(value):
        raise _error(text, f"{value!r} is not a number (write 1e6, 1_000_000 or 1000000)")
    return float(value.replace("_", ""))


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _close(name: str, names: tuple[str, ...]) -> str:
    import difflib

    found = difflib.get_close_matches(name, names, n=1)
    return f" (did you mean {found[0]!r}?)" if found else ""


def _show(x: float) -> str:
    return f"{x:g}"


def _error(text: str, reason: str) -> ShorthandError:
    return ShorthandError(
        f"cannot read {text.strip()!r} as a distribution: {reason}; accepted forms: {FORMS}"
    )
