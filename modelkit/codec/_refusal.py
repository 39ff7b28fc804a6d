"""The codec's internal error: a value it cannot store or read, with the path to it."""

from __future__ import annotations

from modelkit.errors import ValidationError


class Refused(Exception):
    """A refused value; ``path`` gathers ``.field`` / ``[index]`` segments as it unwinds."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []

    def at(self, segment: str) -> Refused:
        """Add the segment of the enclosing value (innermost first) and return self."""
        self.path.append(segment)
        return self

    def error(self, root: str) -> ValidationError:
        """The public error, naming ``root`` and the path below it."""
        where = root + "".join(reversed(self.path))
        return ValidationError(f"{where}: {self.reason}" if where else self.reason)


def describe(value: object) -> str:
    """A short description of a value for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"
