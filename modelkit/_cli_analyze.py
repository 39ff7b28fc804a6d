"""``modelkit analyze``: score key choices against a workload; a thin shell over
:mod:`modelkit.analyze`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import msgspec

from modelkit.errors import LoadError

EXIT_BELOW = 1


@click.command("analyze")
@click.argument("schemas", nargs=-1, required=True)
@click.option(
    "--workload",
    "-w",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Workload file (TOML, YAML or JSON) [default: SCHEMA's .workload.toml beside it].",
)
@click.option(
    "--trace",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Observed requests (JSONL or CSV) to analyse beside the workload's patterns.",
)
@click.option(
    "--prices",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Price file overriding the bundled one (same keys as modelkit/analyze/prices.toml).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--markdown", is_flag=True, help="Print the report as Markdown.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw load per partition (and over time) to this PNG file.",
)
@click.option("--width", type=int, default=120, show_default=True, help="Text width.")
@click.option(
    "--fail-under",
    type=click.IntRange(0, 100),
    help="Exit 1 when a table scores below this (for CI).",
)
def analyze_command(
    schemas: tuple[str, ...],
    workload: Path | None,
    trace: Path | None,
    prices: Path | None,
    as_json: bool,
    markdown: bool,
    plot: Path | None,
    width: int,
    fail_under: int | None,
) -> None:
    """Score each SCHEMA's keys against a workload: hot keys and partitions, throttling
    verdicts, fixes with numbers and monthly cost. Several SCHEMAs (or SCHEMA:NAME picks of
    one file) are ranked side by side under the same workload.

    Exit 0, or 1 when --fail-under is given and a table scores below it; 2 on bad input.
    """
    from modelkit.analyze import load_prices, run_analysis
    from modelkit.schema import load_design

    if as_json and markdown:
        raise click.UsageError("--json and --markdown exclude each other")
    designs = [load_design(s) for s in schemas]
    path = workload or _default_workload(schemas[0])
    progress = sys.stderr.isatty() and not as_json
    report = run_analysis(
        designs,
        path,
        trace=trace,
        prices=load_prices(prices),
        progress=progress,
    )
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(report), indent=2).decode())
    elif markdown:
        from modelkit.analyze import render_markdown

        click.echo(render_markdown(report), nl=False)
    else:
        from modelkit.analyze import render_text

        click.echo(render_text(report, width=width, color=sys.stdout.isatty()), nl=False)
    if plot is not None:
        from modelkit.analyze import plot as draw

        draw(report, plot)
        click.echo(f"plot written to {plot}", err=True)
    if fail_under is not None and any(t.score.value < fail_under for t in report.tables):
        sys.exit(EXIT_BELOW)


def _default_workload(schema: str) -> Path:
    target = schema.partition(":")[0]
    candidate = Path(target).with_suffix(".workload.toml")
    if not candidate.is_file():
        raise LoadError(f"{schema}: no workload file given and {candidate} does not exist")
    return candidate
