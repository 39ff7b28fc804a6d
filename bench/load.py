"""``modelkit.load`` against raw boto3 ``batch_write_item`` on dynalite.

N Orders of the ecommerce schema (example values, distinct keys) are written to a fresh table
each run: by ``modelkit.load`` from a JSON Lines file (reading, validating, encoding and
checkpointing included), and by boto3 from the same items already encoded, 25 a request,
unprocessed items sent again. Both at 1 and 4 threads; sides alternate over ``ROUNDS``
rounds and the best run of each counts. Target: modelkit at least ``TARGET`` of raw boto3's
items/s at the same concurrency.

Run: ``python bench/load.py [--items N] [--strict]``. Prints each figure beside its target
and MISSED for a missed target; exits 1 on a missed target only with ``--strict``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import msgspec

from modelkit.dynamo import deploy
from modelkit.dynamo._items import ItemShape
from modelkit.latency import Services, endpoint_client, example_items, start_dynalite
from modelkit.load import load
from modelkit.schema import TableDesign, load_design

ROOT = Path(__file__).resolve().parent.parent
ENTITY = "Order"
ITEMS = 5000
THREADS = (1, 4)
ROUNDS = 2
TARGET = 0.8


def fresh_table(design: TableDesign, url: str) -> TableDesign:
    table = msgspec.structs.replace(design, name=f"loadbench-{uuid.uuid4().hex[:8]}", stream=None)
    deploy(table, endpoint_client(url))
    return table


def run_modelkit(design: TableDesign, url: str, data: Path, threads: int, count: int) -> float:
    table = fresh_table(design, url)
    result = load(table, data, endpoint_client(url), threads=threads)
    assert (result.loaded, result.rejected) == (count, 0), result.messages
    return result.items_per_second


def run_raw(design: TableDesign, url: str, items: list[dict[str, Any]], threads: int) -> float:
    table = fresh_table(design, url)
    client = boto3.client(
        "dynamodb",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    chunks = [items[i : i + 25] for i in range(0, len(items), 25)]

    def write(chunk: list[dict[str, Any]]) -> None:
        pending = [{"PutRequest": {"Item": item}} for item in chunk]
        while pending:
            response = client.batch_write_item(RequestItems={table.name: pending})
            pending = response.get("UnprocessedItems", {}).get(table.name, [])

    started = time.perf_counter()
    if threads == 1:
        for chunk in chunks:
            write(chunk)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(write, chunks))
    return len(items) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--items", type=int, default=ITEMS, help="items a run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    started = time.monotonic()
    design = load_design(str(ROOT / "schemas" / "ecommerce.py"))
    entity = design.entity(ENTITY)
    objects = example_items(design, entity, args.items).objects
    shape = ItemShape[Any](design, entity)
    encoded = [shape.to_item(obj) for obj in objects]
    met = True
    with tempfile.TemporaryDirectory() as tmp, Services() as services:
        data = Path(tmp) / "orders.jsonl"
        lines = (msgspec.json.encode({"entity": ENTITY, **msgspec.to_builtins(o)}) for o in objects)
        data.write_bytes(b"\n".join(lines) + b"\n")
        dynalite = services.start(start_dynalite)
        print(
            f"{len(objects):,} {ENTITY} items of schemas/ecommerce.py into dynalite on loopback, "
            f"best of {ROUNDS} runs; {os.cpu_count()} CPUs, load average "
            + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        for threads in THREADS:
            raw = mine = 0.0
            for _ in range(ROUNDS):
                raw = max(raw, run_raw(design, dynalite.url, encoded, threads))
                mine = max(mine, run_modelkit(design, dynalite.url, data, threads, len(objects)))
            ratio = mine / raw
            verdict = "" if ratio >= TARGET else ": MISSED"
            met = met and ratio >= TARGET
            print(
                f"{threads} thread(s): modelkit.load {mine:,.0f} items/s, raw boto3 "
                f"batch_write_item {raw:,.0f} items/s: {ratio:.2f} of raw (target ≥ "
                f"{TARGET:g}){verdict}"
            )
    print(f"targets: {'met' if met else 'MISSED'} ({time.monotonic() - started:.1f} s)")
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())
