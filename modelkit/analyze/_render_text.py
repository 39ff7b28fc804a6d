"""The report for a terminal: rich tables, plain unless asked for colour."""

from __future__ import annotations

import io

from rich.console import Console
from rich.padding import Padding
from rich.table import Table as RichTable
from rich.text import Text

from modelkit.analyze._format import (
    Section,
    assumptions,
    comparison_section,
    score_line,
    table_facts,
    table_sections,
    table_title,
)
from modelkit.analyze._report import VERDICT_TEXT, Report, Score

_VERDICT_STYLE = {
    VERDICT_TEXT["safe"]: "green",
    VERDICT_TEXT["throttles-until-split"]: "yellow",
    VERDICT_TEXT["throttles-always"]: "bold red",
}
_GRADE_STYLE = {"A": "green", "B": "green", "C": "yellow", "D": "red", "F": "bold red"}
_VERDICT_WIDTH = 18  # "throttles whatever" on one line, "DynamoDB does" on the next
_KEY_WIDTH = 32


def render_text(report: Report, *, width: int = 120, color: bool = False) -> str:
    """The report as a terminal shows it: per table its score, then one table per section."""
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        markup=False,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    if report.comparison is not None:
        console.print(Text("comparison", style="bold"))
        _section(console, comparison_section(report.comparison))
        console.print()
    for n, t in enumerate(report.tables):
        if n:
            console.print()
        console.print(Text(f"{table_title(t)} ({', '.join(table_facts(t))})", style="bold"))
        console.print(_score_text(t.score))
        for reason in t.score.reasons:
            _note(console, f"- {reason}")
        for section in table_sections(t):
            console.print()
            _section(console, section)
        notes = assumptions(t)
        if notes:
            console.print()
            console.print(Text("assumptions", style="italic"))
            for note in notes:
                _note(console, f"- {note}")
    text = out.getvalue()
    return text if color else "\n".join(line.rstrip() for line in text.split("\n"))


def _note(console: Console, text: str) -> None:
    console.print(Padding(Text(text), (0, 0, 0, 2)))


def _score_text(s: Score) -> Text:
    return Text(score_line(s), style=_VERDICT_STYLE[VERDICT_TEXT[s.verdict]])


def _section(console: Console, section: Section) -> None:
    grid = RichTable(title=section.title, title_justify="left", title_style="italic")
    shown = [n for n in range(len(section.headers)) if n != section.detail]
    for n in shown:
        header = section.headers[n]
        width = None
        if header == "verdict":
            width = _VERDICT_WIDTH
        elif n in section.code:
            width = min(_KEY_WIDTH, max((len(row[n]) for row in section.rows), default=0))
        grid.add_column(
            header,
            justify="right" if n in section.right else "left",
            overflow="fold",
            min_width=width,
            no_wrap=n in section.right,
        )
    for row in section.rows:
        grid.add_row(*(_cell(section.headers[n], row[n]) for n in shown))
    console.print(grid)
    if section.detail is not None:
        name = min(section.code, default=0)
        for row in section.rows:
            if row[section.detail]:
                _note(console, f"{row[name]}: {row[section.detail]}")
    for note in section.notes:
        _note(console, note)


def _cell(header: str, cell: str) -> Text:
    if header == "verdict":
        return Text(cell, style=_VERDICT_STYLE.get(cell, ""))
    if header == "score" and cell[-1:] in _GRADE_STYLE:
        return Text(cell, style=_GRADE_STYLE[cell[-1]])
    if "%" in header and cell.endswith("%") and _over(cell):
        return Text(cell, style="bold red")
    return Text(cell)


def _over(cell: str) -> bool:
    """A percentage of a limit at or past 100%."""
    try:
        return float(cell.rstrip("%").replace(",", "")) >= 100
    except ValueError:
        return False
