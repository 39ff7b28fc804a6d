"""A placeholder workload for an imported schema, so that ``modelkit analyze`` runs on it."""

from __future__ import annotations

import json

from modelkit.workbench_import._patterns import PatternPlan
from modelkit.workbench_import._templates import EntityPlan


def render_workload(
    table: str, module: str, plans: list[EntityPlan], patterns: list[PatternPlan]
) -> str:
    """TOML: each entity with as many items as the model's sample, each pattern at one
    request per second, and a header that says to put in the real numbers."""
    lines = [
        f"# Workload for {module}, written by `modelkit import` as a placeholder that runs:",
        "# every inferred access pattern at 1 request per second, every entity with as many",
        "# items as the model's sample. Put in the real peak rates, item counts and key",
        "# distributions (see docs/analyze.md), and drop the patterns the application lacks.",
        "",
        f"description = {_q(f'{table}: placeholder workload written by modelkit import')}",
    ]
    for plan in plans:
        lines += ["", f"[entities.{_q(plan.name)}]", f"items = {max(len(plan.items), 1)}"]
    for pattern in patterns:
        lines += ["", f"[patterns.{_q(pattern.name)}]", "rate = 1"]
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)
