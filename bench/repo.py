"""Repository calls against the same calls made with a raw boto3 client, on moto and dynalite.

Starts moto server and dynalite on free loopback ports (``tests/services.py``), deploys the
ecommerce schema on each, seeds a customer with orders, then times three calls:

* GetItem of one Order: ``repo.get(...)`` against ``client.get_item(...)``;
* PutItem of one Order: ``repo.put(order)`` against ``client.put_item(...)`` of the same item
  as a plain AttributeValue map;
* Query "orders of a customer in a period", 10 Orders a page: ``repo.query(...)`` against
  ``client.query(...)`` with the same KeyConditionExpression.

The raw requests are the very ones modelkit sends (captured from its client), so both sides
send the same request; PynamoDB, under modelkit, adds ``ReturnConsumedCapacity=TOTAL`` to
writes, and so does the raw put. The raw client is boto3 with modelkit's botocore settings
(parameter validation off, standard retries, same timeouts), so the difference is modelkit's
own work. A third side, ``client``, sends the same raw request through modelkit's
``DynamoClient`` (PynamoDB's connection underneath): it splits modelkit's overhead into the
transport wrapper and the repository's own work (request building, decoding, cursor, stats).

Each backend in turn: every iteration runs each call with every side, the sides in a
rotating order, so drift and noise from the machine fall on all sides alike. Prints p50 and
p99 per call and modelkit's overhead over boto3 at p50, two ways: the ratio of the p50s, and
the median of the paired differences (modelkit minus boto3 within one iteration) over
boto3's p50. The target, at most ``TARGET_PERCENT`` on every call on both backends, is judged
on the paired figure: on a shared machine the ratio of two p50s moves by several percent
from run to run (see the ``client`` column, nearly an A/A test), the paired median much
less. When missed (or with ``--profile``), it profiles modelkit's side of each call without
the transport (responses replayed) and exits 1.

Run: ``python bench/repo.py [--iterations N] [--profile]``
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import os
import pstats
import sys
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import msgspec
from botocore.config import Config  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import services  # noqa: E402 - tests/services.py, found through the path set above

import modelkit  # noqa: E402
from modelkit.dynamo import Database, connect, deploy  # noqa: E402
from modelkit.dynamo._connection import (  # noqa: E402
    CONNECT_TIMEOUT,
    MAX_ATTEMPTS,
    READ_TIMEOUT,
    connect_dynamodb,
)

TARGET_PERCENT = 10.0
#: Timed iterations on each backend (each runs every call with every side), and seconds they
#: may take: past it they stop, after MIN_ITERATIONS, so that the script ends within a minute
#: on a busy machine too (moto server is several times slower than dynalite).
ITERATIONS = {"moto server": 200, "dynalite": 400}
BUDGET = {"moto server": 20.0, "dynalite": 15.0}
MIN_ITERATIONS = 100
WARMUP = 20
PROFILE_CALLS = 2000
PROFILE_LINES = 12
SITE = str(Path(boto3.__file__).resolve().parent.parent) + "/"
PAGE = 10
ORDERS = 30
PATTERN = "orders of a customer in a period"
T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
CALLS = ("GetItem", "PutItem", "Query")
SIDES = ("modelkit", "client", "boto3")

Op = Callable[[], object]


class Backend:
    """One service with the ecommerce table, a modelkit Database, and each side's calls."""

    def __init__(self, name: str, service: services.Service) -> None:
        self.name = name
        self.service = service
        shop = modelkit.load_design(str(ROOT / "schemas" / "ecommerce.py"))
        design = msgspec.structs.replace(shop, name=f"bench-{uuid.uuid4().hex[:8]}")
        client = connect_dynamodb(endpoint_url=service.url)
        deploy(design, client)
        self.db: Database = connect(design, dynamodb=client, cursor_secret="bench secret 0123456")
        self.ops: dict[tuple[str, str], Op] = {}
        self.sent: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._build()

    def _build(self) -> None:
        order_cls = self.db.design.entity("Order").struct
        orders = self.db.repo(order_cls)
        placed = [_order(order_cls, n) for n in range(ORDERS)]
        orders.batch_put(placed)
        one = placed[5]
        key = {"customer_id": "c-1", "placed_at": one.placed_at, "order_id": one.order_id}
        window = (T0, T0 + dt.timedelta(hours=ORDERS))

        def get() -> object:
            found = orders.get(key)
            assert found is not None
            return found

        def put() -> object:
            return orders.put(one)

        def query() -> object:
            page = orders.query(PATTERN, customer_id="c-1", placed_at=window, limit=PAGE)
            assert len(page) == PAGE and page.cursor is not None
            return page

        self.ops = {("GetItem", "modelkit"): get, ("PutItem", "modelkit"): put}
        self.ops[("Query", "modelkit")] = query
        self.sent = self._record(get, put, query)
        raw = boto3.client(
            "dynamodb",
            endpoint_url=self.service.url,
            region_name=os.environ["AWS_DEFAULT_REGION"],
            config=Config(
                parameter_validation=False,
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
            ),
        )
        methods = {"GetItem": raw.get_item, "PutItem": raw.put_item, "Query": raw.query}
        for call in CALLS:
            request = self.sent[call][0]
            boto_request = dict(request)
            boto_request.setdefault("ReturnConsumedCapacity", "TOTAL")  # as PynamoDB adds it
            self.ops[(call, "boto3")] = _checked(call, partial(methods[call], **boto_request))
            self.ops[(call, "client")] = _checked(call, partial(self.db.client.call, call, request))

    def _record(self, *calls: Op) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        """The request modelkit sends for each of ``calls``, and the response, by operation."""
        client = self.db.client
        send = client.call
        sent: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

        def record(operation: str, request: Any) -> dict[str, Any]:
            response = send(operation, request)
            sent[operation] = (dict(request), response)
            return response

        client.call = record  # type: ignore[method-assign]
        try:
            for call in calls:
                call()
        finally:
            del client.call  # back to the class's method
        assert set(sent) == set(CALLS), sent
        return sent

    def stop(self) -> None:
        self.service.stop()


def _order(cls: type[Any], n: int) -> Any:
    return msgspec.convert(
        {
            "customer_id": "c-1",
            "order_id": f"o-{n:04d}",
            "placed_at": T0 + dt.timedelta(hours=n, minutes=30),
            "status": "PLACED",
            "total": Decimal(n) + Decimal("0.99"),
        },
        type=cls,
    )


def _checked(call: str, send: Callable[[], dict[str, Any]]) -> Op:
    """``send``, checking that the raw response holds what modelkit's did."""

    def run() -> object:
        response = send()
        if call == "Query":
            assert len(response["Items"]) == PAGE
        elif call == "GetItem":
            assert "Item" in response
        return response

    return run


def _replay(response: dict[str, Any]) -> Callable[[str, Any], dict[str, Any]]:
    def call(operation: str, request: Any) -> dict[str, Any]:
        return response

    return call


def measure(backend: Backend, iterations: int, budget: float) -> dict[Any, list[float]]:
    """Latencies in µs by (call, side) on ``backend``; every iteration runs each call with
    every side, in a rotating order. Stops early past ``budget`` seconds (after
    ``MIN_ITERATIONS``)."""
    samples: dict[Any, list[float]] = {}
    clock = time.perf_counter_ns
    deadline = time.monotonic() + budget
    for i in range(WARMUP + iterations):
        if i >= WARMUP + MIN_ITERATIONS and time.monotonic() > deadline:
            break
        for call in CALLS:
            for k in range(len(SIDES)):
                side = SIDES[(i + k) % len(SIDES)]
                op = backend.ops[(call, side)]
                start = clock()
                op()
                elapsed = (clock() - start) / 1000
                if i >= WARMUP:
                    samples.setdefault((call, side), []).append(elapsed)
    return samples


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(backend: Backend, samples: dict[Any, list[float]]) -> bool:
    """Print one backend's table; whether modelkit met the target on every call."""
    met = True
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    count = len(samples[(CALLS[0], SIDES[0])])
    print(f"\n{backend.name}: {count} iterations; load average {load}")
    print(
        f"{'µs':8}{'modelkit p50/p99':>19}{'client p50/p99':>19}{'boto3 p50/p99':>19}"
        f"{'p50 ratio':>11}{'paired':>15}{'client':>8}"
    )
    for call in CALLS:
        p50 = {}
        cells = ""
        for side in SIDES:
            values = samples[(call, side)]
            p50[side] = percentile(values, 0.5)
            cells += f"{p50[side]:>12,.0f}/{percentile(values, 0.99):<6,.0f}"
        ratio = (p50["modelkit"] / p50["boto3"] - 1) * 100
        added = paired(samples, call, "modelkit")
        overhead = added / p50["boto3"] * 100
        client = paired(samples, call, "client") / p50["boto3"] * 100
        met = met and overhead <= TARGET_PERCENT
        print(f"{call:8}{cells}{ratio:>+10.1f}%{added:>+8,.0f} {overhead:>+5.1f}%{client:>+7.1f}%")
    return met


def paired(samples: dict[Any, list[float]], call: str, side: str) -> float:
    """Median, over iterations, of ``side``'s time minus boto3's in the same iteration."""
    pairs = zip(samples[(call, side)], samples[(call, "boto3")], strict=True)
    return percentile([mine - raw for mine, raw in pairs], 0.5)


def profile(backend: Backend, calls: int) -> None:
    """modelkit's side of each call with the transport replaced by the recorded response: the
    time per call of modelkit's own work, and where it goes (cProfile, by own time)."""
    db = backend.db
    print(f"\nmodelkit's own work, transport replaced by the recorded responses ({backend.name})")
    for call in CALLS:
        response = backend.sent[call][1]
        db.client.call = _replay(response)  # type: ignore[method-assign,assignment]
        op = backend.ops[(call, "modelkit")]
        profiler = cProfile.Profile()
        try:
            for _ in range(200):
                op()
            start = time.perf_counter_ns()
            for _ in range(calls):
                op()
            per_call = (time.perf_counter_ns() - start) / calls / 1000
            profiler.enable()
            for _ in range(calls):
                op()
            profiler.disable()
        finally:
            del db.client.call
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(PROFILE_LINES)
        lines = out.getvalue().splitlines()
        header = next(i for i, line in enumerate(lines) if line.strip().startswith("ncalls"))
        print(f"\n{call}: {per_call:.1f} µs a call without transport; cProfile, by own time:")
        for line in lines[header:]:
            if line.strip():
                print("  " + line.replace(str(ROOT) + "/", "").replace(SITE, ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--iterations", type=int, help="timed iterations on each backend")
    parser.add_argument("--profile", action="store_true", help="profile even if the target is met")
    args = parser.parse_args()
    os.environ.update(services.DUMMY_AWS_ENV)
    os.environ.pop("AWS_PROFILE", None)
    started = time.monotonic()
    backends: list[Backend] = []
    try:
        backends.append(Backend("moto server", services.start_moto_server()))
        backends.append(Backend("dynalite", services.start_dynalite()))
        print(
            f"GetItem, PutItem and Query (pages of {PAGE} Orders) with modelkit's repository, "
            "its client (same request) and raw boto3 (same request), interleaved; "
            f"{WARMUP} warm-up iterations; {os.cpu_count()} CPUs. p50/p99 in µs. Overhead over "
            "boto3: p50 ratio = p50(modelkit) / p50(boto3) - 1; paired = median over iterations "
            "of (modelkit - boto3) in the same iteration, in µs and in % of boto3's p50 (the "
            "target's measure); client = the same for modelkit's client alone"
        )
        met = True
        for backend in backends:
            gc.collect()
            iterations = args.iterations or ITERATIONS[backend.name]
            samples = measure(backend, iterations, BUDGET[backend.name])
            met = report(backend, samples) and met
        verdict = "met" if met else "MISSED"
        print(
            f"\ntarget: modelkit at most {TARGET_PERCENT:g}% over raw boto3 at p50, every call "
            f"on both backends: {verdict}"
        )
        if args.profile or not met:
            profile(backends[-1], PROFILE_CALLS)
    finally:
        for backend in backends:
            backend.stop()
    print(f"({time.monotonic() - started:.1f} s)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
