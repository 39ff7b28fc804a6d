"""The report as GitHub Markdown: headings and pipe tables, the same content as the text."""

from __future__ import annotations

from modelkit.analyze._format import (
    Section,
    assumptions,
    comparison_section,
    score_line,
    table_facts,
    table_sections,
)
from modelkit.analyze._report import Report


def render_markdown(report: Report) -> str:
    """Deterministic Markdown: the same report gives the same bytes."""
    lines = ["# modelkit analyze", ""]
    if report.comparison is not None:
        lines += ["## Comparison", ""]
        lines += _table(comparison_section(report.comparison), heading=False)
    for t in report.tables:
        lines += [f"## Table `{t.table}` ({t.schema}), {score_line(t.score)}", ""]
        lines += [f"- {fact}" for fact in table_facts(t)] + [""]
        if t.score.reasons:
            lines += ["Why:", ""] + [f"- {_inline(r)}" for r in t.score.reasons] + [""]
        for section in table_sections(t):
            lines += _table(section)
        notes = assumptions(t)
        if notes:
            lines += ["### Assumptions", ""] + [f"- {_inline(a)}" for a in notes] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(section: Section, *, heading: bool = True) -> list[str]:
    lines = [f"### {section.title.capitalize()}", ""] if heading else []
    align = ["---:" if n in section.right else "---" for n in range(len(section.headers))]
    lines.append("| " + " | ".join(_cell(h) for h in section.headers) + " |")
    lines.append("|" + "|".join(align) + "|")
    for row in section.rows:
        cells = [_code(c) if n in section.code else _cell(c) for n, c in enumerate(row)]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    if section.notes:
        lines += [f"- {_inline(note)}" for note in section.notes] + [""]
    return lines


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|").replace("\n", "<br>")


def _inline(text: str) -> str:
    """Plain prose, with the characters Markdown would take for emphasis or HTML escaped."""
    for char in ("\\", "*", "<"):
        text = text.replace(char, "\\" + char)
    return text


def _code(text: str) -> str:
    """A key in backticks (a backtick inside widens the fence), pipes escaped for the table."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")
