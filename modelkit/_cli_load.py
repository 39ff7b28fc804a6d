"""``modelkit load``: test data into a deployed table; a thin shell over
:mod:`modelkit.load`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_REJECTS = 1


@click.command("load")
@click.argument("schema")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--entity", help="Entity of every record (for a file of one entity).")
@click.option("--endpoint-url", help="DynamoDB endpoint (dynalite, moto); AWS's by default.")
@click.option("--region", help="AWS Region [default: AWS_REGION, AWS_DEFAULT_REGION, profile].")
@click.option("--profile", help="AWS profile of the shared config files for credentials.")
@click.option("--table", help="Table name [default: the design's].")
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write rejected records [default: DATA.rejects.jsonl].",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 25),
    default=25,
    show_default=True,
    help="Records a batch (one checkpoint step).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Threads writing batches.",
)
@click.option("--restart", is_flag=True, help="Ignore the checkpoint of an interrupted load.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def load_command(
    schema: str,
    data: Path,
    entity: str | None,
    endpoint_url: str | None,
    region: str | None,
    profile: str | None,
    table: str | None,
    rejects: Path | None,
    batch: int,
    threads: int,
    restart: bool,
    quiet: bool,
) -> None:
    """Load the records of DATA (a JSON array, JSON Lines or CSV) into SCHEMA's table.

    Each record names its entity in field "entity" or the type attribute ("_type"), or
    --entity names it for all. Records are written in batches; those of entities with
    unique fields one by one, each in a transaction with its markers. Invalid records, and
    records whose unique value another item holds, are reported as FILE:LINE and written to
    the rejects file to fix and load again; the others load. An interrupted load resumes where it
    stopped (DATA.load-checkpoint). Exit 0, 1 when records were rejected, 2 on unusable
    input.
    """
    from modelkit.dynamo import connect_dynamodb
    from modelkit.load import load
    from modelkit.schema import load_design

    design = load_design(schema)
    client = connect_dynamodb(endpoint_url=endpoint_url, region=region, profile=profile)
    result = load(
        design,
        data,
        client,
        table=table,
        entity=entity,
        rejects=rejects,
        batch=batch,
        threads=threads,
        restart=restart,
        progress=not quiet and sys.stderr.isatty(),
    )
    for message in result.messages:
        click.echo(message, err=True)
    if result.rejected > len(result.messages):
        click.echo(f"... and {result.rejected - len(result.messages):,} more rejects", err=True)
    resumed = f", resumed after {result.skipped:,} records" if result.skipped else ""
    where = f" (see {result.rejects_file})" if result.rejects_file else ""
    click.echo(
        f"loaded {result.loaded:,}, rejected {result.rejected:,}{where}{resumed}, "
        f"{result.seconds:.2f} s, {result.items_per_second:,.0f} items/s"
    )
    if result.rejected:
        sys.exit(EXIT_REJECTS)
