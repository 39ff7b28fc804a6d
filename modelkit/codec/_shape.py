"""The :class:`Shape` record (how one declared type is written and read) and helpers that
the shapes of scalars, unions and containers share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from modelkit.codec._constraints import NONE as NO_CONSTRAINTS
from modelkit.codec._constraints import Constraints
from modelkit.codec._leaf import Leaf
from modelkit.codec._refusal import Refused, describe

AttributeValue = dict[str, Any]
Encoder = Callable[[Any], AttributeValue]
Decoder = Callable[[Any], Any]
ANY_TAG = "*"
"""In ``Shape.tags``: reads any AttributeValue type (``Any``)."""


@dataclass(frozen=True)
class Shape:
    """How one declared type is written and read.

    ``encode``/``decode`` are the checked paths; ``tags`` are the AttributeValue types
    ``decode`` reads. The rest describes the type for the code generator: ``kind`` is one of
    ``leaf`` (``leaf`` set), ``list``/``tuple``/``set`` (``item`` the element, ``make`` the
    Python type), ``dict`` (``key`` and ``item``), ``struct``, ``optional`` (``item | None``)
    or ``other`` (always through the checked path).
    """

    name: str
    encode: Encoder
    decode: Decoder
    accepts: Callable[[Any], bool]
    tags: frozenset[str]
    kind: str = "other"
    leaf: Leaf | None = None
    item: Shape | None = None
    key: Leaf | None = None
    make: type | None = None
    struct: type | None = None
    checks: Constraints = NO_CONSTRAINTS

    @property
    def set_type(self) -> type | None:
        return self.make if self.kind == "set" else None


def leaf_shape(scalar: Leaf, accepts: Callable[[Any], bool]) -> Shape:
    tag, kind, to_wire, from_wire = scalar.tag, scalar.kind, scalar.to_wire, scalar.from_wire

    def encode(value: Any) -> AttributeValue:
        return {tag: to_wire(value)}

    def decode(av: Any) -> Any:
        try:
            wire = av[tag]
        except (KeyError, TypeError):
            raise Refused(f"expected {kind} ({tag}), got {describe(av)}") from None
        return from_wire(wire)

    return Shape(kind, encode, decode, accepts, frozenset({tag}), "leaf", leaf=scalar)


def _encode_null(value: Any) -> AttributeValue:
    if value is not None:
        raise Refused(f"expected None, got {describe(value)}")
    return {"NULL": True}


def _decode_null(av: Any) -> None:
    if not isinstance(av, dict) or "NULL" not in av:
        raise Refused(f"expected NULL, got {describe(av)}")


NONE = Shape("None", _encode_null, _decode_null, lambda v: v is None, frozenset({"NULL"}))


def locate(fn: Callable[[Any], Any], items: Iterable[tuple[Any, Any]], exc: Refused) -> Refused:
    """The error of the first bad item, with its place (``items`` yields (segment, item))."""
    for segment, item in items:
        try:
            fn(item)
        except Refused as inner:
            return inner.at(segment)
    return exc


L_TAG = frozenset({"L"})


def unwrap(av: Any, tag: str) -> Any:
    try:
        return av[tag]
    except (KeyError, TypeError):
        raise Refused(f"expected {tag}, got {describe(av)}") from None


def is_(*types: type) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, types)
