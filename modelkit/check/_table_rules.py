"""Rules on the table as a whole: index limits, attribute clashes, TTL, item size."""

from __future__ import annotations

from collections.abc import Iterator

from modelkit.check._findings import Finding, error, warning
from modelkit.schema import DesignKeys, TableDesign

MAX_GSIS = 20
MAX_LSIS = 5
MAX_ITEM_BYTES = 400 * 1024
ITEM_WARN_BYTES = 300 * 1024
#: Typical size of one key attribute's value, for the item-size estimate.
KEY_VALUE_ESTIMATE = 100


def index_limits(design: TableDesign, keys: DesignKeys) -> Iterator[Finding]:
    if len(design.gsis) > MAX_GSIS:
        yield error(
            "too-many-gsis",
            f"declares {len(design.gsis)} GSIs; DynamoDB allows {MAX_GSIS} per table",
            hint="overload GSIs: let several entities share one index with generic attribute "
            "names (GSI1PK/GSI1SK)",
            where=design.source,
        )
    if len(design.lsis) > MAX_LSIS:
        yield error(
            "too-many-lsis",
            f"declares {len(design.lsis)} LSIs; DynamoDB allows {MAX_LSIS} per table",
            hint="use GSIs instead",
            where=design.source,
        )
    for lsi in design.lsis:
        yield warning(
            "lsi-size-cap",
            "an LSI caps every item collection (all items of one partition key value) at "
            "10 GB, and such collections are never split for heat",
            index=lsi.name,
            hint="prefer a GSI unless you need strongly consistent reads on this index; LSIs "
            "can only be created with the table",
            where=design.source,
        )


def attribute_clashes(design: TableDesign, keys: DesignKeys) -> Iterator[Finding]:
    """Entity fields stored under a name modelkit writes itself (key or type attributes)."""
    reserved = {
        a: f"key attribute of index {i.name}" for i in design.indexes for a in (i.pk, i.sk) if a
    }
    reserved[design.type_attribute] = "entity type attribute"
    for entity in design.entities:
        for field in entity.fields:
            name = field.attribute or field.name
            if name in reserved:
                yield error(
                    "attribute-clash",
                    f"field {field.name!r} is stored as {name!r}, the table's {reserved[name]}",
                    entity=entity.name,
                    hint="rename the field (or its stored name); modelkit writes that "
                    "attribute from the key templates",
                    where=entity.source,
                )


def type_values(design: TableDesign, keys: DesignKeys) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for entity in design.entities:
        other = seen.setdefault(entity.type_value, entity.name)
        if other != entity.name:
            yield error(
                "duplicate-type",
                f"has type value {entity.type_value!r}, like {other}",
                entity=entity.name,
                hint="give each entity its own type_value",
                where=entity.source,
            )


def ttl_fields(design: TableDesign, keys: DesignKeys) -> Iterator[Finding]:
    for entity in design.entities:
        if entity.ttl_field is None:
            continue
        field = entity.field(entity.ttl_field)
        if field is None:
            continue
        base = field.type.replace(" | None", "")
        if base not in ("datetime", "int"):
            yield error(
                "ttl-type",
                f"TTL field {field.name!r} is {field.type}; DynamoDB's TTL needs a time "
                "(modelkit stores datetime or int epoch seconds as a number)",
                entity=entity.name,
                hint="declare the field as datetime (timezone-aware) or int epoch seconds",
                where=entity.source,
            )
        if design.ttl_attribute is None:
            yield error(
                "ttl-without-table-ttl",
                f"declares TTL field {field.name!r} but the table has no ttl attribute",
                entity=entity.name,
                hint="pass ttl='expires_at' (or another name) to Table(...)",
                where=entity.source,
            )


def item_sizes(design: TableDesign, keys: DesignKeys) -> Iterator[Finding]:
    """Declared bounds that let an item approach DynamoDB's 400 KB item limit."""
    for entity in design.entities:
        total = 0
        for field in entity.fields:
            if field.max_bytes is not None:
                total += len((field.attribute or field.name).encode()) + field.max_bytes
        total += sum(len(a) + KEY_VALUE_ESTIMATE for a in design.key_attributes())
        if total >= ITEM_WARN_BYTES:
            verdict = "exceeds" if total > MAX_ITEM_BYTES else "approaches"
            yield warning(
                "item-size",
                f"declared field bounds allow items of about {total // 1024} KB, which "
                f"{verdict} DynamoDB's 400 KB item limit",
                entity=entity.name,
                hint="keep large payloads in S3 and store a pointer, or split the item into "
                "several items of one collection",
                where=entity.source,
            )
