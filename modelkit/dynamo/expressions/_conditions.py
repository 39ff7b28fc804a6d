"""Conditions (ConditionExpression, FilterExpression, KeyConditionExpression) as a small tree.

Comparisons on paths build the leaves; ``&``, ``|`` and ``~`` build AND, OR and NOT. A
condition has no truth value: Python's ``and``/``or``/``not`` and chained comparisons
(``a < b < c``) raise, since they would silently drop half of the condition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from modelkit.dynamo.expressions._operands import PLAIN, Operand, Renderer, Value
from modelkit.errors import ValidationError

if TYPE_CHECKING:
    from modelkit.dynamo.expressions._path import Path

Comparator = Literal["=", "<>", "<", "<=", ">", ">="]
FunctionName = Literal[
    "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"
]
AttributeType = Literal["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"]
ATTRIBUTE_TYPES: tuple[AttributeType, ...] = (
    "S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M",
)  # fmt: skip
MAX_IN_VALUES = 100
"""DynamoDB's limit on the list of an IN."""

_NO_BOOL = (
    "a Condition has no truth value: combine conditions with & (and), | (or) and ~ (not), "
    "with each comparison in parentheses: (a == 1) & (b > 2); "
    "Python's and/or/not and chained comparisons (a < b < c) would drop part of it"
)
_PARENS = (
    "put each comparison in parentheses before combining: (f.a == 1) & (f.b == 2); "
    "& and | bind tighter than == in Python"
)


class Condition:
    """A boolean expression DynamoDB evaluates on an item."""

    __slots__ = ()

    def render(self, r: Renderer) -> str:
        raise NotImplementedError

    def __and__(self, other: Condition) -> Condition:
        return And.of(self, _condition(other, "&"))

    def __or__(self, other: Condition) -> Condition:
        return Or.of(self, _condition(other, "|"))

    def __invert__(self) -> Condition:
        return Not(self)

    def __bool__(self) -> NoReturn:
        raise TypeError(_NO_BOOL)

    def __repr__(self) -> str:
        return f"<Condition {self.render(PLAIN)}>"


def _condition(other: object, op: str) -> Condition:
    if isinstance(other, Condition):
        return other
    hint = _PARENS if isinstance(other, Operand) else "both sides must be conditions"
    raise TypeError(f"cannot combine a Condition {op} {type(other).__name__}: {hint}")


class And(Condition):
    __slots__ = ("conditions",)

    def __init__(self, conditions: tuple[Condition, ...]) -> None:
        self.conditions = conditions

    @classmethod
    def of(cls, *conditions: Condition) -> And:
        flat: list[Condition] = []
        for c in conditions:
            flat.extend(c.conditions if isinstance(c, And) else (c,))
        return cls(tuple(flat))

    def render(self, r: Renderer) -> str:
        return " AND ".join(_wrap(c, r, Or) for c in self.conditions)


class Or(Condition):
    __slots__ = ("conditions",)

    def __init__(self, conditions: tuple[Condition, ...]) -> None:
        self.conditions = conditions

    @classmethod
    def of(cls, *conditions: Condition) -> Or:
        flat: list[Condition] = []
        for c in conditions:
            flat.extend(c.conditions if isinstance(c, Or) else (c,))
        return cls(tuple(flat))

    def render(self, r: Renderer) -> str:
        return " OR ".join(_wrap(c, r, And) for c in self.conditions)


class Not(Condition):
    __slots__ = ("condition",)

    def __init__(self, condition: Condition) -> None:
        self.condition = condition

    def __invert__(self) -> Condition:
        return self.condition

    def render(self, r: Renderer) -> str:
        return "NOT " + _wrap(self.condition, r, And, Or)


def _wrap(c: Condition, r: Renderer, *compound: type[Condition]) -> str:
    """Parentheses around an AND inside an OR (and the reverse) and any compound under NOT:
    not needed by DynamoDB's precedence (NOT > AND > OR) but kept for the reader."""
    text = c.render(r)
    return f"({text})" if isinstance(c, compound) else text


def all_of(*conditions: Condition) -> Condition:
    """Every condition holds (one AND); at least one condition is needed."""
    if not conditions:
        raise ValueError("all_of needs at least one condition")
    return conditions[0] if len(conditions) == 1 else And.of(*conditions)


def any_of(*conditions: Condition) -> Condition:
    """At least one condition holds (one OR); at least one condition is needed."""
    if not conditions:
        raise ValueError("any_of needs at least one condition")
    return conditions[0] if len(conditions) == 1 else Or.of(*conditions)


class Comparison(Condition):
    """``left op right`` for ``=``, ``<>``, ``<``, ``<=``, ``>``, ``>=``."""

    __slots__ = ("left", "op", "right")

    def __init__(self, op: Comparator, left: Operand, right: Operand) -> None:
        _check_distinct(op, left, right)
        self.op = op
        self.left = left
        self.right = right

    def render(self, r: Renderer) -> str:
        return f"{self.left.render(r)} {self.op} {self.right.render(r)}"


class Between(Condition):
    """``operand BETWEEN low AND high`` (both bounds included)."""

    __slots__ = ("high", "low", "operand")

    def __init__(self, operand: Operand, low: Operand, high: Operand) -> None:
        if isinstance(low, Value) and isinstance(high, Value):
            _check_bounds(low.value, high.value)
        self.operand = operand
        self.low = low
        self.high = high

    def render(self, r: Renderer) -> str:
        parts = (self.operand.render(r), self.low.render(r), self.high.render(r))
        return "{} BETWEEN {} AND {}".format(*parts)


def _check_bounds(low: Any, high: Any) -> None:
    kinds = _kind(low), _kind(high)
    if None in kinds:
        return  # left to the encoder (datetimes, enums, ...)
    if kinds[0] != kinds[1]:
        raise ValidationError(
            f"BETWEEN {low!r} AND {high!r}: DynamoDB needs bounds of one type ({kinds[0]} and "
            f"{kinds[1]} here)"
        )
    if kinds[0] in ("N", "S", "B") and low > high:
        raise ValidationError(
            f"BETWEEN {low!r} AND {high!r}: DynamoDB needs the lower bound first; swap them"
        )


def _kind(value: Any) -> str | None:
    """The AttributeValue type of a plain value, None when only the encoder knows."""
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int | float | Decimal):
        return "N"
    if isinstance(value, str):
        return "S"
    if isinstance(value, bytes):
        return "B"
    return "NULL" if value is None else None


def _check_distinct(op: str, first: Operand, other: Operand | None) -> None:
    """DynamoDB refuses ``a < a``, ``begins_with(a, a)``, ...: the result is known already."""
    one, two = getattr(first, "segments", None), getattr(other, "segments", ())
    if one == two:
        name = PLAIN.path(one)
        raise ValidationError(
            f"{op} compares {name} with itself; DynamoDB refuses an operator or function whose "
            "operands are the same path"
        )


class In(Condition):
    """``operand IN (a, b, ...)``: up to 100 choices."""

    __slots__ = ("choices", "operand")

    def __init__(self, operand: Operand, choices: tuple[Operand, ...]) -> None:
        if not 0 < len(choices) <= MAX_IN_VALUES:
            raise ValidationError(
                f"IN takes 1 to {MAX_IN_VALUES} values, not {len(choices)}; "
                "split a longer list with | (or)"
            )
        self.operand = operand
        self.choices = choices

    def render(self, r: Renderer) -> str:
        return f"{self.operand.render(r)} IN ({', '.join(c.render(r) for c in self.choices)})"


class Function(Condition):
    """``attribute_exists(p)``, ``attribute_not_exists(p)``, ``attribute_type(p, t)``,
    ``begins_with(p, s)`` and ``contains(p, v)``."""

    __slots__ = ("argument", "name", "path")

    def __init__(self, name: FunctionName, path: Path, argument: Operand | None = None) -> None:
        _check_distinct(name, path, argument)
        self.name = name
        self.path = path
        self.argument = argument

    def render(self, r: Renderer) -> str:
        args = self.path.render(r)
        if self.argument is not None:
            args += ", " + self.argument.render(r)
        return f"{self.name}({args})"


class Comparable(Operand):
    """An operand that compares: a path or ``size(path)``.

    ``==`` and the other comparison operators build conditions, so these objects are not
    hashable and cannot be tested for equality the usual way.
    """

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> Comparison:  # type: ignore[override]
        return Comparison("=", self, operand(other))

    def __ne__(self, other: object) -> Comparison:  # type: ignore[override]
        return Comparison("<>", self, operand(other))

    def __lt__(self, other: object) -> Comparison:
        return Comparison("<", self, operand(other))

    def __le__(self, other: object) -> Comparison:
        return Comparison("<=", self, operand(other))

    def __gt__(self, other: object) -> Comparison:
        return Comparison(">", self, operand(other))

    def __ge__(self, other: object) -> Comparison:
        return Comparison(">=", self, operand(other))

    def between(self, low: Any, high: Any) -> Between:
        """``low <= self <= high``; DynamoDB refuses ``low > high``."""
        return Between(self, operand(low), operand(high))

    def is_in(self, values: Iterable[Any]) -> In:
        """Equal to one of ``values`` (1 to 100 values or paths)."""
        if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
            raise TypeError(f"is_in takes a list of values, not {type(values).__name__}")
        return In(self, tuple(operand(v) for v in values))

    def __and__(self, other: object) -> NoReturn:
        raise TypeError(_PARENS)

    __rand__ = __or__ = __ror__ = __and__

    def __invert__(self) -> NoReturn:
        raise TypeError(f"~ negates a condition, not a {type(self).__name__}: {_PARENS}")


class Size(Comparable):
    """``size(path)``: the length of a string, binary, set, list or map."""

    __slots__ = ("path",)

    def __init__(self, path: Path) -> None:
        self.path = path

    def render(self, r: Renderer) -> str:
        return f"size({self.path.render(r)})"


def operand(value: object) -> Operand:
    """A path or size as is, a Python value as a :class:`Value`."""
    if isinstance(value, Comparable | Value):
        return value
    if isinstance(value, Condition):
        raise TypeError(f"a Condition is not a value: {_PARENS}")
    if isinstance(value, Operand):
        raise TypeError(f"{value!r} can only be the value of set(), not part of a condition")
    return Value(value)
