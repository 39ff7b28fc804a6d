"""Declaring a table: ``Table``, ``Index``, ``Key``, the ``@table.entity`` decorator and
``table.pattern``. Declarations are recorded as given; :func:`compile` checks them."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import msgspec

from modelkit.errors import SchemaError
from modelkit.keys import SortOp
from modelkit.schema._design import (
    PRIMARY,
    Billing,
    CachePolicy,
    IndexDesign,
    OnDemand,
    Operation,
    Projection,
    ProjectionKind,
    Provisioned,
    StreamView,
    TableDesign,
)

S = TypeVar("S", bound=type[msgspec.Struct])


class Key(msgspec.Struct, frozen=True):
    """Partition and sort key templates: ``Key(pk="CUSTOMER#{id}", sk="PROFILE")``.

    An LSI shares the table's partition key, so its key gives only ``sk``.
    """

    pk: str | None = None
    sk: str | None = None


class Index:
    """Constructors for secondary indexes."""

    @staticmethod
    def gsi(
        name: str,
        pk: str,
        sk: str | None = None,
        *,
        projection: ProjectionKind = "ALL",
        include: Sequence[str] = (),
        capacity: Provisioned | None = None,
    ) -> IndexDesign:
        """A global secondary index keyed by attributes ``pk`` (and ``sk``).

        ``projection``: ``ALL``, ``KEYS_ONLY`` or ``INCLUDE``; ``include`` lists the
        attributes an ``INCLUDE`` index projects (with ``ALL``, it makes the index ``INCLUDE``).
        ``capacity``: the GSI's own provisioned capacity under provisioned billing.
        """
        return IndexDesign(name, "gsi", pk, sk, _projection(projection, include), capacity)

    @staticmethod
    def lsi(
        name: str,
        sk: str,
        *,
        projection: ProjectionKind = "ALL",
        include: Sequence[str] = (),
    ) -> IndexDesign:
        """A local secondary index: the table's partition key with another sort key
        (``projection`` and ``include`` as for :meth:`gsi`)."""
        return IndexDesign(name, "lsi", "", sk, _projection(projection, include))


def _projection(kind: ProjectionKind, include: Sequence[str]) -> Projection:
    """Recorded as given, for compile to check; ``include`` with ``ALL`` means ``INCLUDE``."""
    if include and kind == "ALL":
        kind = "INCLUDE"
    return Projection(kind, tuple(include))


class EntityDeclaration(msgspec.Struct, frozen=True):
    cls: Any
    keys: tuple[tuple[str, Key], ...]
    cache: CachePolicy | None
    name: str
    type_value: str
    ttl: str | None
    version: str | None
    unique: tuple[str, ...]
    created: str | None
    updated: str | None
    line: int
    file: str


class PatternDeclaration(msgspec.Struct, frozen=True):
    name: str
    entities: tuple[Any, ...]
    op: Operation
    index: str
    given: tuple[str, ...]
    sort: SortOp | None
    descending: bool
    limit: int | None
    doc: str
    line: int
    file: str


class Table:
    """A DynamoDB table under single-table design, collecting entities and patterns.

    ``pk``/``sk`` name the key attributes (generic names such as ``PK``/``SK`` let many
    entities share them); ``ttl`` names the TTL attribute; ``stream`` sets the stream view;
    ``billing`` is :class:`OnDemand` or :class:`Provisioned`; ``replicas`` lists the other
    Regions of a global table; ``type_attribute`` holds each item's entity name.
    """

    def __init__(
        self,
        name: str,
        *,
        pk: str = "PK",
        sk: str | None = "SK",
        indexes: Iterable[IndexDesign] = (),
        ttl: str | None = None,
        stream: StreamView | None = None,
        billing: Billing | None = None,
        replicas: Iterable[str] = (),
        type_attribute: str = "_type",
        doc: str = "",
    ) -> None:
        self.name = name
        self.pk, self.sk = pk, sk
        self.indexes = tuple(indexes)
        self.ttl = ttl
        self.stream = stream
        self.billing = billing if billing is not None else OnDemand()
        self.replicas = tuple(replicas)
        self.type_attribute = type_attribute
        self.doc = doc
        self.entities: list[EntityDeclaration] = []
        self.patterns: list[PatternDeclaration] = []
        self.file, self.line = _caller()

    def entity(
        self,
        key: Key | None = None,
        *,
        indexes: Mapping[str, Key] | None = None,
        keys: Mapping[str, Key] | None = None,
        cache: CachePolicy | None = None,
        name: str | None = None,
        type_value: str | None = None,
        ttl: str | None = None,
        version: str | None = None,
        unique: Sequence[str] = (),
        created: str | None = None,
        updated: str | None = None,
    ) -> Callable[[S], S]:
        """Class decorator declaring a msgspec Struct as an entity of this table.

        ``key`` is the primary key; ``indexes`` maps index names to the entity's keys there
        (``keys`` may give all of them at once, with ``"primary"`` for the table). ``ttl``
        names the entity's expiry field (written to the table's TTL attribute). ``version``
        names an int field for optimistic locking; ``unique`` lists fields whose values no two
        items may share (kept by marker items); ``created`` / ``updated`` name datetime fields
        the repositories set on writes.
        """
        if key is not None and not isinstance(key, Key):
            raise SchemaError(
                f"entity() takes key=Key(pk=..., sk=...), not {key!r}",
                hint="write @table.entity(key=Key(...)) with parentheses",
            )
        all_keys: dict[str, Key] = dict(keys or {})
        if key is not None:
            all_keys[PRIMARY] = key
        all_keys.update(indexes or {})
        file, line = _caller()

        def register(cls: S) -> S:
            entity_name = name or cls.__name__
            self.entities.append(
                EntityDeclaration(
                    cls=cls,
                    keys=tuple(all_keys.items()),
                    cache=cache,
                    name=entity_name,
                    type_value=type_value or entity_name,
                    ttl=ttl,
                    version=version,
                    unique=tuple(unique),
                    created=created,
                    updated=updated,
                    line=_line_of(cls, line),
                    file=file,
                )
            )
            return cls

        return register

    def pattern(
        self,
        name: str,
        entity: Any,
        *,
        op: Operation = "query",
        index: str = PRIMARY,
        given: Sequence[str] = (),
        sort: SortOp | None = None,
        descending: bool = False,
        limit: int | None = None,
        doc: str = "",
    ) -> None:
        """Declare a named access pattern.

        ``entity`` is an entity class (or name), or a list of them for an item collection.
        ``given`` lists the key fields the caller supplies. ``sort`` is the sort-key
        condition (``eq``, ``prefix``, ``between``, ``gt``, ``ge``, ``lt``, ``le``), applied
        to the first sort-key field after the given ones; by default ``eq`` when every
        sort-key field is given and ``prefix`` otherwise.
        """
        entities = tuple(entity) if isinstance(entity, list | tuple) else (entity,)
        file, line = _caller()
        self.patterns.append(
            PatternDeclaration(
                name, entities, op, index, tuple(given), sort, descending, limit, doc, line, file
            )
        )

    def compile(self) -> TableDesign:
        """Check the declarations and return the immutable ``TableDesign``."""
        from modelkit.schema._compile import compile_table

        return compile_table(self)


def _caller() -> tuple[str, int]:
    """File and line of the user's code that called into this module."""
    frame = inspect.currentframe()
    here = __file__
    while frame is not None and frame.f_code.co_filename == here:
        frame = frame.f_back
    if frame is None:
        return "<unknown>", 0
    return _shown_path(frame.f_code.co_filename), frame.f_lineno


def _shown_path(path: str) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def _line_of(cls: type, fallback: int) -> int:
    try:
        return inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return fallback
