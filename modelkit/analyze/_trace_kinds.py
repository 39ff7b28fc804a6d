"""What a trace row touches, by its kind: a named pattern, or an op on an entity.

A read (get, query, batch_get) touches the pattern's index (the table for op rows); a write
(put, update, delete, transaction) the table and every secondary index where the entity has a
key, a secondary index only for rows carrying its partition key fields; a scan nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from modelkit.analyze._trace_rows import RawKind
from modelkit.schema._design import PRIMARY, EntityDesign, TableDesign

READS = frozenset({"get", "query", "batch_get"})
WRITES = frozenset({"put", "update", "delete", "transaction"})
OPS = READS | WRITES | {"scan"}


@dataclass(frozen=True)
class Target:
    """An index a kind of request touches, with its key templates' fields and texts;
    ``required``: a row without the partition key fields is malformed (else: not indexed)."""

    index: str
    pk: tuple[str, ...]
    sk: tuple[str, ...]
    pk_text: str
    sk_text: str
    required: bool


@dataclass(frozen=True)
class Plan:
    """A kind of request: its name in the summary and what it touches."""

    kind: str
    pattern: str | None
    op: str
    entity: str
    index: str
    targets: tuple[Target, ...]


def plan_of(design: TableDesign, raw: RawKind) -> Plan:
    """What a row of this kind touches; ValueError saying what is wrong with the kind."""
    pattern, op, name = raw
    if pattern is not None:
        found = [p for p in design.patterns if p.name == pattern]
        if not found:
            raise ValueError(f"unknown pattern {pattern!r}")
        pat = found[0]
        if op is not None and op != pat.op:
            raise ValueError(f"op {op!r} does not match pattern {pattern!r} (op {pat.op!r})")
        name = name or pat.entities[0]
        if name not in pat.entities:
            raise ValueError(f"entity {name!r} is not one of {pattern!r}'s: {pat.entities}")
        op, index = pat.op, pat.index
        kind = pattern if name == pat.entities[0] else f"{pattern} ({name})"
    elif op is not None:
        if op not in OPS:
            raise ValueError(f"unknown op {op!r} (expected one of {', '.join(sorted(OPS))})")
        if name is None:
            raise ValueError(f"op {op!r} needs an entity")
        index, kind = PRIMARY, f"{op} {name}"
    else:
        raise ValueError("a row needs a pattern, or an op and an entity")
    entities = {e.name: e for e in design.entities}
    if name not in entities:
        raise ValueError(f"unknown entity {name!r}")
    entity = entities[name]
    if op in READS:
        targets = [_target(entity, index, True)]
        if None in targets:
            raise ValueError(f"entity {name!r} has no key on index {index!r}")
    elif op in WRITES:  # the table, and the indexes where the entity has a key
        targets = [_target(entity, i.name, i.name == PRIMARY) for i in design.indexes]
    else:
        targets = []
    return Plan(kind, raw[0], op, name, index, tuple(t for t in targets if t is not None))


def _target(entity: EntityDesign, index: str, required: bool) -> Target | None:
    key = entity.key(index)
    if key is None:
        return None
    sk = key.sk.fields if key.sk else ()
    return Target(index, key.pk.fields, sk, key.pk.text, key.sk.text if key.sk else "", required)
