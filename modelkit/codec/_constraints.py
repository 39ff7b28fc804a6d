"""msgspec ``Meta`` constraints (bounds, lengths, patterns, tz) as checks on values to write.

Each constraint is a Python expression in ``v`` plus the message for a value that fails it.
The generated fast path inlines the expressions; the checking path compiles them into one
function that raises :class:`Refused`. Values read back are trusted: the codec wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import msgspec.inspect as mi

from modelkit.codec._refusal import Refused

Check = tuple[str, str]
"""An expression in ``v`` that is true for a good value, and what it requires."""


class Constraints:
    """The checks of one type, with the names their expressions use."""

    def __init__(self, checks: list[Check], names: dict[str, Any]) -> None:
        self.checks = checks
        self.names = names
        self.check: Callable[[Any], None] = _compile(checks, names)

    def expression(self, var: str, rename: Callable[[str], str]) -> str:
        """The conjunction of the checks on ``var``, the names mapped by ``rename``."""
        parts = []
        for expr, _ in self.checks:
            for name in self.names:
                expr = expr.replace(name, rename(name))
            parts.append(f"({_subst(expr, var)})")
        return " and ".join(parts)


def _subst(expr: str, var: str) -> str:
    return re.sub(r"\bv\b", var, expr)


def _compile(checks: list[Check], names: dict[str, Any]) -> Callable[[Any], None]:
    if not checks:
        return _no_check
    lines = ["def check(v):"]
    for index, (expr, _) in enumerate(checks):
        lines.append(f"    if not ({expr}): raise _Refused(_msg{index} + repr(v))")
    namespace: dict[str, Any] = {"_Refused": Refused, **names}
    namespace.update({f"_msg{i}": f"{msg}, got " for i, (_, msg) in enumerate(checks)})
    exec("\n".join(lines), namespace)
    check: Callable[[Any], None] = namespace["check"]
    return check


def _no_check(value: Any) -> None:
    return None


NONE = Constraints([], {})


_SIZED = (
    mi.StrType,
    mi.BytesType,
    mi.ByteArrayType,
    mi.MemoryViewType,
    mi.ListType,
    mi.VarTupleType,
    mi.SetType,
    mi.FrozenSetType,
    mi.DictType,
)


def constraints(t: mi.Type) -> Constraints:
    """The constraints msgspec declares on ``t`` (``Annotated[..., Meta(...)]``)."""
    checks: list[Check] = []
    names: dict[str, Any] = {}
    if isinstance(t, mi.IntType | mi.FloatType):
        for attr, op in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            bound = getattr(t, attr)
            if bound is not None:
                checks.append((f"v {op} {bound!r}", f"must be {op} {bound!r}"))
        if t.multiple_of is not None:
            checks.append((f"v % {t.multiple_of!r} == 0", f"must be a multiple of {t.multiple_of}"))
    if isinstance(t, _SIZED):
        if t.min_length is not None:
            checks.append((f"len(v) >= {t.min_length}", f"length must be >= {t.min_length}"))
        if t.max_length is not None:
            checks.append((f"len(v) <= {t.max_length}", f"length must be <= {t.max_length}"))
    if isinstance(t, mi.StrType) and t.pattern is not None:
        names["_re_pattern"] = re.compile(t.pattern)
        checks.append(("_re_pattern.search(v) is not None", f"must match {t.pattern!r}"))
    if isinstance(t, mi.DateTimeType | mi.TimeType) and t.tz is not None:
        if t.tz:
            checks.append(("v.utcoffset() is not None", "must be timezone-aware"))
        else:
            checks.append(("v.tzinfo is None", "must be naive (no tzinfo)"))
    if not checks:
        return NONE
    return Constraints(checks, names)
