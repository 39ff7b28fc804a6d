"""Sort-key conditions for partial keys: prefixes and ranges that stay inside their prefix.

A range on a field that follows fixed text (``ORDER#{placed_at}``) is turned into a
``BETWEEN`` whose bounds both start with ``ORDER#``, so a query never strays into another
entity's items in the same partition. Every bound relies on two facts of the encoding:
encoded values never hold ``#``, and ``value + "$"`` sorts above every key whose field equals
``value`` and below every key whose field is greater.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import msgspec

from modelkit.errors import KeyValueError
from modelkit.keys._codecs import AFTER_DELIMITER, KeyCodecError
from modelkit.keys._template import KeyFormat

#: What a pattern asks of the sort key.
SortOp = Literal["eq", "prefix", "between", "gt", "ge", "lt", "le"]
SORT_OPS: tuple[SortOp, ...] = ("eq", "prefix", "between", "gt", "ge", "lt", "le")

#: What DynamoDB is sent.
DynamoOp = Literal["eq", "begins_with", "between", "gt", "ge", "lt", "le"]


class KeyCondition(msgspec.Struct, frozen=True):
    """A DynamoDB sort-key condition.

    ``drop`` is set only for a strict ``lt`` on the last segment inside a prefix, which
    ``BETWEEN`` cannot express: the one key equal to ``drop`` must be left out of the results.
    """

    op: DynamoOp
    values: tuple[str, ...]
    drop: str | None = None

    def admits(self, key: str) -> bool:
        """True if DynamoDB would return ``key`` for this condition (and it is not dropped)."""
        if key == self.drop:
            return False
        v = self.values
        if self.op == "eq":
            return key == v[0]
        if self.op == "begins_with":
            return key.startswith(v[0])
        b = key.encode("utf-8")
        e = [x.encode("utf-8") for x in v]
        if self.op == "between":
            return e[0] <= b <= e[1]
        return {"gt": b > e[0], "ge": b >= e[0], "lt": b < e[0], "le": b <= e[0]}[self.op]


def sort_condition(
    fmt: KeyFormat,
    given: Mapping[str, Any],
    op: SortOp = "prefix",
    value: Any = None,
    upper: Any = None,
) -> KeyCondition | None:
    """The condition for sort-key template ``fmt``.

    ``given`` holds the leading fields the caller fixes. ``eq`` needs them all; ``prefix``
    matches every key that starts with them (``None`` when nothing is fixed and the template
    starts with a field: the whole partition); the range operators apply ``value`` (and
    ``upper`` for ``between``) to the field right after the given ones.
    """
    prefix, count = fmt.leading(given)
    stray = [f for f in given if f not in fmt.fields[:count]]
    if stray:
        raise KeyValueError(
            f"{', '.join(stray)} cannot be fixed in {fmt.template.text!r} unless every field "
            "before it is fixed too",
            entity=fmt.owner,
        )
    complete = count == len(fmt.fields)
    if op in ("eq", "prefix"):
        if complete:
            return KeyCondition("eq", (prefix,))
        if op == "eq":
            missing = ", ".join(fmt.fields[count:])
            raise KeyValueError(f"an exact sort key needs {missing}", entity=fmt.owner)
        return KeyCondition("begins_with", (prefix,)) if prefix else None
    if complete:
        raise KeyValueError(
            f"{op} needs a field after the fixed ones in {fmt.template.text!r}",
            entity=fmt.owner,
        )
    field = fmt.fields[count]
    low = prefix + _encode(fmt, field, value)
    final = fmt.template.segments[-1].field == field
    if op == "between":
        high = prefix + _encode(fmt, field, upper)
        if high.encode() < low.encode():
            raise KeyValueError(
                f"between needs value <= upper, but {value!r} sorts after {upper!r}; swap them",
                entity=fmt.owner,
                field=field,
            )
        return KeyCondition("between", (low, high + AFTER_DELIMITER))
    if not prefix:
        single: dict[str, tuple[DynamoOp, str]] = {
            "gt": ("gt", low + AFTER_DELIMITER),
            "ge": ("ge", low),
            "lt": ("lt", low),
            "le": ("lt", low + AFTER_DELIMITER),
        }
        dynamo_op, bound = single[op]
        return KeyCondition(dynamo_op, (bound,))
    top = fmt.upper_of_prefix(prefix)
    if op == "gt":
        return KeyCondition("between", (low + AFTER_DELIMITER, top))
    if op == "ge":
        return KeyCondition("between", (low, top))
    if op == "le":
        return KeyCondition("between", (prefix, low + AFTER_DELIMITER))
    return KeyCondition("between", (prefix, low), drop=low if final else None)


def _encode(fmt: KeyFormat, field: str, value: Any) -> str:
    if value is None:
        raise KeyValueError("a range condition needs a value", entity=fmt.owner, field=field)
    try:
        return fmt.codecs[field].encode(value)
    except KeyCodecError as exc:
        raise KeyValueError(str(exc), entity=fmt.owner, field=field) from None
