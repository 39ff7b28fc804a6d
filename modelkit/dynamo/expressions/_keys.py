"""Key conditions for Query: the partition key's equality and at most one sort-key condition."""

from __future__ import annotations

from typing import Any

from modelkit.dynamo.expressions._conditions import (
    And,
    Between,
    Comparison,
    Condition,
    Function,
)
from modelkit.dynamo.expressions._operands import PLAIN, Operand, Value
from modelkit.dynamo.expressions._path import Path
from modelkit.errors import ValidationError
from modelkit.keys import KeyCondition

_SORT_OPS = ("=", "<", "<=", ">", ">=")


def key_condition(
    pk: str, value: Any, sk: str | None = None, sort: KeyCondition | None = None
) -> Condition:
    """``pk = value``, AND the sort-key condition ``sort`` on attribute ``sk`` if given.

    ``sort.drop`` cannot be sent (DynamoDB filters may not test key attributes): the caller
    leaves out the item whose sort key equals it (``KeyCondition.admits`` does).
    """
    partition: Condition = Path(pk) == value
    if sort is None:
        return partition
    if sk is None:
        raise ValueError("a sort-key condition needs the sort-key attribute name (sk=...)")
    s, v = Path(sk), sort.values
    sort_key: Condition
    if sort.op == "eq":
        sort_key = s == v[0]
    elif sort.op == "begins_with":
        sort_key = s.begins_with(v[0])
    elif sort.op == "between":
        sort_key = s.between(v[0], v[1])
    elif sort.op == "lt":
        sort_key = s < v[0]
    elif sort.op == "le":
        sort_key = s <= v[0]
    elif sort.op == "gt":
        sort_key = s > v[0]
    elif sort.op == "ge":
        sort_key = s >= v[0]
    else:  # pragma: no cover - KeyCondition's op is a closed Literal
        raise ValueError(f"unknown sort-key operator {sort.op!r}")
    combined: Condition = partition & sort_key
    return combined


def check_key_condition(condition: Condition) -> None:
    """Refuse what DynamoDB refuses in a KeyConditionExpression, with what to write instead."""
    parts = condition.conditions if isinstance(condition, And) else (condition,)
    if not 1 <= len(parts) <= 2 or not any(
        isinstance(p, Comparison) and p.op == "=" for p in parts
    ):
        raise ValidationError(
            "a key condition is `pk == value`, optionally & one sort-key condition; "
            f"got {condition.render(PLAIN)}"
        )
    names = []
    for part in parts:
        shape = _shape(part)
        if shape is None:
            raise ValidationError(
                f"{part.render(PLAIN)} cannot be part of a key condition: use ==, <, <=, >, >=, "
                "between or begins_with on a key attribute with values (filters go elsewhere)"
            )
        names.append(shape)
    if len(set(names)) != len(names):
        raise ValidationError(f"a key condition tests {names[0]} twice; use between()")


def _shape(c: Condition) -> str | None:
    """The attribute a key-condition part tests, or None if it cannot be one."""
    target: Operand
    args: tuple[Operand | None, ...]
    if isinstance(c, Comparison) and c.op in _SORT_OPS:
        target, args = c.left, (c.right,)
    elif isinstance(c, Between):
        target, args = c.operand, (c.low, c.high)
    elif isinstance(c, Function) and c.name == "begins_with":
        target, args = c.path, (c.argument,)
    else:
        return None
    if not isinstance(target, Path) or len(target.segments) != 1:
        return None
    return str(target.segments[0]) if all(isinstance(a, Value) for a in args) else None
