"""Trace reading for ``modelkit analyze``: rows/s on JSONL and CSV files, memory on a long stream.

The trace: ``customer by id`` reads of schemas/ecommerce.py, customer ids Zipf(0.99) over
10^6 customers, and one row in ten an ``op: put, entity: Order`` write (half of them with
``ship_shard``, so also touching the sparse GSI2): per write, five identities to count (the
table's partition and item, GSI1's, GSI2's partition and item). A pool of rows is generated
once; files and stream cycle through it, each chunk one minute after the previous one.

* files: ``--file-rows`` rows as JSONL, CSV and gzipped JSONL, each read by ``read_trace``
  (default workers: one per CPU); prints rows/s against ``TARGET``.
* stream: ``--rows`` rows (default 10^8) generated chunk by chunk, never written, read by
  ``read_trace_chunks`` in a fresh process; prints rows/s, the peak RSS
  (``resource.getrusage``) of that process and of its largest worker (each counting the pages
  a worker shares with its parent since the fork), and the peak proportional set size of all
  of them together (sampled from /proc on Linux), which is what ``MEMORY_TARGET`` bounds.

Exits 1 when a file reads slower than ``TARGET`` or the stream's memory is over its target.

Run: ``python bench/analyze_trace.py [--rows N] [--file-rows N] [--workers N]``
"""

from __future__ import annotations

import argparse
import array
import gzip
import itertools
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from modelkit.analyze._trace import read_trace, read_trace_chunks
from modelkit.schema import load_design

TARGET = 1_000_000
MEMORY_TARGET = 500
CUSTOMERS = 10**6
CHUNK_ROWS = 1 << 18
MINUTE = b"2026-11-26T10:00"
HEADER = b"time,pattern,op,entity,customer_id,order_id,placed_at,ship_shard,ship_by\n"
SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "ecommerce.py"


def pool(fmt: str, chunks: int) -> list[bytes]:
    """``chunks`` chunks of ``CHUNK_ROWS`` rows, times in order within the minute ``MINUTE``
    (built a slice at a time, to keep this process small before it forks its workers)."""
    rng = random.Random(7)
    weights = array.array("d", itertools.accumulate(1 / (k + 1) ** 0.99 for k in range(CUSTOMERS)))
    out = []
    for c in range(chunks):
        chunk = bytearray()
        for start in range(0, CHUNK_ROWS, 1 << 14):
            ranks = rng.choices(range(CUSTOMERS), cum_weights=weights, k=1 << 14)
            lines = []
            for j, rank in enumerate(ranks, start):
                i, ms, customer = c * CHUNK_ROWS + j, j * 60_000 // CHUNK_ROWS, f"c-{rank}"
                when = f"{MINUTE.decode()}:{ms // 1000:02d}.{ms % 1000:03d}Z"
                lines.append(
                    _write(fmt, when, customer, i) if i % 10 == 0 else _read(fmt, when, customer)
                )
            chunk += "".join(lines).encode()
        out.append(bytes(chunk))
    return out


def _read(fmt: str, when: str, customer: str) -> str:
    if fmt == "csv":
        return f"{when},customer by id,,,{customer},,,,\n"
    return f'{{"time": "{when}", "pattern": "customer by id", "keys": {{"customer_id": "{customer}"}}}}\n'  # noqa: E501


def _write(fmt: str, when: str, customer: str, i: int) -> str:
    placed, (shard, ship_by) = (
        "2026-11-26T09:59:00Z",
        (str(i % 10), "2026-11-28") if i % 20 else ("", ""),
    )
    if fmt == "csv":
        return f"{when},,put,Order,{customer},o-{i},{placed},{shard},{ship_by}\n"
    ship = f', "ship_shard": {shard}, "ship_by": "{ship_by}"' if shard else ""
    keys = f'"customer_id": "{customer}", "order_id": "o-{i}", "placed_at": "{placed}"{ship}'
    return f'{{"time": "{when}", "op": "put", "entity": "Order", "keys": {{{keys}}}}}\n'


def stream(chunks: list[bytes], rows: int, fmt: str) -> Iterator[bytes]:
    """``rows`` rows from the pool, each chunk one minute after the previous one."""
    if fmt == "csv":
        yield HEADER
    for n in range(-(-rows // CHUNK_ROWS)):
        minute = 10 * 60 + n
        stamp = b"2026-11-%02dT%02d:%02d" % (26 + minute // 1440, minute // 60 % 24, minute % 60)
        chunk = chunks[n % len(chunks)].replace(MINUTE, stamp)
        left = rows - n * CHUNK_ROWS
        yield chunk if left >= CHUNK_ROWS else b"".join(chunk.splitlines(True)[:left])


def files(args: argparse.Namespace) -> bool:
    design = load_design(str(SCHEMA))
    started = time.perf_counter()
    pools = {fmt: pool(fmt, 4) for fmt in ("jsonl", "csv")}
    print(f"pool: {4 * CHUNK_ROWS:,} rows per format in {time.perf_counter() - started:.1f} s")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, suffix in (("jsonl", ".jsonl"), ("csv", ".csv"), ("jsonl", ".jsonl.gz")):
            path = Path(tmp) / f"trace{suffix}"
            with (gzip.open if suffix.endswith(".gz") else open)(path, "wb") as out:
                for chunk in stream(pools[fmt], args.file_rows, fmt):
                    out.write(chunk)
            started = time.perf_counter()
            summary = read_trace(path, design, workers=args.workers)
            seconds = time.perf_counter() - started
            rate = summary.rows / seconds
            gated = not suffix.endswith(".gz")
            ok &= summary.rows == args.file_rows and (rate >= TARGET or not gated)
            note = f" (target {TARGET:,})" if gated else ""
            size = path.stat().st_size / 2**20
            print(f"{suffix:10} {summary.rows:>11,} rows {size:6.0f} MB {seconds:6.2f} s "
                  f"{rate:>10,.0f} rows/s{note}")  # fmt: skip
    return ok


def long_stream(args: argparse.Namespace) -> bool:
    design = load_design(str(SCHEMA))
    chunks = pool("jsonl", 2)
    peak = [0.0]
    threading.Thread(target=_watch, args=(peak,), daemon=True).start()
    started = time.perf_counter()
    summary = read_trace_chunks(stream(chunks, args.rows, "jsonl"), design, format="jsonl",
                                workers=args.workers)  # fmt: skip
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    workers = args.workers if args.workers is not None else min(os.cpu_count() or 1, 4)
    total = own + (workers if workers > 1 else 0) * worker
    reads = summary.requests["customer by id"].partitions["primary"]
    top = max(reads.heavy.values())
    rate = summary.rows / seconds
    print(f"stream jsonl: {summary.rows:,} rows {seconds:.1f} s {rate:,.0f} rows/s")
    print(f"peak RSS (getrusage): {own:.0f} MB reading + {worker:.0f} MB per worker x {workers}"
          f" = {total:.0f} MB at most, counting pages shared since the fork in each;"
          f" sampled peak PSS of all: {peak[0]:.0f} MB (target {MEMORY_TARGET} MB)")  # fmt: skip
    print(f"customer by id: top key {top / reads.total:.2%} of reads (Zipf 0.99: about 6.5%), "
          f"error bound {reads.error:,}, distinct {reads.distinct:,.0f}")  # fmt: skip
    return summary.rows == args.rows and (peak[0] or total) < MEMORY_TARGET


def _watch(peak: list[float]) -> None:
    """Sample the proportional set size of this process and its children (Linux)."""
    me = os.getpid()
    while True:
        total = 0
        try:
            kids = Path(f"/proc/{me}/task/{me}/children").read_text().split()
            for pid in [str(me), *kids]:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            return
        peak[0] = max(peak[0], total / 1024)
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10**8, help="rows of the long stream")
    parser.add_argument("--file-rows", type=int, default=4_000_000, help="rows of each file")
    parser.add_argument("--workers", type=int, default=None, help="reading processes")
    parser.add_argument("--stream-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stream_only:
        return 0 if long_stream(args) else 1
    command = [sys.executable, __file__, "--stream-only", "--rows", str(args.rows)]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    # first, from this still small process: a child's peak RSS starts at its parent's
    ok = args.rows <= 0 or subprocess.run(command, check=False).returncode == 0
    return 0 if files(args) and ok else 1


if __name__ == "__main__":
    sys.exit(main())
