"""Rules on key templates: collisions between entities, hot-key smells, optional key fields."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from modelkit.check._findings import Finding, error, warning
from modelkit.keys import KeyFormat
from modelkit.keys._codecs import IntCodec
from modelkit.schema import PRIMARY, DesignKeys, TableDesign

WRITE_OPS = frozenset({"put", "update", "transaction"})
#: An int key field with fewer values than this is a shard number, not an id.
SMALL_RANGE = 1000


def segments_overlap(a: KeyFormat, b: KeyFormat) -> bool:
    """True if some value of ``a``'s fields and some of ``b``'s give the same key text."""
    sa, sb = a.template.segments, b.template.segments
    if len(sa) != len(sb):
        return False
    for x, y in zip(sa, sb, strict=True):
        if x.field is None and y.field is None:
            if x.text != y.text:
                return False
        elif x.field is None:
            if not b.codecs[y.field].can_produce(x.text):  # type: ignore[index]
                return False
        elif y.field is None:
            if not a.codecs[x.field].can_produce(y.text):
                return False
        elif not a.codecs[x.field].overlaps(b.codecs[y.field]):
            return False
    return True


def primary_key_collisions(design: TableDesign, keys: DesignKeys) -> Iterator[Finding]:
    """Two entities whose primary keys can coincide: the second write would overwrite the first."""
    for a, b in combinations(design.entities, 2):
        fa, fb = keys[a.name].formats.get(PRIMARY), keys[b.name].formats.get(PRIMARY)
        if fa is None or fb is None:
            continue
        pk_clash = segments_overlap(fa[0], fb[0])
        sk_clash = (fa[1] is None and fb[1] is None) or (
            fa[1] is not None and fb[1] is not None and segments_overlap(fa[1], fb[1])
        )
        if pk_clash and sk_clash:
            shown = f"{_pair(fa)} and {b.name}'s {_pair(fb)}"
            yield error(
                "key-collision",
                f"primary keys of {a.name} and {b.name} can be equal: {a.name}'s {shown}; "
                f"writing one would silently overwrite the other",
                entity=f"{a.name}, {b.name}",
                index=PRIMARY,
                hint="give each entity its own fixed text in the sort key (e.g. 'ORDER#{id}' vs "
                "'INVOICE#{id}') or in the partition key",
                where=b.source,
            )


def _pair(fmt: tuple[KeyFormat, KeyFormat | None]) -> str:
    pk, sk = fmt
    return f"({pk.template.text!r}, {sk.template.text!r})" if sk else repr(pk.template.text)


def partition_key_smells(design: TableDesign, keys: DesignKeys) -> Iterator[Finding]:
    """Partition keys that put many items on few partitions."""
    for entity in design.entities:
        for index, (pk, _sk) in keys[entity.name].formats.items():
            at = {
                "entity": entity.name,
                "index": index,
                "template": pk.template.text,
                "where": entity.source,
            }
            if not pk.fields:
                yield warning(
                    "constant-partition-key",
                    "has no field: every item of the entity shares one partition, capped at "
                    "3,000 read and 1,000 write units per second",
                    hint="put a high-cardinality field (an id) in the partition key, or shard it "
                    "with a calculated suffix such as '{shard}' from hash(id) % N",
                    **at,
                )
            elif all(pk.codecs[f].low_cardinality for f in pk.fields):
                kinds = ", ".join(f"{f} ({pk.codecs[f].describe()})" for f in pk.fields)
                yield warning(
                    "low-cardinality-partition-key",
                    f"only has low-cardinality fields: {kinds}; a few values take all the "
                    "traffic (a status, a flag or a day is a hot partition)",
                    hint="add a high-cardinality field, or a shard suffix computed from the "
                    "item id, to spread the load",
                    **at,
                )


def partition_spread(pk: KeyFormat) -> int | None:
    """How many partition key values take writes at once, when that number is small.

    A date field counts once: at any time, writes go to today's value.
    """
    count = 1
    for name in pk.fields:
        codec = pk.codecs[name]
        texts = codec.finite_texts()
        if texts is not None:
            count *= len(texts)
        elif isinstance(codec, IntCodec) and codec.high - codec.low < SMALL_RANGE:
            count *= codec.high - codec.low + 1
        elif codec.kind == "date":
            continue
        else:
            return None
    return count


def monotonic_sort_keys(design: TableDesign, keys: DesignKeys) -> Iterator[Finding]:
    """A time-ordered sort key, written, in a partition key with few values: the writes of the
    whole entity land at the end of a few key ranges, which splitting for heat cannot spread."""
    written = {e for p in design.patterns if p.op in WRITE_OPS for e in p.entities}
    for entity in design.entities:
        if entity.name not in written:
            continue
        for index, (pk, sk) in keys[entity.name].formats.items():
            if sk is None or not sk.fields:
                continue
            lead = sk.fields[0]
            spread = partition_spread(pk)
            if sk.codecs[lead].kind not in ("datetime", "date") or spread is None:
                continue
            yield warning(
                "monotonic-sort-key",
                f"starts with {lead} ({sk.codecs[lead].kind}), which only grows, and the "
                f"partition key {pk.template.text!r} takes writes on at most {spread} "
                "value(s) at a time: every write lands at the end of a few key ranges, which "
                "splitting for heat cannot spread (at most 1,000 writes/s each)",
                entity=entity.name,
                index=index,
                template=sk.template.text,
                hint="shard the partition key over more values (e.g. hash(id) % N with N "
                "sized for the peak write rate) or lead the sort key with an id",
                where=entity.source,
            )


def optional_primary_fields(design: TableDesign, keys: DesignKeys) -> Iterator[Finding]:
    """Primary key fields that may be None: such an item could never be written."""
    for entity in design.entities:
        key = entity.key(PRIMARY)
        if key is None:
            continue
        for template in (key.pk, key.sk):
            if template is None:
                continue
            for name in template.fields:
                field = entity.field(name)
                if field is not None and field.optional:
                    yield error(
                        "optional-primary-field",
                        f"field {name!r} may be None, but the primary key needs it",
                        entity=entity.name,
                        index=PRIMARY,
                        template=template.text,
                        hint="make the field required; optional fields belong in sparse index keys",
                        where=entity.source,
                    )
