"""Rules on named access patterns: they must name real things and be answerable by a key."""

from __future__ import annotations

from collections.abc import Iterator

from modelkit.check._findings import Finding, error, warning
from modelkit.check._key_rules import segments_overlap
from modelkit.keys import SORT_OPS
from modelkit.schema import PRIMARY, DesignKeys, PatternDesign, TableDesign

OPS = ("get", "query", "put", "update", "delete", "scan", "batch_get", "transaction")
NEEDS_FULL_KEY = ("get", "update", "delete", "batch_get")


def pattern_rules(design: TableDesign, keys: DesignKeys) -> Iterator[Finding]:
    for pattern in design.patterns:
        yield from _pattern(design, keys, pattern)


def _pattern(design: TableDesign, keys: DesignKeys, p: PatternDesign) -> Iterator[Finding]:
    at = {"pattern": p.name, "where": p.source}
    if p.op not in OPS:
        yield error("pattern-op", f"unknown operation {p.op!r}", hint=f"use one of {OPS}", **at)
        return
    index_names = [i.name for i in design.indexes]
    if p.index not in index_names:
        yield error(
            "pattern-index",
            f"names unknown index {p.index!r}",
            hint=f"known: {', '.join(index_names)}",
            **at,
        )
        return
    known = [e.name for e in design.entities]
    unknown = [e for e in p.entities if e not in known]
    if unknown or not p.entities:
        yield error(
            "pattern-entity",
            f"names unknown entity {', '.join(unknown) or '(none)'}",
            hint=f"known: {', '.join(known)}",
            **at,
        )
        return
    if p.limit is not None and p.limit <= 0:
        yield error("pattern-limit", f"limit must be positive, not {p.limit}", **at)
    if p.sort is not None and p.sort not in SORT_OPS:
        yield error(
            "pattern-sort",
            f"unknown sort condition {p.sort!r}",
            hint=f"use one of {SORT_OPS}",
            **at,
        )
        return
    if p.op == "scan":
        yield warning(
            "scan",
            "reads the whole table (or index) and pays for every item read, filtered or not",
            hint="serve it with a query on a GSI keyed for it; keep scans for exports and "
            "migrations",
            **at,
        )
        return
    if p.index != PRIMARY and p.op in ("put", "update", "delete", "batch_get", "transaction"):
        yield error(
            "pattern-index-op",
            f"{p.op} works on the table key, not on index {p.index}",
            hint="drop index=... for writes",
            **at,
        )
        return
    found = [f for name in p.entities for f in _entity_in_pattern(keys, p, name, at)]
    yield from found
    yield from _collection(keys, p, at)
    if not found:
        yield from _shared_partition(design, keys, p, at)


def _entity_in_pattern(
    keys: DesignKeys, p: PatternDesign, name: str, at: dict[str, str]
) -> Iterator[Finding]:
    formats = keys[name].formats.get(p.index)
    if formats is None:
        yield error(
            "pattern-entity-index",
            f"entity {name} has no key in index {p.index}",
            hint=f"add {p.index!r}: Key(...) to the entity's indexes",
            **at,
        )
        return
    pk, sk = formats
    fields = {f.name for f in keys[name].entity.fields}
    unknown = [g for g in p.given if g not in fields]
    if unknown and len(p.entities) == 1:
        yield error("pattern-field", f"gives unknown field(s) {', '.join(unknown)} of {name}", **at)
        return
    if p.op in ("put", "transaction") and not p.given:
        return
    missing = [f for f in pk.fields if f not in p.given]
    if missing:
        yield error(
            "pattern-partition",
            f"does not give {', '.join(missing)}, which {name}'s partition key "
            f"{pk.template.text!r} needs",
            hint="every query names one partition; add the fields to given=[...]",
            template=pk.template.text,
            **at,
        )
        return
    if sk is None:
        return
    leading = 0
    while leading < len(sk.fields) and sk.fields[leading] in p.given:
        leading += 1
    stray = [f for f in sk.fields[leading:] if f in p.given]
    if stray:
        yield error(
            "pattern-sort-order",
            f"gives {', '.join(stray)} but not the sort-key fields before it in "
            f"{sk.template.text!r}",
            hint="a sort-key condition can fix only a leading run of fields",
            template=sk.template.text,
            **at,
        )
        return
    complete = leading == len(sk.fields)
    if p.op in NEEDS_FULL_KEY and p.index == PRIMARY and not complete:
        yield error(
            "pattern-key",
            f"{p.op} needs the whole key; {', '.join(sk.fields[leading:])} of "
            f"{sk.template.text!r} is not given",
            template=sk.template.text,
            **at,
        )
    if p.sort in ("between", "gt", "ge", "lt", "le") and complete:
        yield error(
            "pattern-range",
            f"a {p.sort} condition needs a sort-key field after the given ones in "
            f"{sk.template.text!r}",
            template=sk.template.text,
            **at,
        )


def _collection(keys: DesignKeys, p: PatternDesign, at: dict[str, str]) -> Iterator[Finding]:
    if len(p.entities) < 2 or p.op != "query":
        return
    texts = {
        keys[n].formats[p.index][0].template.text for n in p.entities if p.index in keys[n].formats
    }
    if len(texts) > 1:
        yield error(
            "pattern-collection",
            f"reads one item collection but the entities' partition keys differ: "
            f"{', '.join(sorted(texts))}",
            hint="entities read together must share the partition key template in that index",
            **at,
        )


def _shared_partition(
    design: TableDesign, keys: DesignKeys, p: PatternDesign, at: dict[str, str]
) -> Iterator[Finding]:
    """A query whose sort-key condition has no fixed text in front also reads the items of
    other entities that share the partition, and pays for them."""
    if p.op != "query" or len(p.entities) != 1:
        return
    name = p.entities[0]
    pk, sk = keys[name].formats[p.index]
    if sk is None:
        return
    first = sk.template.segments[0]
    if first.field is None or first.field in p.given:
        return
    others = [
        other.name
        for other in design.entities
        if other.name != name
        and p.index in keys[other.name].formats
        and segments_overlap(pk, keys[other.name].formats[p.index][0])
    ]
    if others:
        yield warning(
            "pattern-shared-partition",
            f"{name}'s sort key {sk.template.text!r} starts with a field, so this query also "
            f"reads {', '.join(others)} items of the same partition (and pays for them)",
            hint=f"lead the sort key with fixed text (e.g. '{name.upper()}#{{{first.field}}}') "
            "so the condition stays inside the entity's own key range",
            entity=name,
            index=p.index,
            template=sk.template.text,
            **at,
        )
