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


class WorkloadError(LoadError):
    """A workload file that cannot be used: bad syntax, a wrong value, a name the schema does
    not know. ``path`` is the file, ``line`` the 1-based line (``None`` when unknown), and the
    text reads ``PATH:LINE: message``."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        place = f"{path}:{line}" if line is not None else path
        super().__init__(f"{place}: {message}")


# -- errors of reads and writes (repositories) ----------------------------------------------


class ValidationError(ModelkitError, ValueError):
    """An item or request refused before it is sent: over 400 KB, an empty key value, an empty
    set, a key over its size limit, a NaN, an update that cannot rebuild an index key."""


class DynamoError(ModelkitError):
    """A DynamoDB request that failed; ``code`` is DynamoDB's error code."""

    def __init__(self, message: str, *, code: str = "", operation: str = "") -> None:
        self.code = code
        self.operation = operation
        super().__init__(message)


class TableNotFound(DynamoError):
    """The table (or index) does not exist on this endpoint: deploy it first."""


class NotFound(DynamoError):
    """No item with that key."""


class ConditionFailed(DynamoError):
    """A conditional write whose condition was false; ``item`` is the current item when the
    request asked for it (``return_values_on_condition_check_failure``)."""

    def __init__(self, message: str, *, item: object = None, operation: str = "") -> None:
        self.item = item
        super().__init__(message, code="ConditionalCheckFailedException", operation=operation)


class CancellationReason:
    """Why one item of a canceled transaction failed."""

    __slots__ = ("code", "index", "item", "message", "target")

    def __init__(
        self, index: int, code: str, message: str = "", item: object = None, target: object = None
    ) -> None:
        self.index = index
        self.code = code
        self.message = message
        self.item = item
        self.target = target

    def __repr__(self) -> str:
        return f"CancellationReason({self.index}, {self.code!r}, target={self.target!r})"


class TransactionCanceled(DynamoError):
    """A transaction DynamoDB canceled; ``reasons`` holds one entry per failed item, each naming
    the operation it belongs to (``target``)."""

    def __init__(self, message: str, *, reasons: list[CancellationReason]) -> None:
        self.reasons = reasons
        super().__init__(
            message, code="TransactionCanceledException", operation="TransactWriteItems"
        )


class Throttled(DynamoError):
    """DynamoDB kept refusing for lack of capacity after every retry."""


class UniqueViolation(ConditionFailed):
    """A write that would give a ``unique`` field a value another item already holds."""

    def __init__(self, message: str, *, entity: str, field: str, value: object) -> None:
        self.entity = entity
        self.field = field
        self.value = value
        super().__init__(message, operation="TransactWriteItems")
