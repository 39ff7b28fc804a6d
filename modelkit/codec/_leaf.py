"""One scalar type as one AttributeValue (S, N, B or BOOL): the :class:`Leaf` record.

A leaf carries a checked path (``to_wire`` / ``from_wire``, raising :class:`Refused`) and the
templates the generated fast path inlines: ``guard`` picks the values the fast ``wire``
expression writes exactly as ``to_wire`` would; anything else goes through ``to_wire``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec

from modelkit.codec._constraints import NONE, Constraints
from modelkit.codec._numbers import float_wire
from modelkit.codec._refusal import Refused, describe

UTC = dt.UTC
_uuid_decode = msgspec.json.Decoder(uuid.UUID).decode

#: Names the templates use, bound in every generated namespace.
GLOBALS: dict[str, Any] = {
    "_str": str,
    "_SMALL": tuple(str(i) for i in range(256)),
    "_int": int,
    "_float": float,
    "_bytes": bytes,
    "_Decimal": Decimal,
    "_datetime": dt.datetime,
    "_date": dt.date,
    "_UUID": uuid.UUID,
    "_UTC": UTC,
    # text of a datetime, date or UUID: msgspec's JSON encoder then str decoder, reused
    # instances (about twice as fast as msgspec.to_builtins per value)
    "_je": msgspec.json.Encoder().encode,
    "_js": msgspec.json.Decoder(str).decode,
    "_fw": float_wire,
    "_dt_read": dt.datetime.fromisoformat,
    "_date_read": dt.date.fromisoformat,
    "_time_read": dt.time.fromisoformat,
    "_uuid_decode": _uuid_decode,
    # int() of a str is slow on CPython 3.11 (it copies the text first); msgspec's JSON
    # decoder reads integer text (and refuses anything else) several times faster.
    "_int_read": msgspec.json.Decoder(int).decode,
}


@dataclass(frozen=True)
class Leaf:
    """How one scalar type maps to one AttributeValue.

    Templates: ``guard`` and ``wire`` use ``{v}`` (the value) and may set ``{t}`` (a temporary
    the guard computes for the wire), ``read`` uses ``{w}`` (the wire value); ``{name}`` refers
    to ``objects[name]``. A ``guard`` of ``None`` means no fast path. A guard accepts only values
    the wire expression writes exactly as ``to_wire`` would.
    """

    tag: str
    kind: str
    to_wire: Callable[[Any], Any]
    from_wire: Callable[[Any], Any]
    guard: str | None
    wire: str
    read: str
    objects: Mapping[str, Any] = field(default_factory=dict)
    checks: Constraints = NONE


def checked(to_wire: Callable[[Any], Any], cons: Constraints) -> Callable[[Any], Any]:
    """``to_wire`` followed by the constraint checks (after it: the type is known then)."""
    if not cons.checks:
        return to_wire
    check = cons.check

    def run(value: Any) -> Any:
        wire = to_wire(value)
        check(value)
        return wire

    return run


def guard(base: str, cons: Constraints) -> str:
    """A guard template: ``base`` and the constraints, inlined."""
    if not cons.checks:
        return base
    return f"{base} and {cons.expression('{v}', lambda name: '{' + name + '}')}"


def expect(kind: str, value: Any) -> Refused:
    return Refused(f"expected {kind}, got {describe(value)}")


def str_wire(value: Any) -> str:
    """A str (or str subclass) as valid UTF-8 text."""
    if not isinstance(value, str):
        raise expect("str", value)
    text = value if type(value) is str else str.__str__(value)
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError as exc:
            char = text[exc.start]
            raise Refused(
                f"holds a lone surrogate (U+{ord(char):04X}) at index {exc.start}, which is not "
                "valid UTF-8: DynamoDB cannot store it; clean the text first"
            ) from None
    return text
