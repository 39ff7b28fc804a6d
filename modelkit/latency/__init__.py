"""Latency of reads through the cache against reads from DynamoDB alone, on a Zipf workload.

>>> report = run_bench(load_design("schemas/ecommerce.py"))     # doctest: +SKIP
>>> report.hit.p50, report.uncached.p50, report.hit_ratio        # doctest: +SKIP

Also the parts the benchmarks share: local services (redis-server, moto's server, dynalite),
Zipf key choice and percentiles.
"""

from modelkit.latency._bench import CACHE_TIMEOUT, endpoint_client, run_bench
from modelkit.latency._items import BenchItems, cached_entity, example_items
from modelkit.latency._keys import ZipfKeys, zipf_weights
from modelkit.latency._measure import Operation, RunTimes, run, workload
from modelkit.latency._percentiles import Latency, percentile, summarize
from modelkit.latency._report import FORMAT, BenchReport, ReadUnits, render_text
from modelkit.latency._services import (
    Service,
    ServiceError,
    Services,
    free_port,
    start_dynalite,
    start_moto,
    start_redis,
)

__all__ = [
    "CACHE_TIMEOUT",
    "FORMAT",
    "BenchItems",
    "BenchReport",
    "Latency",
    "Operation",
    "ReadUnits",
    "RunTimes",
    "Service",
    "ServiceError",
    "Services",
    "ZipfKeys",
    "cached_entity",
    "endpoint_client",
    "example_items",
    "free_port",
    "percentile",
    "render_text",
    "run",
    "run_bench",
    "start_dynalite",
    "start_moto",
    "start_redis",
    "summarize",
    "workload",
    "zipf_weights",
]
