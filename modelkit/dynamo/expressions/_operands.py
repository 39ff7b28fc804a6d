"""What expressions are made of: operands, and the renderer that names paths and values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Segment = str | int
"""One step of a document path: a map key (attribute name) or a list index."""

Encode = Callable[[Any], dict[str, Any]]
"""Turns a Python value into a DynamoDB AttributeValue (``{"S": "x"}``)."""


class Renderer(Protocol):
    """Turns the paths and values of an expression into text (placeholders or plain)."""

    def path(self, segments: tuple[Segment, ...]) -> str: ...

    def value(self, value: Any, *, encoded: bool = False) -> str: ...


class Operand:
    """Anything that stands for a value inside an expression."""

    __slots__ = ()

    def render(self, r: Renderer) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.render(PLAIN)}>"


class Value(Operand):
    """A Python value, sent as an AttributeValue placeholder (``:v0``).

    ``encoded`` marks a value that already is an AttributeValue (``{"S": "N"}``).
    """

    __slots__ = ("encoded", "value")

    def __init__(self, value: Any, *, encoded: bool = False) -> None:
        self.value = value
        self.encoded = encoded

    def render(self, r: Renderer) -> str:
        return r.value(self.value, encoded=self.encoded)


def dotted(segments: tuple[Segment, ...]) -> str:
    """``address.city``, ``tags[0]``: a path as people write it."""
    text = ""
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else segment
    return text


class _Plain:
    """Renders paths as written and values by repr: for ``repr`` and error messages."""

    def path(self, segments: tuple[Segment, ...]) -> str:
        return dotted(segments)

    def value(self, value: Any, *, encoded: bool = False) -> str:
        return repr(value)


PLAIN: Renderer = _Plain()
