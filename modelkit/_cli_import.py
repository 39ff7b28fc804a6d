"""``modelkit import``: a NoSQL Workbench model becomes a schema module; a thin shell over
:mod:`modelkit.workbench_import`."""

from __future__ import annotations

from pathlib import Path

import click

BESIDE = ("items.jsonl", "workload.toml")
"""The files written beside the module, after its name."""


@click.command("import")
@click.argument("model", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=(
        "The schema module to write (schemas/NAME.py); NAME.items.jsonl and "
        "NAME.workload.toml go beside it."
    ),
)
@click.option("--table", help="The table to import when the model holds several.")
@click.option(
    "--force", is_flag=True, help="Overwrite OUTPUT (and the files beside it) if it exists."
)
def import_command(model: Path, output: Path, table: str | None, force: bool) -> None:
    """Write a schema module from a NoSQL Workbench data model (format 1.0, 2.0 or 3.0).

    Entities come from facets, a type attribute or shared key prefixes; key templates from
    the sample items, which are written beside the module as NAME.items.jsonl; access
    patterns from the keys, with a placeholder workload for analyze (NAME.workload.toml).
    Quirks of the model are reported as warnings. Exit 0, or 2 when MODEL is not a usable
    model.
    """
    from modelkit.errors import LoadError
    from modelkit.workbench_import import import_file

    if output.suffix != ".py":
        raise LoadError(f"{output}: the output is a Python module; name it NAME.py")
    written = [output, *(output.parent / f"{output.stem}.{k}" for k in BESIDE)]
    existing = [str(p) for p in written if p.exists()]
    if existing and not force:
        verb = "exists" if len(existing) == 1 else "exist"
        raise LoadError(f"{', '.join(existing)}: {verb}; pass --force to overwrite")
    result = import_file(model, output, table)
    for warning in result.warnings:
        click.echo(click.style(f"warning: {warning}", fg="yellow"), err=True)
    names = ", ".join(p.name for p in result.entities) or "none"
    count = sum(len(p.items) for p in result.entities)
    click.echo(
        f"wrote {output} ({len(result.entities)} entities: {names}; "
        f"{len(result.patterns)} access patterns inferred from the keys), {count} sample "
        f"items to {output.stem}.items.jsonl and a placeholder workload to "
        f"{output.stem}.workload.toml",
        err=True,
    )
