"""Update actions (SET, REMOVE, ADD, DELETE) and the operands only SET accepts.

``render_update`` groups actions by clause, in DynamoDB's order, and refuses two actions on
one path or on a path and a path inside it, which DynamoDB rejects as overlapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from modelkit.dynamo.expressions._conditions import Comparable, Condition, Size
from modelkit.dynamo.expressions._operands import PLAIN, Operand, Renderer, Value, dotted
from modelkit.errors import ValidationError

if TYPE_CHECKING:
    from modelkit.dynamo.expressions._path import Path

Clause = Literal["SET", "REMOVE", "ADD", "DELETE"]
CLAUSES: tuple[Clause, ...] = ("SET", "REMOVE", "ADD", "DELETE")


class IfNotExists(Operand):
    """``if_not_exists(path, default)``: the attribute, or ``default`` when it is missing."""

    __slots__ = ("default", "path")

    def __init__(self, path: Path, default: Operand) -> None:
        self.path = path
        self.default = default

    def render(self, r: Renderer) -> str:
        return f"if_not_exists({self.path.render(r)}, {self.default.render(r)})"

    def __add__(self, other: object) -> Arithmetic:
        return Arithmetic("+", self, set_operand(other))

    def __radd__(self, other: object) -> Arithmetic:
        return Arithmetic("+", set_operand(other), self)

    def __sub__(self, other: object) -> Arithmetic:
        return Arithmetic("-", self, set_operand(other))

    def __rsub__(self, other: object) -> Arithmetic:
        return Arithmetic("-", set_operand(other), self)


class ListAppend(Operand):
    """``list_append(first, second)``: two lists joined."""

    __slots__ = ("first", "second")

    def __init__(self, first: Operand, second: Operand) -> None:
        self.first = first
        self.second = second

    def render(self, r: Renderer) -> str:
        return f"list_append({self.first.render(r)}, {self.second.render(r)})"


class Arithmetic(Operand):
    """``left + right`` or ``left - right``: one operator per SET, as DynamoDB allows."""

    __slots__ = ("left", "op", "right")

    def __init__(self, op: Literal["+", "-"], left: Operand, right: Operand) -> None:
        self.op = op
        self.left = left
        self.right = right

    def render(self, r: Renderer) -> str:
        return f"{self.left.render(r)} {self.op} {self.right.render(r)}"

    def __add__(self, other: object) -> NoReturn:
        raise TypeError(
            f"cannot add to or subtract from ({self.render(PLAIN)}): DynamoDB allows one + or - "
            "in a SET value; add the numbers in Python first"
        )

    __radd__ = __sub__ = __rsub__ = __add__


def if_not_exists(path: Path, default: Any) -> IfNotExists:
    """``if_not_exists(path, default)`` for ``set()``: ``f.n.set(if_not_exists(f.n, 0) + 1)``."""
    return IfNotExists(path, set_operand(default))


def list_append(first: Any, second: Any) -> ListAppend:
    """``list_append(first, second)`` for ``set()``; either side a path, a list or
    ``if_not_exists(...)``."""
    return ListAppend(set_operand(first), set_operand(second))


def set_operand(value: object) -> Operand:
    """A path, ``if_not_exists`` or ``list_append`` as is; a Python value as a Value."""
    if isinstance(value, Size):
        raise TypeError("size() is only for conditions; DynamoDB has no size() in SET")
    if isinstance(value, Condition):
        raise TypeError(f"a Condition is not a value: {value!r}")
    if isinstance(value, Comparable | Value | IfNotExists | ListAppend):
        return value
    if isinstance(value, Arithmetic):
        raise TypeError("DynamoDB allows one + or - in a SET value; add the numbers first")
    return Value(value)


class Action:
    """One update action on one path."""

    __slots__ = ("path",)
    clause: Clause

    def __init__(self, path: Path) -> None:
        self.path = path

    def render(self, r: Renderer) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.clause} {self.render(PLAIN)}>"


class Set(Action):
    """``SET path = value``; the value may be a path, ``path + 1``, ``if_not_exists`` or
    ``list_append``."""

    __slots__ = ("value",)
    clause = "SET"

    def __init__(self, path: Path, value: object) -> None:
        super().__init__(path)
        self.value = value if isinstance(value, Arithmetic) else set_operand(value)

    def render(self, r: Renderer) -> str:
        return f"{self.path.render(r)} = {self.value.render(r)}"


class Remove(Action):
    """``REMOVE path``: the attribute (or list element, or map entry) goes away."""

    __slots__ = ()
    clause = "REMOVE"

    def render(self, r: Renderer) -> str:
        return self.path.render(r)


class Add(Action):
    """``ADD path value``: adds to a number (0 if missing) or a set (created if missing)."""

    __slots__ = ("value",)
    clause = "ADD"

    def __init__(self, path: Path, value: Any) -> None:
        super().__init__(path)
        if not _is_number(value) and not isinstance(value, set | frozenset):
            raise TypeError(f"add() takes a number or a set, not {type(value).__name__}")
        _check_set(value, "add")
        self.value = Value(value)

    def render(self, r: Renderer) -> str:
        return f"{self.path.render(r)} {self.value.render(r)}"


class Delete(Action):
    """``DELETE path set``: removes these elements from a set."""

    __slots__ = ("value",)
    clause = "DELETE"

    def __init__(self, path: Path, value: Any) -> None:
        super().__init__(path)
        if not isinstance(value, set | frozenset):
            raise TypeError(f"delete() takes a set, not {type(value).__name__}")
        _check_set(value, "delete")
        self.value = Value(value)

    def render(self, r: Renderer) -> str:
        return f"{self.path.render(r)} {self.value.render(r)}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _check_set(value: object, name: str) -> None:
    if isinstance(value, set | frozenset) and not value:
        raise ValidationError(f"{name}() with an empty set: DynamoDB has no empty sets")


def check_actions(actions: Sequence[Action]) -> None:
    """Refuse two actions on one path, or on a path and a path inside it."""
    for i, a in enumerate(actions):
        for b in actions[:i]:
            shorter = min(len(a.path.segments), len(b.path.segments))
            if a.path.segments[:shorter] == b.path.segments[:shorter]:
                raise ValidationError(
                    f"update actions overlap: {b.clause} {dotted(b.path.segments)} and "
                    f"{a.clause} {dotted(a.path.segments)}; DynamoDB refuses two actions on one "
                    "path or on a path and a path inside it: merge them into one action"
                )


def render_update(actions: Sequence[Action], r: Renderer) -> str:
    """``SET a = :v0, b = b + :v1 REMOVE c ADD d :v2 DELETE e :v3``."""
    if not actions:
        raise ValidationError("an update needs at least one action")
    check_actions(actions)
    clauses = []
    for clause in CLAUSES:
        parts = [a.render(r) for a in actions if a.clause == clause]
        if parts:
            clauses.append(f"{clause} {', '.join(parts)}")
    return " ".join(clauses)
