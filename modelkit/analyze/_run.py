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
    with _progress(progress) as show:
        for design in designs:
            loaded = load_workload(workload, design)
            path = trace or (
                Path(loaded.source).parent / loaded.trace.path if loaded.trace else None
            )
            fmt = loaded.trace.format if loaded.trace and trace is None else None
            observed = None
            if path is not None:
                observed = trace_load(
                    design, loaded, path, fmt=fmt, progress=show(f"reading {path}")
                )
            show(f"analysing {design.name}")
            reports.append(analyze(design, loaded, prices=prices, trace=observed))
    comparison = compare(reports) if len(reports) > 1 else None
    return Report(tables=tuple(reports), comparison=comparison)


Show = Callable[[str], Callable[[int], None]]
"""Starts a step with its description; returns what to call with the rows read so far."""


@contextmanager
def _progress(enabled: bool) -> Iterator[Show]:
    """A spinner on standard error with the current step and the trace rows read."""
    if not enabled:
        yield lambda description: _ignore
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def show(description: str) -> Callable[[int], None]:
            bar.update(task, description=description)

            def rows(count: int) -> None:
                bar.update(task, description=f"{description}: {count:,} rows")

            return rows

        yield show


def _ignore(count: int) -> None:
    """No progress to show."""
