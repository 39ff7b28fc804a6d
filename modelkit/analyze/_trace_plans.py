"""Pattern plans from a trace of observed requests (placeholder until the reader lands)."""

from __future__ import annotations

from pathlib import Path

from modelkit.analyze._contributions import PatternPlan
from modelkit.analyze._workload import Workload
from modelkit.schema import TableDesign


def trace_plans(
    design: TableDesign, workload: Workload, path: str | Path, *, fmt: str | None = None
) -> list[PatternPlan]:
    raise NotImplementedError
