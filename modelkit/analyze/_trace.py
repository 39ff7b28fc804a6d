"""Observed requests from a trace, counted per index with bounded memory.

A trace lists requests, one per line, in one of two formats (chosen by ``format=`` or by the
suffix ``.jsonl``/``.ndjson``/``.csv``, each optionally ``.gz``):

* JSONL: ``{"time": "2026-11-26T10:00:00.123Z", "pattern": "customer by id", "keys":
  {"customer_id": "c-42"}}``, or ``"op": "put", "entity": "Order"`` instead of a pattern (op:
  get, query, batch_get, scan, put, update, delete, transaction; on the table's own index).
  ``entity`` may come with a pattern: one of its entities, by default the first. ``time`` is
  ISO 8601 (no offset: UTC) or epoch seconds; ``keys`` holds key fields, strings or numbers
  (numbers count as their text; null or "" is absent); other members and keys are ignored.
  Blank lines are skipped.
* CSV: a header row ``time,pattern,op,entity,<key field>...`` (``pattern``, ``op`` and
  ``entity`` columns optional); an empty cell is an absent value; no newlines in cells.

What a request touches: a read (get, query, batch_get) the pattern's index; a write (put,
update, delete, transaction) the table and each secondary index where the entity has a key and
the row carries every field of that index's partition key template (sparse indexes); a scan
nothing (it only counts in totals). On each, the *partition* identity is ``(pk template,
*pk values)`` and the *item* identity ``(pk template, sk template, *pk values, *sk values)``
(sk template ``""`` when none), counted only when every field is given.

A malformed line raises :class:`LoadError` ``PATH:LINE: what is wrong`` (lines from 1, the CSV
header included) for the first bad line, before anything is reported: bad JSON or CSV, an
unknown pattern, op or entity, an entity not in the pattern, a missing or bad time, a read (or
a write's table key) without a field of its partition key. Times are checked to the minute;
the earliest and latest are parsed in full.

Counting is bounded (:mod:`modelkit.analyze._heavy`): memory depends on ``heavy`` and the
chunk size, not on the trace's length. Chunks of whole lines are decoded at once and, when
there are several, spread over ``workers`` forked processes (:mod:`._trace_pool`; a plain
file is read by the workers themselves, by byte ranges).
"""

from __future__ import annotations

import gc
import gzip
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from modelkit.analyze._heavy import KeyCounts
from modelkit.analyze._trace_count import ObservedRequests, Reader, TraceSummary
from modelkit.analyze._trace_pool import JOB, can_fork, ranges, run
from modelkit.analyze._trace_rows import BadLine, fail, line_chunks
from modelkit.errors import LoadError
from modelkit.schema._design import TableDesign

__all__ = ["KeyCounts", "ObservedRequests", "TraceSummary", "read_trace", "read_trace_chunks"]

_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
Progress = Callable[[int], None]


def read_trace(
    path: str | Path,
    design: TableDesign,
    *,
    format: str | None = None,
    chunk_rows: int = 1 << 18,
    heavy: int = 10_000,
    progress: Progress | None = None,
    workers: int | None = None,
) -> TraceSummary:
    """Read a trace file (see the module's documentation) into bounded per-index counts.

    ``heavy``: identities kept per kind and index; ``progress`` is called with the rows read
    so far after each chunk of about ``chunk_rows`` lines; ``workers``: processes reading
    chunks (default: one per CPU, at most 4; 1 reads in this process)."""
    fmt, source = trace_format(path, format), str(path)
    count = _workers(workers)
    try:
        with open(path, "rb") as file:
            head = file.read(1 << 16)
            size = file.seek(0, os.SEEK_END)
    except OSError as exc:
        raise LoadError(f"{path}: cannot read the trace ({exc})") from None
    step = max(1, chunk_rows) * max(1, len(head) // max(1, head.count(b"\n")))
    if head.startswith(b"\x1f\x8b") or count < 2 or size < 2 * step or not can_fork():
        chunks = file_chunks(path, chunk_rows)
        return read_trace_chunks(chunks, design, format=fmt, source=source, heavy=heavy,
                                 progress=progress, workers=count)  # fmt: skip
    header = head.partition(b"\n")[0] if fmt == "csv" else None
    reader = _reader(design, fmt, source, heavy, header)
    start = 0 if header is None else len(header) + 1
    with _no_collection():
        run(reader, ranges(start, size, step), 1 if header is None else 2, count, progress,
            source)  # fmt: skip
    return reader.summary()


def read_trace_chunks(
    chunks: Iterable[bytes],
    design: TableDesign,
    *,
    format: str,
    source: str = "<stream>",
    heavy: int = 10_000,
    progress: Progress | None = None,
    workers: int | None = None,
) -> TraceSummary:
    """Like :func:`read_trace`, from chunks of whole lines (a CSV header first)."""
    fmt = trace_format(source, format)
    it: Iterator[bytes] = filter(None, chunks)
    header, line = None, 1
    if fmt == "csv":
        first = next(it, b"")
        if not first:
            return TraceSummary(source, 0, 0.0, 0.0, {})
        header, _, rest = first.partition(b"\n")
        it, line = chain(filter(None, [rest]), it), 2
    reader = _reader(design, fmt, source, heavy, header)
    start: list[bytes] = []  # workers only for more than one job (held when they fork)
    for chunk in it:
        start.append(chunk)
        if len(start) > 1 or len(chunk) > JOB:
            break
    count = _workers(workers) if len(start) > 1 or sum(map(len, start)) > JOB else 1
    with _no_collection():
        run(reader, _drain(start, it), line, count, progress)
    return reader.summary()


def _drain(start: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    """``start`` then ``rest``, not holding on to what was handed out."""
    while start:
        yield start.pop(0)
    yield from rest


def _reader(design: TableDesign, fmt: str, source: str, heavy: int, header: bytes | None
            ) -> Reader:  # fmt: skip
    try:
        return Reader(design, fmt, source, heavy, header)
    except BadLine as exc:
        raise fail(source, exc.line, exc.message) from None


def _workers(workers: int | None) -> int:
    return workers if workers is not None else min(os.cpu_count() or 1, 4)


@contextmanager
def _no_collection() -> Iterator[None]:
    """Millions of short-lived objects and no cycles: the collector would only cost time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def trace_format(path: str | Path, format: str | None) -> str:
    """``jsonl`` or ``csv``, from ``format`` or the file's suffixes; LoadError otherwise."""
    if format is not None:
        if format not in ("jsonl", "csv"):
            raise LoadError(f"{path}: unknown trace format {format!r} (jsonl or csv)")
        return format
    suffixes = Path(path).suffixes
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    raise LoadError(f"{path}: cannot tell the trace format from the name (give format=)")


def file_chunks(path: str | Path, chunk_rows: int) -> Iterable[bytes]:
    """The file's chunks of whole lines (gzip when it starts with gzip's magic bytes)."""
    try:
        with open(path, "rb") as raw:
            gz = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            stream: Any = gzip.GzipFile(fileobj=raw) if gz else raw
            yield from line_chunks(stream, chunk_rows)
    except (OSError, EOFError, zlib.error) as exc:
        raise LoadError(f"{path}: cannot read the trace ({exc})") from None
