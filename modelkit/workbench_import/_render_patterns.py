"""The ``table.pattern(...)`` lines of an imported schema module."""

from __future__ import annotations

import json

from modelkit.workbench_import._patterns import PatternPlan
from modelkit.workbench_import._templates import PRIMARY

WIDTH = 100
COMMENT = """\
# Access patterns inferred from the keys by `modelkit import`: a get of each entity by its table
# key, a query of its items in one partition of the table and of each GSI it is in, and a query
# of each item collection (entities that share a partition key). Rename them and keep only the
# application's real access patterns; `modelkit analyze` scores the ones its workload drives.
"""


def render_patterns(patterns: list[PatternPlan]) -> str:
    """The comment and one ``table.pattern(...)`` statement a pattern, formatted as
    ``ruff format`` leaves them; empty without patterns."""
    if not patterns:
        return ""
    return COMMENT + "".join(_pattern(p) for p in patterns)


def _pattern(pattern: PatternPlan) -> str:
    entities = list(pattern.entities)
    args = [_q(pattern.name), entities[0] if len(entities) == 1 else f"[{', '.join(entities)}]"]
    if pattern.op != "query":
        args.append(f"op={_q(pattern.op)}")
    if pattern.index != PRIMARY:
        args.append(f"index={_q(pattern.index)}")
    if pattern.given:
        args.append(f"given=[{', '.join(_q(f) for f in pattern.given)}]")
    line = f"table.pattern({', '.join(args)})"
    if len(line) <= WIDTH:
        return line + "\n"
    if len(f"    {args[1]},") > WIDTH:
        args[1] = "[\n" + "".join(f"        {e},\n" for e in entities) + "    ]"
    return "table.pattern(\n" + "".join(f"    {a},\n" for a in args) + ")\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
