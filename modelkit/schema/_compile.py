"""compile(): declarations → TableDesign, with every structural problem reported at once."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import msgspec
import msgspec.inspect as mi

from modelkit.errors import SchemaError
from modelkit.keys import KeyCodecError, KeyTemplate, TemplateSyntaxError, key_type
from modelkit.schema._design import (
    NO_CACHE,
    PRIMARY,
    EntityDesign,
    EntityKey,
    FieldDesign,
    IndexDesign,
    PatternDesign,
    Provisioned,
    TableDesign,
)
from modelkit.schema._sizes import field_label, field_max_bytes

if TYPE_CHECKING:
    from modelkit.schema._declare import EntityDeclaration, PatternDeclaration, Table

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")
_STREAM_VIEWS = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
_PLURALS = {"index": "indexes", "entity": "entities"}


class SchemaErrors(SchemaError):
    """Several structural problems; ``problems`` holds each as a :class:`SchemaError`."""

    def __init__(self, problems: list[SchemaError]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the schema:\n{lines}")


def compile_table(table: Table) -> TableDesign:
    """Turn a :class:`Table` and its declarations into a :class:`TableDesign`.

    Raises :class:`SchemaErrors` listing every problem that keeps the design from being
    built (bad template syntax, unknown fields or indexes, field types that cannot be keys).
    Design rules (collisions, limits, hot-key smells) are the job of ``modelkit.check``.
    """
    problems: list[SchemaError] = []
    where = f"{table.file}:{table.line}: table {table.name!r}"
    if not _TABLE_NAME.match(table.name):
        problems.append(
            SchemaError(
                "is not a valid DynamoDB table name",
                where=where,
                hint="use 3-255 letters, digits, '_', '-' or '.'",
            )
        )
    _table_settings(table, problems, where)
    indexes = _indexes(table, problems, where)
    entities = tuple(_entity(table, d, indexes, problems) for d in table.entities)
    _duplicates([e.name for e in entities], "entity", where, problems)
    patterns = tuple(_pattern(p, table) for p in table.patterns)
    _duplicates([p.name for p in patterns], "pattern", where, problems)
    if problems:
        raise SchemaErrors(problems)
    return TableDesign(
        name=table.name,
        pk=table.pk,
        sk=table.sk,
        indexes=indexes,
        entities=entities,
        patterns=patterns,
        type_attribute=table.type_attribute,
        ttl_attribute=table.ttl,
        stream=table.stream,
        billing=table.billing,
        replicas=table.replicas,
        doc=table.doc,
        source=table.file,
    )


def _duplicates(names: list[str], what: str, where: str, problems: list[SchemaError]) -> None:
    for name in sorted({n for n in names if names.count(n) > 1}):
        plural = _PLURALS.get(what, f"{what}s")
        problems.append(SchemaError(f"two {plural} are named {name!r}", where=where))


def _table_settings(table: Table, problems: list[SchemaError], where: str) -> None:
    """The stream view and the provisioned capacity must be ones DynamoDB accepts."""
    if table.stream is not None and table.stream not in _STREAM_VIEWS:
        problems.append(
            SchemaError(
                f"stream {table.stream!r} is not a stream view",
                where=where,
                hint=f"use one of {', '.join(_STREAM_VIEWS)}",
            )
        )
    if isinstance(table.billing, Provisioned):
        _capacity(table.billing, "billing", problems, where)


def _capacity(capacity: Provisioned, what: str, problems: list[SchemaError], where: str) -> None:
    for name in ("rcu", "wcu"):
        value = getattr(capacity, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(
                SchemaError(
                    f"{what} Provisioned.{name} is {value!r}",
                    where=where,
                    hint="provisioned capacity is a whole number of units, at least 1",
                )
            )


def _index_settings(index: IndexDesign, problems: list[SchemaError], where: str) -> None:
    """An index's projection (and its ``include`` list) and its own capacity."""
    at = f"{where}, index {index.name}"
    kind = index.projection.kind
    if kind not in _PROJECTIONS:
        problems.append(
            SchemaError(
                f"projection {kind!r} is not a projection",
                where=at,
                hint=f"use one of {', '.join(_PROJECTIONS)}",
            )
        )
    elif index.projection.attributes and kind != "INCLUDE":
        problems.append(
            SchemaError(
                f"include={list(index.projection.attributes)!r} is given with projection "
                f"{kind!r}, which projects no listed attributes",
                where=at,
                hint="use projection='INCLUDE', or drop include=",
            )
        )
    if index.capacity is not None:
        _capacity(index.capacity, "capacity", problems, at)


def _indexes(table: Table, problems: list[SchemaError], where: str) -> tuple[IndexDesign, ...]:
    result = [IndexDesign(PRIMARY, "table", table.pk, table.sk)]
    for index in table.indexes:
        _index_settings(index, problems, where)
        if index.kind == "lsi":
            if table.sk is None:
                problems.append(
                    SchemaError(f"LSI {index.name!r} needs a table with a sort key", where=where)
                )
            index = msgspec.structs.replace(index, pk=table.pk)
        result.append(index)
    _duplicates([i.name for i in result], "index", where, problems)
    return tuple(result)


def _struct_fields(cls: Any) -> list[mi.Field] | None:
    try:
        info = mi.type_info(cls)
    except (TypeError, ValueError):
        return None
    return list(info.fields) if isinstance(info, mi.StructType) else None


def _entity(
    table: Table,
    decl: EntityDeclaration,
    indexes: tuple[IndexDesign, ...],
    problems: list[SchemaError],
) -> EntityDesign:
    where = f"{decl.file}:{decl.line}: entity {decl.name}"
    struct_fields = _struct_fields(decl.cls)
    if struct_fields is None:
        problems.append(
            SchemaError("is not a msgspec Struct", where=where, hint="subclass msgspec.Struct")
        )
        struct_fields = []
    hints = _annotations(decl.cls)
    annotations = {f.name: hints.get(f.name, Any) for f in struct_fields}
    fields = tuple(
        FieldDesign(
            name=f.name,
            type=field_label(f.type),
            optional=_optional(f),
            annotation=hints.get(f.name),
            max_bytes=field_max_bytes(f.type),
            attribute=f.encode_name,
        )
        for f in struct_fields
    )
    by_index = {i.name: i for i in indexes}
    keys: list[EntityKey] = []
    declared = dict(decl.keys)
    if PRIMARY not in declared:
        problems.append(
            SchemaError("declares no primary key", where=where, hint="pass key=Key(pk=..., sk=...)")
        )
    for index_name, key in decl.keys:
        index = by_index.get(index_name)
        at = f"{where}, index {index_name}"
        if index is None:
            known = ", ".join(by_index)
            problems.append(
                SchemaError(f"names unknown index {index_name!r}", where=at, hint=f"known: {known}")
            )
            continue
        pk_text = key.pk
        if index.kind == "lsi":
            primary = declared.get(PRIMARY)
            if primary is not None and pk_text not in (None, "", primary.pk):
                problems.append(
                    SchemaError(
                        f"LSI partition key {pk_text!r} differs from the primary key's "
                        f"{primary.pk!r}",
                        where=at,
                        hint="an LSI shares the table's partition key; give only sk",
                    )
                )
            pk_text = primary.pk if primary is not None else pk_text
        pk = _template(pk_text, at, "pk", annotations, problems)
        sk = None
        if key.sk is not None:
            if index.sk is None:
                problems.append(
                    SchemaError(f"gives a sort key but {index_name} has none", where=at)
                )
            sk = _template(key.sk, at, "sk", annotations, problems)
        elif index.sk is not None:
            problems.append(
                SchemaError(
                    f"gives no sort key but {index_name} has sort key {index.sk!r}",
                    where=at,
                    hint="add sk=... (fixed text such as 'PROFILE' is fine)",
                )
            )
        if pk is not None:
            keys.append(EntityKey(index_name, pk, sk))
    ttl_field = decl.ttl or (table.ttl if table.ttl in annotations else None)
    if decl.ttl is not None and decl.ttl not in annotations:
        problems.append(SchemaError(f"ttl names unknown field {decl.ttl!r}", where=where))
    _special_fields(decl, fields, where, problems)
    return EntityDesign(
        name=decl.name,
        type_value=decl.type_value,
        fields=fields,
        keys=tuple(keys),
        cache=decl.cache or NO_CACHE,
        ttl_field=ttl_field,
        version_field=decl.version,
        unique_fields=decl.unique,
        created_field=decl.created,
        updated_field=decl.updated,
        doc=(decl.cls.__doc__ or "").strip() if isinstance(decl.cls, type) else "",
        struct=decl.cls,
        source=f"{decl.file}:{decl.line}",
    )


def _special_fields(
    decl: EntityDeclaration,
    fields: tuple[FieldDesign, ...],
    where: str,
    problems: list[SchemaError],
) -> None:
    """``version`` must be an int field, ``created``/``updated`` datetimes, ``unique`` fields."""
    types = {f.name: f.type for f in fields}
    wanted: list[tuple[str, str | None, tuple[str, ...] | None]] = [
        ("version", decl.version, ("int",)),
        ("created", decl.created, ("datetime",)),
        ("updated", decl.updated, ("datetime",)),
    ]
    wanted += [("unique", name, None) for name in decl.unique]
    for role, name, allowed in wanted:
        if name is None:
            continue
        kind = types.get(name)
        if kind is None:
            problems.append(SchemaError(f"{role} names unknown field {name!r}", where=where))
        elif allowed is not None and kind.removesuffix(" | None") not in allowed:
            problems.append(
                SchemaError(
                    f"{role} field {name!r} is {kind}",
                    where=where,
                    hint=f"declare it as {' or '.join(allowed)}",
                )
            )


def _annotations(cls: Any) -> dict[str, Any]:
    import typing

    try:
        return typing.get_type_hints(cls, include_extras=True)
    except Exception:
        return {}


def _optional(field: mi.Field) -> bool:
    info = field.type
    while isinstance(info, mi.Metadata):
        info = info.type
    return isinstance(info, mi.NoneType) or (isinstance(info, mi.UnionType) and info.includes_none)


def _template(
    text: str | None,
    where: str,
    part: str,
    fields: dict[str, Any],
    problems: list[SchemaError],
) -> KeyTemplate | None:
    if not text:
        problems.append(SchemaError(f"{part} template is empty", where=where))
        return None
    at = f"{where}, {part} {text!r}"
    braces = _brace_problem(text)
    if braces is not None:
        problems.append(SchemaError(braces[0], where=at, hint=braces[1]))
        return None
    try:
        template = KeyTemplate.parse(text)
    except TemplateSyntaxError as exc:
        problems.append(SchemaError(str(exc), where=at))
        return None
    for name in template.fields:
        if name not in fields:
            known = ", ".join(fields) or "none"
            problems.append(
                SchemaError(f"names unknown field {{{name}}}", where=at, hint=f"fields: {known}")
            )
            continue
        try:
            key_type(fields[name])
        except KeyCodecError as exc:
            problems.append(SchemaError(f"field {name!r}: {exc}", where=at))
    return template


def _brace_problem(text: str) -> tuple[str, str] | None:
    """A segment whose braces do not pair up: the message, and a hint with the whole
    template repaired. (Balanced braces mixed with fixed text are the key parser's to
    report.)"""
    for segment in text.split("#"):
        if _balanced(segment):
            continue
        message = f"segment {segment!r} of {text!r} has an unbalanced brace"
        fixed = _repaired(text)
        try:
            KeyTemplate.parse(fixed)
        except TemplateSyntaxError:
            return message, "write each field as {name} in a segment of its own, between '#'"
        return message, f"write {fixed!r}"
    return None


def _balanced(segment: str) -> bool:
    depth = 0
    for char in segment:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth not in (0, 1):
            return False
    return depth == 0


def _repaired(text: str) -> str:
    """``text`` with braces balanced and each field split from fixed text by ``#``: an open
    brace closes at the end of its segment, a stray closing brace makes the text before it a
    field (``'A#{x'`` -> ``'A#{x}'``, ``'ORDER{id}'`` -> ``'ORDER#{id}'``)."""
    out: list[str] = []
    for segment in text.split("#"):
        run, field = "", None
        for char in segment:
            if char == "{":
                if field is None:
                    out.append(run)
                    run, field = "", ""
            elif char == "}":
                out.append("{" + (run if field is None else field) + "}")
                run, field = "", None
            elif field is None:
                run += char
            else:
                field += char
        out.append(run if field is None else "{" + field + "}")
    return "#".join(p for p in out if p)


def _pattern(decl: PatternDeclaration, table: Table) -> PatternDesign:
    names = tuple(e if isinstance(e, str) else _entity_name(e, table) for e in decl.entities)
    return PatternDesign(
        name=decl.name,
        entities=names,
        op=decl.op,
        index=decl.index,
        given=decl.given,
        sort=decl.sort,
        descending=decl.descending,
        limit=decl.limit,
        doc=decl.doc,
        source=f"{decl.file}:{decl.line}",
    )


def _entity_name(cls: Any, table: Table) -> str:
    for decl in table.entities:
        if decl.cls is cls:
            return decl.name
    return getattr(cls, "__name__", repr(cls))
