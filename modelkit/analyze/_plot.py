"""The report as a PNG: load per partition against the limit, and load over time.

Each table is a block of panels, ``COLUMNS`` to a row: one per index, then one for the timeline
when there is one. A panel is ``PANEL_INCHES`` at ``DPI`` (600 x 400 pixels), so the image is
``COLUMNS`` panels wide and as many panels high as the tables' rows (:func:`figure_pixels`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from modelkit.analyze._format import plural, score, score_line
from modelkit.analyze._report import IndexReport, PartitionLoad, Report, TableReport
from modelkit.errors import ModelkitError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

COLUMNS = 2
PANEL_INCHES = (6.0, 4.0)
DPI = 100
LOG_X_ABOVE = 200
LABELLED = 5
_READ, _WRITE, _LIMIT = "tab:blue", "tab:orange", "tab:red"


def panels(table: TableReport) -> int:
    return len(table.indexes) + (1 if table.timeline else 0)


def rows(table: TableReport) -> int:
    return max(1, math.ceil(panels(table) / COLUMNS))


def figure_pixels(report: Report) -> tuple[int, int]:
    """Width and height of the PNG :func:`plot` writes."""
    total = sum(rows(t) for t in report.tables)
    return round(COLUMNS * PANEL_INCHES[0] * DPI), round(total * PANEL_INCHES[1] * DPI)


def plot(report: Report, path: Path) -> None:
    """Write the report's charts to ``path`` as a PNG (needs matplotlib)."""
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ModelkitError("--plot needs matplotlib: pip install 'modelkit[plot]'") from error
    if not report.tables:
        raise ModelkitError("the report has no table to plot")
    width, height = figure_pixels(report)
    with matplotlib.rc_context({"font.size": 8, "axes.titlesize": 9}):
        fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        blocks = fig.subfigures(
            len(report.tables), 1, height_ratios=[rows(t) for t in report.tables], squeeze=False
        )
        for block, table in zip(blocks[:, 0], report.tables, strict=True):
            block.suptitle(f"{table.table}: {score_line(table.score)}", fontweight="bold")
            axes = block.subplots(rows(table), COLUMNS, squeeze=False).flatten()
            for ax, index in zip(axes, table.indexes, strict=False):
                _partitions(ax, index)
            if table.timeline:
                _timeline(axes[len(table.indexes)], table)
            for ax in axes[panels(table) :]:
                ax.set_visible(False)
        fig.savefig(path, format="png", dpi=DPI)
        fig.clear()


def _partitions(ax: Axes, index: IndexReport) -> None:
    from matplotlib.ticker import MaxNLocator

    loads = sorted(
        index.partition_loads or index.hot_partitions,
        key=lambda p: (-max(p.read_pct, p.write_pct), p.partition),
    )
    parts = plural(index.partitions, "partition")
    ax.set_title(f"{index.name} ({index.kind}): {parts}, score {score(index.score)}")
    ax.set_xlabel("partitions, most loaded first")
    ax.set_ylabel("% of the partition limit")
    ax.axhline(100, color=_LIMIT, linestyle="--", linewidth=1, label="limit")
    if not loads:
        ax.text(0.5, 0.5, "no partition loads", ha="center", va="center", transform=ax.transAxes)
        return
    x = list(range(1, len(loads) + 1))
    reads = [p.read_pct for p in loads]
    writes = [p.write_pct for p in loads]
    if len(loads) > LOG_X_ABOVE:
        ax.plot(x, reads, color=_READ, label="read %")
        ax.plot(x, writes, color=_WRITE, label="write %")
        ax.set_xscale("log")
    else:
        ax.bar([v - 0.2 for v in x], reads, width=0.4, color=_READ, label="read %")
        ax.bar([v + 0.2 for v in x], writes, width=0.4, color=_WRITE, label="write %")
        pad = max(0.0, (4 - len(x)) / 2)  # a lone partition is no wider than one of four
        ax.set_xlim(0.4 - pad, len(x) + 0.6 + pad)
        if len(x) <= 20:
            ax.set_xticks(x)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    top = max(*reads, *writes, 100.0)
    ax.set_ylim(0, top * 1.25)
    _label_hot(ax, index.hot_partitions, loads)
    ax.legend(loc="upper right")


def _label_hot(ax: Axes, hot: tuple[PartitionLoad, ...], loads: list[PartitionLoad]) -> None:
    """Name the top key of each hot partition above its bar."""
    position = {p.partition: n + 1 for n, p in enumerate(loads)}
    for p in sorted(hot, key=lambda p: -max(p.read_pct, p.write_pct))[:LABELLED]:
        if not p.keys or p.partition not in position:
            continue
        ax.annotate(
            p.keys[0],
            (position[p.partition], max(p.read_pct, p.write_pct)),
            textcoords="offset points",
            xytext=(4, 6),
            fontsize=7,
            rotation=15,
        )


def _timeline(ax: Axes, table: TableReport) -> None:
    from matplotlib.ticker import StrMethodFormatter

    times = list(dict.fromkeys(p.time for p in table.timeline))
    place = {t: n for n, t in enumerate(times)}
    colors = [f"C{n}" for n in range(10)]
    for n, index in enumerate(dict.fromkeys(p.index for p in table.timeline)):
        points = sorted(
            (p for p in table.timeline if p.index == index), key=lambda p: place[p.time]
        )
        x = [place[p.time] for p in points]
        color = colors[n % len(colors)]
        ax.plot(x, [p.read_units for p in points], color=color, label=f"{index} read")
        ax.plot(
            x, [p.write_units for p in points], color=color, linestyle="--", label=f"{index} write"
        )
    step = max(1, math.ceil(len(times) / 12))
    ax.set_xticks(range(0, len(times), step), times[::step], rotation=45, ha="right")
    ax.set_title("load over time")
    ax.set_ylabel("units/s")
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.legend(loc="upper left", fontsize=6, ncols=2)
