"""Check a decoded workload against the schema: names it must know, numbers it can take.

Each problem is a :class:`~modelkit.errors.WorkloadError` at the line of the value (through
:class:`modelkit.analyze._locate.Document`); the first one found is raised.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from pathlib import Path

from modelkit.analyze._distributions import Sample
from modelkit.analyze._locate import Document, Step
from modelkit.analyze._shorthand import distribution_problem
from modelkit.analyze._workload import EntityLoad, PatternLoad, TableLoad, Workload
from modelkit.schema import PatternDesign, Provisioned, TableDesign

MAX_ITEM_BYTES = 400 * 1024
"""DynamoDB's item size limit, 400 KB."""

_LIST_AT_MOST = 12


def check_workload(workload: Workload, design: TableDesign, doc: Document, folder: Path) -> None:
    """Raise a :class:`WorkloadError` for the first thing in ``workload`` that ``design``
    cannot take; relative files are looked for in ``folder``."""
    _table(workload.table, design, doc)
    for name, entity in workload.entities.items():
        _entity(name, entity, design, doc)
    patterns = {p.name: p for p in design.patterns}
    for name, load in workload.patterns.items():
        at: list[Step] = ["patterns", name]
        pattern = patterns.get(name)
        if pattern is None:
            raise doc.error(at, _unknown("the schema has no pattern", name, patterns))
        _pattern(pattern, load, design, doc, folder)
    if workload.cache.size_mb is not None and not workload.cache.size_mb > 0:
        raise doc.error(
            ["cache", "size_mb"], f"must be more than 0, got {workload.cache.size_mb:g}"
        )
    if workload.trace is not None and not (folder / workload.trace.path).is_file():
        raise doc.error(["trace", "path"], _missing(folder, workload.trace.path, "trace"))


def close_match(name: str, names: Iterable[str]) -> str:
    """`` (did you mean 'rate'?)`` when one of ``names`` is close to ``name``, else ``""``."""
    found = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return f" (did you mean {found[0]!r}?)" if found else ""


def _unknown(what: str, name: str, names: Iterable[str]) -> str:
    names = list(names)
    text = f"{what} {name!r}{close_match(name, names)}"
    if not names:
        return f"{text}; it has none"
    if len(names) <= _LIST_AT_MOST:
        return f"{text}; it has {', '.join(repr(n) for n in names)}"
    return text


def _table(table: TableLoad, design: TableDesign, doc: Document) -> None:
    declared = design.billing if isinstance(design.billing, Provisioned) else None
    billing = table.billing or ("provisioned" if declared else "on-demand")
    for unit in ("rcu", "wcu"):
        value = getattr(table, unit)
        if value is not None and not value > 0:
            raise doc.error(["table", unit], f"must be more than 0 units per second, got {value:g}")
        if billing == "provisioned" and value is None and declared is None:
            raise doc.error(
                ["table", "billing"],
                f"provisioned billing needs rcu and wcu (the table's read and write units per "
                f"second), and the schema gives none: add {unit} = ... to [table]",
            )
    if table.previous_peak is not None:
        for side in ("reads", "writes"):
            value = getattr(table.previous_peak, side)
            if not value >= 0:
                raise doc.error(
                    ["table", "previous_peak", side], f"cannot be negative, got {value:g}"
                )
    gsis = [i.name for i in design.gsis]
    for name, capacity in table.indexes.items():
        if name not in gsis:
            raise doc.error(
                ["table", "indexes", name], _unknown("the table has no GSI", name, gsis)
            )
        for side in ("reads", "writes"):
            value = getattr(capacity, side)
            if not value >= 0:
                raise doc.error(["table", "indexes", name, side], f"cannot be negative: {value:g}")


def _entity(name: str, load: EntityLoad, design: TableDesign, doc: Document) -> None:
    at: list[Step] = ["entities", name]
    entities = [e.name for e in design.entities]
    if name not in entities:
        raise doc.error(at, _unknown("the schema has no entity", name, entities))
    if not (math.isfinite(load.items) and load.items >= 0):
        raise doc.error(
            [*at, "items"], f"(how many the table holds) must be 0 or more, got {load.items:g}"
        )
    size = load.item_size
    if size is not None and not 0 < size <= MAX_ITEM_BYTES:
        raise doc.error(
            [*at, "item_size"],
            f"must be more than 0 and at most 400 KB ({MAX_ITEM_BYTES:,} bytes), got {size:g}",
        )
    entity = design.entity(name)
    secondary = [i.name for i in design.indexes if i.kind != "table"]
    for index, fraction in load.indexed.items():
        if index not in secondary:
            raise doc.error(
                [*at, "indexed", index],
                _unknown("the table has no secondary index", index, secondary),
            )
        if entity.key(index) is None:
            raise doc.error([*at, "indexed", index], f"entity {name} has no key in {index}")
        if not 0 <= fraction <= 1:
            raise doc.error(
                [*at, "indexed", index],
                f"is the fraction of {name} items in {index}, between 0 and 1; got {fraction:g}",
            )


def _pattern(
    pattern: PatternDesign, load: PatternLoad, design: TableDesign, doc: Document, folder: Path
) -> None:
    at: list[Step] = ["patterns", pattern.name]
    if not (math.isfinite(load.rate) and load.rate > 0):
        sign = (
            "0"
            if load.rate == 0
            else f"negative ({load.rate:g})"
            if load.rate < 0
            else "not a number"
        )
        raise doc.error(
            [*at, "rate"],
            f"the rate is {sign}; give the peak requests per second (more than 0), "
            "or leave out a pattern that never runs",
        )
    if load.profile is not None:
        if len(load.profile) != 24:
            raise doc.error(
                [*at, "profile"],
                f"needs 24 hourly values (hour 0 first), got {len(load.profile)}",
            )
        for hour, value in enumerate(load.profile):
            if not 0 <= value <= 1:
                raise doc.error(
                    [*at, "profile", hour],
                    f"hour {hour}: {value:g} is not between 0 and 1 (a multiple of the peak rate)",
                )
    _items(pattern, load, doc)
    entities = [design.entity(e) for e in pattern.entities]
    names = ", ".join(pattern.entities)
    fields = {f.name for e in entities for f in e.fields}
    key_fields = sorted(
        {name for e in entities for k in e.keys for t in (k.pk, k.sk) if t for name in t.fields}
    )
    for field, dist in load.keys.items():
        where: list[Step] = [*at, "keys", field]
        if field not in fields:
            raise doc.error(
                where,
                f"{names} has no field {field!r}{close_match(field, fields)}; "
                f"key fields: {', '.join(key_fields)}",
            )
        problem = distribution_problem(dist)
        if problem:
            raise doc.error(where, problem)
        if isinstance(dist, Sample) and not (folder / dist.path).is_file():
            raise doc.error(where, _missing(folder, dist.path, "values"))
    index = next(i for i in design.indexes if i.name == pattern.index)
    if load.consistency != "eventual" and index.kind == "gsi":
        raise doc.error(
            [*at, "consistency"],
            f"is {load.consistency!r}, but the pattern reads GSI {index.name}, and GSIs serve "
            "only eventually consistent reads; use 'eventual'",
        )
    if load.sets is not None:
        if pattern.op != "update":
            raise doc.error(
                [*at, "sets"], f"is only for update patterns; this one is a {pattern.op}"
            )
        for i, field in enumerate(load.sets):
            if field not in fields:
                raise doc.error([*at, "sets", i], _unknown(f"{names} has no field", field, fields))
    secondary = [i.name for i in design.indexes if i.kind != "table"]
    for name in load.index_changes:
        if name not in secondary:
            raise doc.error(
                [*at, "index_changes", name],
                _unknown("the table has no secondary index", name, secondary),
            )


def _items(pattern: PatternDesign, load: PatternLoad, doc: Document) -> None:
    at: list[Step] = ["patterns", pattern.name, "items"]
    if isinstance(load.items, int) and load.items < 1:
        raise doc.error(at, f"(items per request) must be at least 1, got {load.items}")
    if isinstance(load.items, dict):
        for entity, count in load.items.items():
            if entity not in pattern.entities:
                raise doc.error(
                    [*at, entity], _unknown("the pattern has no entity", entity, pattern.entities)
                )
            if count < 0:
                raise doc.error([*at, entity], f"cannot be negative, got {count}")


def _missing(folder: Path, path: str, what: str) -> str:
    return f"{what} file {path!r} not found (looked for {folder / path})"
