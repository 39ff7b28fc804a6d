"""The modelkit error hierarchy: catch at the level you care about."""

from __future__ import annotations


class ModelkitError(Exception):
    """Base of every error modelkit raises on purpose."""


class SchemaError(ModelkitError):
    """A schema declaration that cannot work.

    ``where`` names the place (``entity Order, index GSI1, template 'ORDER#{id}'``) and
    ``hint`` says what to do about it.
    """

    def __init__(self, message: str, *, where: str = "", hint: str = "") -> None:
        self.message = message
        self.where = where
        self.hint = hint
        text = f"{where}: {message}" if where else message
        if hint:
            text = f"{text} ({hint})"
        super().__init__(text)


class KeyValueError(ModelkitError, ValueError):
    """A field value that cannot go into a key (bad type, too long, lone surrogate, ...)."""

    def __init__(self, message: str, *, entity: str = "", field: str = "") -> None:
        self.entity = entity
        self.field = field
        place = ".".join(p for p in (entity, field) if p)
        super().__init__(f"{place}: {message}" if place else message)


class KeyParseError(ModelkitError, ValueError):
    """A key string that no template of the design produces."""


class LoadError(ModelkitError):
    """A schema file or module that cannot be loaded (missing, syntax error, no table)."""
