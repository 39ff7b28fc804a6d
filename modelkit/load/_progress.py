"""A progress bar of a load on standard error: records read, records/s, rejects."""

from __future__ import annotations

from types import TracebackType
from typing import Any


class Bar:
    """A rich progress display when ``show`` is set; does nothing otherwise."""

    def __init__(self, show: bool, total: int | None = None, skipped: int = 0) -> None:
        self._progress: Any = None
        if not show:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("loading"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]:,.0f} records/s"),
            TextColumn("[red]{task.fields[rejected]:,} rejected"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task(
            "load", total=total, completed=skipped, rate=0.0, rejected=0
        )

    def __enter__(self) -> Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, records: int, rejected: int, rate: float) -> None:
        """Show ``records`` done (from the start of the file), ``rejected`` and the rate."""
        if self._progress is not None:
            self._progress.update(self._task, completed=records, rate=rate, rejected=rejected)
