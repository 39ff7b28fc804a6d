"""Numbers as people read them, and the report's sections as rows of text.

The text and Markdown renderers draw the same :class:`Section` values, so both say the same
thing. Units per second read ``1,234``; percentages carry at most one decimal (``45.3%``,
``140%``); money reads ``$1,234.56``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from modelkit.analyze._report import (
    VERDICT_TEXT,
    Comparison,
    CostReport,
    IndexReport,
    PartitionLoad,
    Score,
    TableReport,
    timeline_totals,
)

DASH = "-"
COST_COLUMNS: dict[str, str] = {
    "on-demand": "on-demand",
    "provisioned": "provisioned",
    "provisioned-autoscaled": "provisioned + auto scaling",
}


def number(value: float) -> str:
    """``12,345``; ``12.5``; ``0.25``: fewer decimals as the value grows."""
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:,.1f}"
    else:
        text = f"{value:,.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def count(value: float) -> str:
    return f"{value:,.0f}"


def plural(value: float, noun: str) -> str:
    return f"{count(value)} {noun}" + ("" if value == 1 else "s")


def pct(value: float) -> str:
    """A percentage already in percent: one decimal below 100, none above."""
    if value != 0 and abs(value) < 0.05:
        return "<0.1%" if value > 0 else "-<0.1%"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}".removesuffix(".0")
    return ("0" if text == "-0" else text) + "%"


def fraction(value: float) -> str:
    """A fraction (0.29) as a percentage (29%)."""
    return pct(value * 100)


def money(value: float) -> str:
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def size_bytes(value: float) -> str:
    if value < 1024:
        return f"{value:,.0f} B"
    return f"{number(value / 1024)} KB"


def gb(value: float) -> str:
    return f"{number(value)} GB"


def score(s: Score) -> str:
    return f"{s.value}/100 {s.grade}"


def score_line(s: Score) -> str:
    return f"score {score(s)}: {VERDICT_TEXT[s.verdict]}"


@dataclass(frozen=True)
class Section:
    """A titled table of text cells; ``right`` columns hold numbers, ``code`` columns keys.

    ``detail``: a column of long prose that a terminal shows under the table, one line a row.
    """

    title: str
    headers: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    right: frozenset[int] = frozenset()
    code: frozenset[int] = frozenset()
    notes: list[str] = field(default_factory=list)
    detail: int | None = None


def table_title(t: TableReport) -> str:
    return f"table {t.table}"


def table_facts(t: TableReport) -> list[str]:
    return [f"schema {t.schema}", f"workload {t.workload}", f"billing {t.billing}"]


def hottest(index: IndexReport) -> PartitionLoad | None:
    loads = index.hot_partitions or index.partition_loads
    return max(loads, key=lambda p: max(p.read_pct, p.write_pct), default=None)


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split(" | "))


def comparison_section(c: Comparison) -> Section:
    rows = []
    for r in c.ranking:
        cells = (str(r.rank), r.schema, r.table, f"{r.score}/100 {r.grade}")
        rows.append((*cells, VERDICT_TEXT[r.verdict], money(r.monthly_cost), r.why))
    headers = _cols("rank | schema | table | score | verdict | monthly cost | why")
    notes = [f"winner: {c.winner}: {c.why}"]
    return Section("ranking", headers, rows, frozenset({0, 5}), frozenset({1}), notes)


def table_sections(t: TableReport) -> list[Section]:
    sections = [_indexes(t), _hot_keys(t), _hot_partitions(t), _patterns(t), _entities(t)]
    fixes = [(f.kind, f.target, f.summary) for f in t.fixes]
    sections.append(Section("fixes", ("fix", "target", "what it does"), fixes))
    sections.append(_cost(t.cost, t.billing))
    return [s for s in sections if s.rows]


def assumptions(t: TableReport) -> list[str]:
    """The table's assumptions, then the patterns' that it does not already hold."""
    own = list(t.assumptions)
    return own + [f"{p.name}: {a}" for p in t.patterns for a in p.assumptions if a not in own]


def _indexes(t: TableReport) -> Section:
    rows, notes = [], []
    for i in t.indexes:
        top = hottest(i)
        hot = (pct(top.read_pct), pct(top.write_pct)) if top else (DASH, DASH)
        units = (count(i.partitions), number(i.read_units), number(i.write_units))
        rows.append((i.name, i.kind, *units, *hot, score(i.score), VERDICT_TEXT[i.score.verdict]))
        notes.append(
            f"{i.name}: {plural(i.partitions, 'partition')} ({i.partitions_reason}); "
            f"{gb(i.size_gb)}, {count(i.key_values)} key values"
        )
        notes += list(i.score.reasons)
    if t.timeline:
        notes.append(_busiest(t))
    headers = _cols("index | kind | partitions | reads/s | writes/s")
    headers += _cols("hot read % | hot write % | score | verdict")
    return Section("indexes", headers, rows, frozenset(range(2, 7)), notes=notes)


def _busiest(t: TableReport) -> str:
    totals = timeline_totals(t.timeline)
    time, (reads, writes) = max(totals.items(), key=lambda kv: kv[1][0] + 3 * kv[1][1])
    return (
        f"timeline: {len(totals)} points; busiest {time} with {number(reads)} read and "
        f"{number(writes)} write units/s over all indexes"
    )


def _hot_keys(t: TableReport) -> Section:
    rows = []
    for k in (k for i in t.indexes for k in i.hot_keys):
        cells = (k.index, k.key, pct(k.read_pct), pct(k.write_pct), fraction(k.headroom))
        item = f"{number(k.item_read_units)} R / {number(k.item_write_units)} W"
        rows.append((*cells, item, VERDICT_TEXT[k.verdict], k.reason))
    headers = _cols("index | key | read % | write % | headroom | item load | verdict | why")
    right = frozenset({2, 3, 4, 5})
    return Section("hottest keys", headers, rows, right, frozenset({1}), detail=7)


def _hot_partitions(t: TableReport) -> Section:
    rows = [
        (p.index, str(p.partition), pct(p.read_pct), pct(p.write_pct), ", ".join(p.keys))
        for i in t.indexes
        for p in i.hot_partitions
    ]
    headers = ("index", "partition", "read %", "write %", "hottest keys")
    return Section("hot partitions", headers, rows, frozenset({1, 2, 3}))


def _per_index(units: dict[str, float]) -> str:
    if not units:
        return DASH
    if len(units) == 1:
        return number(next(iter(units.values())))
    return ", ".join(f"{name} {number(u)}" for name, u in units.items())


def _patterns(t: TableReport) -> Section:
    rows = []
    for p in t.patterns:
        cells = (p.name, p.op, p.index, number(p.rate))
        rows.append((*cells, _per_index(p.read_units), _per_index(p.write_units), score(p.score)))
    headers = _cols("pattern | op | index | requests/s | read units/req | write units/req | score")
    return Section("patterns", headers, rows, frozenset({3, 4, 5}))


def _entities(t: TableReport) -> Section:
    rows = []
    for e in t.entities:
        size = ("~" if e.item_size_estimated else "") + size_bytes(e.item_size)
        rows.append((e.name, count(e.items), size, gb(e.size_gb), score(e.score)))
    headers = _cols("entity | items | item size | size | score")
    return Section("entities", headers, rows, frozenset({1, 2, 3}))


def _cost(c: CostReport, billing: str = "on-demand") -> Section:
    modes = (c.on_demand, c.provisioned, c.provisioned_autoscaled)
    rows = [
        (attr.replace("_", " "), *(money(getattr(m, attr)) for m in modes))
        for attr in ("reads", "writes", "replicated_writes", "storage", "total")
    ]
    marked = [t + (" (cheaper)" if m == c.cheaper else "") for m, t in COST_COLUMNS.items()]
    headers = ("USD / month", *marked)
    notes = [
        f"cheaper at this workload: {COST_COLUMNS[c.cheaper]}",
        f"provisioned: {count(c.provisioned_rcu)} RCU and {count(c.provisioned_wcu)} WCU "
        + (
            "(the table's and its GSIs' provisioned capacity)"
            if billing == "provisioned"
            else f"(the peak at {fraction(c.target_utilisation)} target utilisation)"
        ),
        f"break-even: provisioned beats on-demand above {fraction(c.break_even_reads)} average "
        f"read and {fraction(c.break_even_writes)} write utilisation; this workload averages "
        f"{fraction(c.utilisation_reads)} and {fraction(c.utilisation_writes)}",
        f"storage {gb(c.storage_gb)}"
        + (f"; replicas in {', '.join(c.replicas)}" if c.replicas else ""),
    ]
    if billing == "provisioned" and c.capacity_by_index:
        used = ", ".join(
            f"{name} {fraction(u.utilisation_reads)} of {count(u.rcu)} RCU, "
            f"{fraction(u.utilisation_writes)} of {count(u.wcu)} WCU"
            for name, u in c.capacity_by_index.items()
        )
        notes.append(f"average utilisation by index: {used}")
    if c.by_index:
        shares = ", ".join(f"{name} {money(v)}" for name, v in c.by_index.items())
        notes.append(f"on-demand by index: {shares}")
    notes.append(f"prices of {c.prices_date}, {c.region}")
    return Section("cost", headers, rows, frozenset({1, 2, 3}), notes=notes)
