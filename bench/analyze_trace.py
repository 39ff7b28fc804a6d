"""Trace reading for ``modelkit analyze``: rows/s for JSONL and CSV files, and peak memory on
a long stream.

The trace: ``customer by id`` reads of schemas/ecommerce.py with Zipf(0.99) customer ids over
10^6 customers, and one row in ten an ``op: put, entity: Order`` write (half of them carrying
``ship_shard``, so also touching the sparse GSI2). A pool of rows is generated once; the
files and the stream cycle through it, moving each chunk's times one minute on.

* files: ``--file-rows`` rows written as JSONL and as CSV (and gzipped JSONL), each read with
  ``read_trace``; prints rows/s (target: ``TARGET``);
* stream: ``--rows`` rows (default 10^8) generated chunk by chunk and read with
  ``read_trace_chunks``; prints rows/s and the peak RSS (``resource.getrusage``) of this
  process and of the largest worker (target: under ``MEMORY_TARGET`` MB together).

Exits 1 when a file is read slower than the target or the stream's memory is over its target.

Run: ``python bench/analyze_trace.py [--rows N] [--file-rows N] [--workers N]``
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from modelkit.analyze._trace import read_trace, read_trace_chunks
from modelkit.schema import load_design

TARGET = 1_000_000
MEMORY_TARGET = 500
CUSTOMERS = 10**6
POOL_CHUNKS = 4
CHUNK_ROWS = 1 << 18
PLACEHOLDER = b"2026-11-26T10:00"
SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "ecommerce.py"


def zipf_ranks(n: int, rng: random.Random) -> list[int]:
    """``n`` ranks in [0, CUSTOMERS) drawn from Zipf(0.99)."""
    weights = itertools.accumulate(1.0 / (k + 1) ** 0.99 for k in range(CUSTOMERS))
    return rng.choices(range(CUSTOMERS), cum_weights=list(weights), k=n)


def pool(fmt: str) -> list[bytes]:
    """``POOL_CHUNKS`` chunks of ``CHUNK_ROWS`` rows, all in the minute ``PLACEHOLDER``."""
    rng = random.Random(7)
    ranks = zipf_ranks(POOL_CHUNKS * CHUNK_ROWS, rng)
    chunks = []
    for c in range(POOL_CHUNKS):
        lines = []
        for i in range(c * CHUNK_ROWS, (c + 1) * CHUNK_ROWS):
            ms = (i - c * CHUNK_ROWS) * 60_000 // CHUNK_ROWS  # in order within the minute
            when = f"2026-11-26T10:00:{ms // 1000:02d}.{ms % 1000:03d}Z"
            customer = f"c-{ranks[i]}"
            if i % 10:
                lines.append(read_row(fmt, when, customer))
            else:
                lines.append(write_row(fmt, when, customer, i))
        chunks.append("".join(lines).encode())
    return chunks


def read_row(fmt: str, when: str, customer: str) -> str:
    if fmt == "csv":
        return f"{when},customer by id,,,{customer},,,,\n"
    return f'{{"time": "{when}", "pattern": "customer by id", "keys": {{"customer_id": "{customer}"}}}}\n'  # noqa: E501


def write_row(fmt: str, when: str, customer: str, i: int) -> str:
    placed, shard = "2026-11-26T09:59:00Z", (str(i % 10), "2026-11-28") if i % 20 else ("", "")
    if fmt == "csv":
        return f"{when},,put,Order,{customer},o-{i},{placed},{shard[0]},{shard[1]}\n"
    ship = f', "ship_shard": {shard[0]}, "ship_by": "{shard[1]}"' if shard[0] else ""
    return (
        f'{{"time": "{when}", "op": "put", "entity": "Order", "keys": {{"customer_id": '
        f'"{customer}", "order_id": "o-{i}", "placed_at": "{placed}"{ship}}}}}\n'
    )


HEADER = b"time,pattern,op,entity,customer_id,order_id,placed_at,ship_shard,ship_by\n"


def stream(chunks: list[bytes], rows: int, fmt: str) -> Iterator[bytes]:
    """``rows`` rows from the pool, each chunk one minute later than the previous one."""
    if fmt == "csv":
        yield HEADER
    for n in range((rows + CHUNK_ROWS - 1) // CHUNK_ROWS):
        minute = 10 * 60 + n
        chunk = chunks[n % len(chunks)]
        stamp = b"2026-11-%02dT%02d:%02d" % (26 + minute // 1440, minute // 60 % 24, minute % 60)
        chunk = chunk.replace(PLACEHOLDER, stamp)
        left = rows - n * CHUNK_ROWS
        if left < CHUNK_ROWS:
            chunk = b"".join(chunk.splitlines(keepends=True)[:left])
        yield chunk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10**8, help="rows of the long stream")
    parser.add_argument("--file-rows", type=int, default=4_000_000, help="rows of each file")
    parser.add_argument("--workers", type=int, default=None, help="reading processes")
    args = parser.parse_args()
    design = load_design(str(SCHEMA))
    ok = True
    started = time.perf_counter()
    pools = {fmt: pool(fmt) for fmt in ("jsonl", "csv")}
    print(
        f"pool of {POOL_CHUNKS * CHUNK_ROWS:,} rows per format in {time.perf_counter() - started:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, suffix in (("jsonl", ".jsonl"), ("csv", ".csv"), ("jsonl", ".jsonl.gz")):
            path = Path(tmp) / f"trace{suffix}"
            opener = gzip.open if suffix.endswith(".gz") else open
            with opener(path, "wb") as out:
                for chunk in stream(pools[fmt], args.file_rows, fmt):
                    out.write(chunk)
            started = time.perf_counter()
            summary = read_trace(path, design, workers=args.workers)
            seconds = time.perf_counter() - started
            rate = summary.rows / seconds
            target = "" if suffix.endswith(".gz") else f" (target {TARGET:,})"
            ok &= bool(target == "" or rate >= TARGET)
            print(
                f"{suffix:10} {summary.rows:>12,} rows {seconds:7.2f} s {rate:>12,.0f} rows/s{target}"
            )
            if summary.rows != args.file_rows:
                print(f"  read {summary.rows} rows, wrote {args.file_rows}")
                ok = False
    for fmt in ("jsonl",):
        started = time.perf_counter()
        summary = read_trace_chunks(
            stream(pools[fmt], args.rows, fmt), design, format=fmt, workers=args.workers
        )
        seconds = time.perf_counter() - started
        del pools
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        top = summary.requests["customer by id"].partitions["primary"]
        share = max(top.heavy.values()) / top.total
        print(
            f"stream {fmt}: {summary.rows:,} rows {seconds:.1f} s {summary.rows / seconds:,.0f} "
            f"rows/s; peak RSS {own:.0f} MB here + {child:.0f} MB per worker (target "
            f"{MEMORY_TARGET} MB); top key {share:.2%} of reads, error {top.error:,}, distinct "
            f"{top.distinct:,.0f}"
        )
        ok &= own + child < MEMORY_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
