"""Attribute paths: the operand conditions test and update actions change.

``Path("PK")`` names an attribute as is (dots and brackets are part of the name, never parsed).
``path["k"]`` steps into a map and ``path[0]`` into a list. Paths from :func:`fields` carry
the declared type, so ``f.address.city`` is checked against the Struct's fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NoReturn

from modelkit.dynamo.expressions import _types
from modelkit.dynamo.expressions._conditions import (
    ATTRIBUTE_TYPES,
    AttributeType,
    Comparable,
    Function,
    Size,
    operand,
)
from modelkit.dynamo.expressions._operands import Renderer, Segment, Value, dotted
from modelkit.dynamo.expressions._updates import (
    Add,
    Arithmetic,
    Delete,
    Remove,
    Set,
    if_not_exists,
    list_append,
    set_operand,
)


class Path(Comparable):
    """A document path: an attribute name, then map keys (``str``) and list indexes (``int``).

    Compare it (``==``, ``<``, ...) or call its condition methods to build conditions; call
    its update methods to build update actions. A nested field named like a method
    (``size``, ``set``, ``contains``, ...) is reached with ``path["size"]``.
    """

    __slots__ = ("_info", "segments")
    segments: tuple[Segment, ...]
    _info: _types.Info

    def __init__(self, name: str, *more: Segment) -> None:
        if not isinstance(name, str):
            raise TypeError(f"a path starts with an attribute name, not {name!r}")
        for segment in (name, *more):
            _check_segment(segment)
        self.segments = (name, *more)
        self._info = None

    @classmethod
    def _typed(cls, segments: tuple[Segment, ...], info: _types.Info) -> Path:
        path = cls.__new__(cls)
        path.segments = segments
        path._info = info
        return path

    def render(self, r: Renderer) -> str:
        return r.path(self.segments)

    def __getattr__(self, name: str) -> Path:
        if name.startswith("_"):
            raise AttributeError(name)
        stored, info = _types.attribute(self._info, name, dotted(self.segments))
        return Path._typed((*self.segments, stored), info)

    def __getitem__(self, key: Segment) -> Path:
        _check_segment(key)
        segment, info = _types.item(self._info, key, dotted(self.segments))
        return Path._typed((*self.segments, segment), info)

    def __iter__(self) -> NoReturn:
        raise TypeError("a Path is not iterable; for DynamoDB's contains() use path.contains(v)")

    def __contains__(self, item: object) -> NoReturn:
        raise TypeError("`x in path` cannot build a condition; write path.contains(x)")

    # -- conditions --------------------------------------------------------------------------

    def exists(self) -> Function:
        """``attribute_exists(path)``."""
        return Function("attribute_exists", self)

    def not_exists(self) -> Function:
        """``attribute_not_exists(path)``."""
        return Function("attribute_not_exists", self)

    def is_type(self, type_: AttributeType) -> Function:
        """``attribute_type(path, type_)``; ``type_`` one of S SS N NS B BS BOOL NULL L M."""
        if type_ not in ATTRIBUTE_TYPES:
            raise ValueError(f"is_type takes one of {', '.join(ATTRIBUTE_TYPES)}, not {type_!r}")
        return Function("attribute_type", self, Value({"S": type_}, encoded=True))

    def begins_with(self, prefix: Any) -> Function:
        """``begins_with(path, prefix)`` for a string or binary prefix (or another path)."""
        if isinstance(prefix, int | float | Decimal | Iterable) and not isinstance(
            prefix, str | bytes | Comparable
        ):
            raise TypeError(f"begins_with takes a string or bytes, not {type(prefix).__name__}")
        return Function("begins_with", self, operand(prefix))

    def contains(self, value: Any) -> Function:
        """``contains(path, value)``: a substring of a string, an element of a set or list."""
        return Function("contains", self, operand(value))

    def size(self) -> Size:
        """``size(path)``, which compares like a path: ``f.tags.size() > 2``."""
        return Size(self)

    # -- updates -----------------------------------------------------------------------------

    def set(self, value: Any) -> Set:
        """``SET path = value``; ``value`` may be a Python value, a path, ``path + 1``,
        ``if_not_exists(...)`` or ``list_append(...)``."""
        return Set(self, value)

    def set_if_not_exists(self, value: Any) -> Set:
        """``SET path = if_not_exists(path, value)``: sets only a missing attribute."""
        return Set(self, if_not_exists(self, value))

    def append(self, values: Any) -> Set:
        """``SET path = list_append(path, values)``; the list must exist (see
        :func:`list_append` with :func:`if_not_exists` for append-or-create)."""
        return Set(self, list_append(self, _list(values, "append")))

    def prepend(self, values: Any) -> Set:
        """``SET path = list_append(values, path)``; the list must exist."""
        return Set(self, list_append(_list(values, "prepend"), self))

    def remove(self) -> Remove:
        """``REMOVE path``."""
        return Remove(self)

    def add(self, value: Any) -> Add:
        """``ADD path value``: a number added (to 0 if missing) or set elements added."""
        return Add(self, value)

    def delete(self, value: Any) -> Delete:
        """``DELETE path value``: set elements removed."""
        return Delete(self, value)

    def __add__(self, other: object) -> Arithmetic:
        return Arithmetic("+", self, set_operand(other))

    def __radd__(self, other: object) -> Arithmetic:
        return Arithmetic("+", set_operand(other), self)

    def __sub__(self, other: object) -> Arithmetic:
        return Arithmetic("-", self, set_operand(other))

    def __rsub__(self, other: object) -> Arithmetic:
        return Arithmetic("-", set_operand(other), self)


def _check_segment(segment: object) -> None:
    if isinstance(segment, bool) or not isinstance(segment, str | int):
        raise TypeError(f"a path segment is a name (str) or a list index (int), not {segment!r}")
    if segment == "":
        raise ValueError("an attribute name or map key cannot be empty in DynamoDB")
    if isinstance(segment, int) and segment < 0:
        raise IndexError(f"DynamoDB list indexes count from 0; {segment} is not allowed")


def _list(values: Any, method: str) -> Any:
    if isinstance(values, Comparable):
        return values
    if isinstance(values, str | bytes) or not isinstance(values, list | tuple):
        raise TypeError(f"{method} takes a list of values, not {type(values).__name__}")
    return list(values)
