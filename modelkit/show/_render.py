"""Render the ``show`` view as text (rich), Markdown or JSON."""

from __future__ import annotations

import io
import json
from typing import Any, Literal

from rich.console import Console
from rich.table import Table as RichTable

Format = Literal["text", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json")


def render(view: dict[str, Any], fmt: Format = "text", width: int = 120) -> str:
    if fmt == "json":
        return json.dumps(view, indent=2, default=str)
    if fmt == "markdown":
        return _markdown(view)
    if fmt == "text":
        return _text(view, width)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _summary(view: dict[str, Any]) -> list[str]:
    billing = view["billing"]
    mode = "on-demand"
    if billing.get("type") == "provisioned":
        mode = f"provisioned {billing['rcu']} RCU / {billing['wcu']} WCU"
    lines = [f"billing: {mode}"]
    if view["ttl_attribute"]:
        lines.append(f"TTL attribute: {view['ttl_attribute']}")
    if view["stream"]:
        lines.append(f"stream: {view['stream']}")
    if view["replicas"]:
        lines.append(f"replicas: {', '.join(view['replicas'])}")
    lines.append(f"entity type attribute: {view['type_attribute']}")
    return lines


def _index_title(index: dict[str, Any]) -> str:
    keys = index["pk"] + (f", {index['sk']}" if index["sk"] else "")
    kind = {"table": "table", "gsi": "GSI", "lsi": "LSI"}[index["kind"]]
    return f"{index['name']} ({kind}: {keys}; projection {index['projection']})"


def _other_attributes(view: dict[str, Any], row: dict[str, Any]) -> str:
    """The example's own attributes (key and type attributes are in their columns)."""
    skip = {*view["key_attributes"], view["type_attribute"]}
    return ", ".join(f"{k}={v}" for k, v in row["example"].items() if k not in skip)


def _text(view: dict[str, Any], width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, no_color=True, highlight=False, soft_wrap=False)
    console.print(f"table {view['table']}" + (f": {view['doc']}" if view["doc"] else ""))
    for line in _summary(view):
        console.print(f"  {line}")
    for index in view["indexes"]:
        grid = RichTable(title=_index_title(index), title_justify="left", expand=False)
        grid.add_column("entity")
        grid.add_column(index["pk"])
        if index["sk"]:
            grid.add_column(index["sk"])
        grid.add_column("attributes (example)", overflow="fold")
        for row in index["entities"]:
            name = row["entity"] + (" (sparse)" if row["sparse"] else "")
            cells = [name, f"{row['pk']}\n{row['example'].get(index['pk'], '')}"]
            if index["sk"]:
                cells.append(f"{row['sk']}\n{row['example'].get(index['sk'], '')}")
            cells.append(_other_attributes(view, row))
            grid.add_row(*cells)
        console.print()
        console.print(grid)
    if view["patterns"]:
        grid = RichTable(title="access patterns", title_justify="left")
        for column in ("pattern", "op", "entities", "index", "key condition", "order / limit"):
            grid.add_column(column, overflow="fold")
        for p in view["patterns"]:
            grid.add_row(
                p["name"], p["op"], ", ".join(p["entities"]), p["index"], p["condition"], _order(p)
            )
        console.print()
        console.print(grid)
    return out.getvalue()


def _order(pattern: dict[str, Any]) -> str:
    order = "desc" if pattern["descending"] else "asc"
    return order + (f", limit {pattern['limit']}" if pattern["limit"] else "")


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def _markdown(view: dict[str, Any]) -> str:
    lines = [f"# Table `{view['table']}`", ""]
    if view["doc"]:
        lines += [view["doc"], ""]
    lines += [f"- {line}" for line in _summary(view)] + [""]
    for index in view["indexes"]:
        lines += [f"## {_index_title(index)}", ""]
        head = [
            "entity",
            index["pk"],
            *([index["sk"]] if index["sk"] else []),
            "attributes (example)",
        ]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in index["entities"]:
            cells = [
                row["entity"] + (" (sparse)" if row["sparse"] else ""),
                f"`{row['pk']}`<br>`{row['example'].get(index['pk'], '')}`",
            ]
            if index["sk"]:
                cells.append(f"`{row['sk']}`<br>`{row['example'].get(index['sk'], '')}`")
            cells.append(_other_attributes(view, row))
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        lines.append("")
    if view["patterns"]:
        lines += [
            "## Access patterns",
            "",
            "| pattern | op | entities | index | key condition | order / limit |",
            "|---|---|---|---|---|---|",
        ]
        for p in view["patterns"]:
            cells = [
                p["name"],
                p["op"],
                ", ".join(p["entities"]),
                p["index"],
                f"`{p['condition']}`",
                _order(p),
            ]
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)
