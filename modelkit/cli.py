"""The ``modelkit`` command line: a thin shell over the library."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import msgspec

from modelkit._cli_analyze import analyze_command
from modelkit._cli_bench import bench_command
from modelkit._cli_import import import_command
from modelkit._cli_load import load_command
from modelkit.check import check_table
from modelkit.errors import ModelkitError
from modelkit.schema import SchemaErrors, TableDesign, load_design, load_table

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2
EXIT_INTERNAL = 3


class _Group(click.Group):
    """Turns errors into one or two lines and an exit code; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except ModelkitError as exc:
            if _debug(ctx):
                raise
            _fail(str(exc), EXIT_UNUSABLE)
        except Exception as exc:
            if _debug(ctx):
                raise
            _fail(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                EXIT_INTERNAL,
            )


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug")) or "--debug" in sys.argv


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"modelkit: {message}", err=True)
    sys.exit(code)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.version_option(package_name="modelkit")
def main(debug: bool) -> None:
    """DynamoDB single-table design: check, show, analyze, export and deploy schemas declared
    in code.

    SCHEMA is a Python file (schemas/shop.py) or a module name (app.schema), optionally
    followed by :NAME when it declares several tables.
    """


def _design(schema: str) -> TableDesign:
    try:
        return load_design(schema)
    except SchemaErrors as exc:
        _fail(str(exc), EXIT_UNUSABLE)


@main.command("check")
@click.argument("schema")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check_command(schema: str, as_json: bool) -> None:
    """Find what cannot work (errors, exit 1) and what will hurt (warnings).

    Exit 0 when there is no error, 1 when there is, 2 when SCHEMA cannot be loaded.
    """
    design, findings = check_table(load_table(schema))
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if as_json:
        data = {
            "schema": schema,
            "table": design.name if design else None,
            "errors": errors,
            "warnings": warnings,
            "findings": msgspec.to_builtins(findings),
        }
        click.echo(json.dumps(data, indent=2))
    else:
        for finding in findings:
            color = "red" if finding.severity == "error" else "yellow"
            click.echo(click.style(str(finding), fg=color))
        name = design.name if design else schema
        click.echo(f"{name}: {errors} error(s), {warnings} warning(s)")
    if errors:
        sys.exit(EXIT_FINDINGS)


@main.command("show")
@click.argument("schema")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--width", type=int, default=120, show_default=True, help="Text width.")
def show_command(schema: str, fmt: str, width: int) -> None:
    """Show the table as a person reads it: each index with its entities, key templates and
    an example item, and each named access pattern with its key condition."""
    design = _design(schema)
    from modelkit.show import show

    click.echo(show(design, fmt, width), nl=False)  # type: ignore[arg-type]


@main.command("export")
@click.argument("schema")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["create-table", "cloudformation", "nosql-workbench", "pynamodb"]),
    help="What to write.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export_command(schema: str, fmt: str, output: Path | None) -> None:
    """Export the table: CreateTable input for the AWS CLI, a CloudFormation template, a NoSQL
    Workbench model, or a module of PynamoDB models."""
    design = _design(schema)
    from modelkit.export import export

    text = export(design, fmt)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@main.command("deploy")
@click.argument("schema")
@click.option("--endpoint-url", help="DynamoDB endpoint (dynalite, moto); AWS's by default.")
@click.option("--region", help="AWS Region [default: AWS_REGION, AWS_DEFAULT_REGION, profile].")
@click.option("--profile", help="AWS profile of the shared config files for credentials.")
@click.option("--dry-run", is_flag=True, help="Only read the table and show the plan.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    help="Seconds to wait in all for the table and its indexes to become ACTIVE.",
)
def deploy_command(
    schema: str,
    endpoint_url: str | None,
    region: str | None,
    profile: str | None,
    dry_run: bool,
    timeout: float,
) -> None:
    """Create the table, or add to an existing one the GSIs, stream and TTL it lacks.

    Differences deploy cannot fix (keys, LSIs, an index's keys or projection, billing) are
    reported and left alone: deploy never deletes a table, an index or data. Exit 0 when the
    table matches the design, 1 when differences remain, 2 when SCHEMA cannot be loaded or
    DynamoDB cannot be used.
    """
    design = _design(schema)
    from modelkit.dynamo._connection import connect_dynamodb
    from modelkit.dynamo._deploy import deploy

    client = connect_dynamodb(endpoint_url=endpoint_url, region=region, profile=profile)
    report = deploy(design, client, dry_run=dry_run, timeout=timeout)
    click.echo(report.render())
    if not report.ok:
        sys.exit(EXIT_FINDINGS)


main.add_command(analyze_command)
main.add_command(bench_command)
main.add_command(import_command)
main.add_command(load_command)

if __name__ == "__main__":  # pragma: no cover
    main()
