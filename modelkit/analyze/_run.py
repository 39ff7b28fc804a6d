"""Load a workload (and a trace) and analyse one or more designs: what the CLI runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from modelkit.analyze._analyze import analyze
from modelkit.analyze._compare import compare
from modelkit.analyze._prices import Prices, load_prices
from modelkit.analyze._report import Report
from modelkit.analyze._trace_plans import trace_load
from modelkit.analyze._workload_file import load_workload
from modelkit.schema import TableDesign


def run_analysis(
    designs: Sequence[TableDesign],
    workload: str | Path,
    *,
    trace: str | Path | None = None,
    prices: Prices | None = None,
    progress: bool = False,
) -> Report:
    """Analyse each design under the workload file (and trace); rank them when several.

    The workload is checked against each design, so every design must declare the
    patterns it names. A trace given here or in the workload file is read once per design.
    """
    prices = prices or load_prices()
    reports = []
    with _bar(progress, len(designs)) as advance:
        for design in designs:
            loaded = load_workload(workload, design)
            path = trace or (
                Path(loaded.source).parent / loaded.trace.path if loaded.trace else None
            )
            fmt = loaded.trace.format if loaded.trace and trace is None else None
            observed = trace_load(design, loaded, path, fmt=fmt) if path is not None else None
            reports.append(analyze(design, loaded, prices=prices, trace=observed))
            advance(design.name)
    comparison = compare(reports) if len(reports) > 1 else None
    return Report(tables=tuple(reports), comparison=comparison)


@contextmanager
def _bar(enabled: bool, total: int) -> Iterator[Callable[[str], None]]:
    if not enabled:
        yield lambda name: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("analysing", total=total)

        def advance(name: str) -> None:
            progress.update(task, advance=1, description=f"analysed {name}")

        yield advance
