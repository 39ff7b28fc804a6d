"""``modelkit bench``: latency of cached against uncached reads; a thin shell over
:mod:`modelkit.latency`."""

from __future__ import annotations

import click
import msgspec


@click.command("bench")
@click.argument("schema")
@click.option("--entity", help="Entity to read [default: the first one with a cache policy].")
@click.option("--endpoint-url", help="DynamoDB endpoint [default: a moto server started here].")
@click.option("--redis-url", help="Redis URL [default: a redis-server started here].")
@click.option(
    "--requests",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Requests per run (one run cached, one uncached; the cache starts empty).",
)
@click.option(
    "--keys", type=click.IntRange(min=1), default=1000, show_default=True, help="Items loaded."
)
@click.option(
    "--zipf",
    type=click.FloatRange(0, 10),
    default=0.99,
    show_default=True,
    help="Zipf exponent of the key choice.",
)
@click.option(
    "--writes",
    type=click.FloatRange(0, 1),
    default=0.05,
    show_default=True,
    help="Fraction of requests that write (put the item back).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def bench_command(
    schema: str,
    entity: str | None,
    endpoint_url: str | None,
    redis_url: str | None,
    requests: int,
    keys: int,
    zipf: float,
    writes: float,
    as_json: bool,
) -> None:
    """Run a read-heavy Zipf workload on an entity of SCHEMA, through the cache and without
    it, on a table of its own: p50/p95/p99 of cache hits, cache misses and uncached reads,
    the hit ratio and the read units saved.

    Without --endpoint-url and --redis-url, starts moto's server and a redis-server on free
    loopback ports and stops them after. Exit 0, or 2 when the run cannot be made.
    """
    from modelkit.latency import render_text, run_bench
    from modelkit.schema import load_design

    design = load_design(schema)
    report = run_bench(
        design,
        schema=schema,
        entity=entity,
        endpoint_url=endpoint_url,
        redis_url=redis_url,
        requests=requests,
        keys=keys,
        zipf=zipf,
        writes=writes,
    )
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(report), indent=2).decode())
    else:
        click.echo(render_text(report), nl=False)
