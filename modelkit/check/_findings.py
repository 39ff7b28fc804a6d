"""A finding: one thing ``check`` has to say about a design."""

from __future__ import annotations

from typing import Literal, TypedDict, Unpack

import msgspec

Severity = Literal["error", "warning"]


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """``code`` is stable (for suppressions and tests); ``hint`` says what to do."""

    severity: Severity
    code: str
    message: str
    hint: str = ""
    entity: str | None = None
    index: str | None = None
    template: str | None = None
    pattern: str | None = None
    where: str = ""

    @property
    def subject(self) -> str:
        """``entity Order, index GSI1, template 'ORDER#{id}'`` (the parts that are set)."""
        parts = []
        if self.pattern:
            parts.append(f"pattern {self.pattern!r}")
        if self.entity:
            parts.append(f"entity {self.entity}")
        if self.index:
            parts.append(f"index {self.index}")
        if self.template:
            parts.append(f"template {self.template!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        head = f"{self.where}: " if self.where else ""
        subject = f"{self.subject}: " if self.subject else ""
        hint = f"\n    fix: {self.hint}" if self.hint else ""
        return f"{head}{self.severity} {self.code}: {subject}{self.message}{hint}"


class Context(TypedDict, total=False):
    """Where a finding applies and what to do about it."""

    hint: str
    entity: str | None
    index: str | None
    template: str | None
    pattern: str | None
    where: str


def error(code: str, message: str, **context: Unpack[Context]) -> Finding:
    return Finding(severity="error", code=code, message=message, **context)


def warning(code: str, message: str, **context: Unpack[Context]) -> Finding:
    return Finding(severity="warning", code=code, message=message, **context)
