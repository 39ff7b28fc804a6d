"""What ``show`` displays, as plain data: indexes with their entities, and patterns."""

from __future__ import annotations

from typing import Any

import msgspec

from modelkit.keys import DELIMITER
from modelkit.schema import PRIMARY, PatternDesign, TableDesign, keys_for
from modelkit.schema._examples import example_item

_RANGE_TEXT = {
    "between": "{lhs} BETWEEN {low} AND {high}",
    "gt": "{lhs} > {low}",
    "ge": "{lhs} >= {low}",
    "lt": "{lhs} < {low}",
    "le": "{lhs} <= {low}",
}


def table_view(design: TableDesign) -> dict[str, Any]:
    """The table as a person reads it, like NoSQL Workbench facets."""
    return {
        "table": design.name,
        "doc": design.doc,
        "billing": msgspec.to_builtins(design.billing),
        "ttl_attribute": design.ttl_attribute,
        "stream": design.stream,
        "replicas": list(design.replicas),
        "type_attribute": design.type_attribute,
        "key_attributes": list(design.key_attributes()),
        "indexes": [_index_view(design, i.name) for i in design.indexes],
        "patterns": [pattern_view(design, p) for p in design.patterns],
    }


def _index_view(design: TableDesign, name: str) -> dict[str, Any]:
    index = design.index(name)
    rows = []
    for entity in design.entities:
        key = entity.key(name)
        if key is None:
            continue
        example = example_item(design, entity.name)
        shown = {k: _plain(v) for k, v in example.items()}
        rows.append(
            {
                "entity": entity.name,
                "pk": key.pk.text,
                "sk": key.sk.text if key.sk else None,
                "sparse": name != PRIMARY and _is_sparse(entity.fields, key),
                "example": shown,
            }
        )
    return {
        "name": name,
        "kind": index.kind,
        "pk": index.pk,
        "sk": index.sk,
        "projection": index.projection.kind,
        "entities": rows,
    }


def _is_sparse(fields: Any, key: Any) -> bool:
    names = set(key.pk.fields) | set(key.sk.fields if key.sk else ())
    return any(f.optional for f in fields if f.name in names)


def _plain(value: Any) -> Any:
    return msgspec.to_builtins(value, enc_hook=str)


def pattern_view(design: TableDesign, pattern: PatternDesign) -> dict[str, Any]:
    return {
        "name": pattern.name,
        "op": pattern.op,
        "entities": list(pattern.entities),
        "index": pattern.index,
        "condition": key_condition_text(design, pattern),
        "descending": pattern.descending,
        "limit": pattern.limit,
    }


def key_condition_text(design: TableDesign, pattern: PatternDesign) -> str:
    """``PK = "CUSTOMER#{customer_id}" AND SK BETWEEN "ORDER#{placed_at}" AND ...``."""
    if pattern.op == "scan":
        return "(whole index)"
    if pattern.op in ("put", "transaction") and not pattern.given:
        return "(item keys)"
    try:
        index = design.index(pattern.index)
        formats = keys_for(design)[pattern.entities[0]].formats[pattern.index]
    except KeyError:
        return "(invalid: see modelkit check)"
    pk, sk = formats
    text = f'{index.pk} = "{pk.template.text}"'
    if sk is None or index.sk is None:
        return text
    if len(pattern.entities) > 1:
        return _collection_condition(design, pattern, text, index.sk)
    leading = 0
    while leading < len(sk.fields) and sk.fields[leading] in pattern.given:
        leading += 1
    if leading == len(sk.fields) and pattern.sort in (None, "eq", "prefix"):
        return f'{text} AND {index.sk} = "{sk.template.text}"'
    segments = sk.template.segments
    cut = next(
        (i for i, s in enumerate(segments) if s.field is not None and s.field not in pattern.given),
        len(segments),
    )
    prefix = DELIMITER.join(s.text or "{" + str(s.field) + "}" for s in segments[:cut])
    prefix = prefix + DELIMITER if prefix else ""
    op = pattern.sort or "prefix"
    if op in ("prefix", "eq"):
        return f'{text} AND begins_with({index.sk}, "{prefix}")' if prefix else text
    field = segments[cut].field
    low = f'"{prefix}{{{field}}}"'
    high = f'"{prefix}{{{field}:to}}"'
    if op == "between":
        low = f'"{prefix}{{{field}:from}}"'
    return f"{text} AND " + _RANGE_TEXT[op].format(lhs=index.sk, low=low, high=high)


def _collection_condition(design: TableDesign, pattern: PatternDesign, text: str, sk: str) -> str:
    """Several entities: only the sort-key segments they all share can narrow the query."""
    keys = keys_for(design)
    templates = [keys[e].formats[pattern.index][1] for e in pattern.entities]
    runs = [t.template.segments for t in templates if t is not None]
    common = []
    for column in zip(*runs, strict=False):
        first = column[0]
        if any(s != first for s in column) or (
            first.field is not None and first.field not in pattern.given
        ):
            break
        common.append(first.text or "{" + str(first.field) + "}")
    if len(common) < min(len(r) for r in runs):
        prefix = DELIMITER.join(common)
        return f'{text} AND begins_with({sk}, "{prefix}{DELIMITER}")' if prefix else text
    return f'{text} AND {sk} = "{DELIMITER.join(common)}"'
