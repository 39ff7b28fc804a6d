"""Observed requests from a trace, counted per index with bounded memory.

A trace lists requests, one per line, in one of two formats (chosen by ``format=`` or by the
suffix ``.jsonl``/``.ndjson``/``.csv``, each optionally ``.gz``):

* JSONL: ``{"time": "2026-11-26T10:00:00.123Z", "pattern": "customer by id", "keys":
  {"customer_id": "c-42"}}``, or ``"op": "put", "entity": "Order"`` instead of a pattern (op:
  get, query, batch_get, scan, put, update, delete, transaction; on the table's own index).
  ``entity`` may come with a pattern: one of its entities, by default the first. ``time`` is
  ISO 8601 (no offset: UTC) or epoch seconds; ``keys`` holds key fields, strings or numbers
  (null: absent); other members are ignored. Blank lines are skipped.
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

Counting is bounded (:mod:`modelkit.analyze._heavy`); chunks of ``chunk_rows`` lines are read
at C speed and, when there are several, spread over ``workers`` forked processes.
"""

from __future__ import annotations

import gc
import gzip
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from modelkit.analyze._heavy import KeyCounts
from modelkit.analyze._trace_count import ObservedRequests, Reader, TraceSummary
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

    ``heavy``: identities kept per index and kind; ``progress`` is called with the rows read
    so far after each chunk; ``workers``: processes (default: one per CPU, at most 4; 1 reads
    in this process)."""
    fmt = trace_format(path, format)
    chunks = file_chunks(path, chunk_rows)
    return read_trace_chunks(chunks, design, format=fmt, source=str(path), heavy=heavy,
                             progress=progress, workers=workers)  # fmt: skip


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
    it = iter(chunks)
    header, line = None, 1
    if fmt == "csv":
        first = next(it, b"")
        if not first:
            return TraceSummary(source, 0, 0.0, 0.0, {})
        header, _, rest = first.partition(b"\n")
        it, line = chain([rest], it), 2
    try:
        reader = Reader(design, fmt, source, heavy, header)
    except BadLine as exc:
        raise fail(source, exc.line, exc.message) from None
    count = workers if workers is not None else min(os.cpu_count() or 1, 4)
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived objects and no cycles: collecting only costs time
    try:
        start = [c for _, c in zip(range(2), filter(None, it), strict=False)]
        todo = chain(start, filter(None, it))
        if count > 1 and len(start) > 1 and "fork" in multiprocessing.get_all_start_methods():
            _parallel(reader, todo, line, count, progress)
        else:
            for chunk in todo:
                try:
                    line += reader.feed(chunk)[1]
                except BadLine as exc:
                    raise fail(source, line + exc.line - 1, exc.message) from None
                if progress is not None:
                    progress(reader.rows)
    finally:
        if collecting:
            gc.enable()
    return reader.summary()


def _parallel(reader: Reader, chunks: Iterator[bytes], line: int, count: int,
              progress: Progress | None) -> None:  # fmt: skip
    """Feed the chunks in turn to ``count`` forked copies of ``reader``, then merge them in.

    Workers acknowledge every chunk with its rows and newlines (for line numbers); after an
    error no more chunks go out, and the error of the earliest chunk is raised once every
    chunk before it is acknowledged."""
    context = multiprocessing.get_context("fork")
    pipes = [context.Pipe() for _ in range(count)]
    procs = [context.Process(target=_work, args=(reader, child), daemon=True)
             for _, child in pipes]  # fmt: skip
    for proc in procs:
        proc.start()
    waiting = [0] * count
    lines: dict[int, int] = {}
    errors: dict[int, tuple[int, str]] = {}
    done = 0

    def ack(w: int) -> None:
        nonlocal done
        seq, rows, newlines, error = pipes[w][0].recv()
        waiting[w] -= 1
        done, lines[seq] = done + rows, newlines
        if error is not None:
            errors[seq] = error
        elif progress is not None:
            progress(done)

    try:
        for seq, chunk in enumerate(chunks):
            w = seq % count
            while waiting[w] >= 2:
                ack(w)
            if errors:
                break
            pipes[w][0].send(seq)
            pipes[w][0].send_bytes(chunk)
            waiting[w] += 1
        for w in range(count):
            while waiting[w]:
                ack(w)
        if errors:
            seq = min(errors)
            local, message = errors[seq]
            at = line + sum(n for s, n in lines.items() if s < seq) + local - 1
            raise fail(reader.source, at, message)
        for conn, _ in pipes:
            conn.send(None)
        for conn, _ in pipes:
            reader.merge(*conn.recv())
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()


def _work(reader: Reader, conn: Connection) -> None:
    """A worker: chunks in, acknowledgements out, its counts at the end."""
    while (seq := conn.recv()) is not None:
        chunk = conn.recv_bytes()
        try:
            rows, lines = reader.feed(chunk)
            conn.send((seq, rows, lines, None))
        except BadLine as exc:
            conn.send((seq, 0, 0, (exc.line, exc.message)))
        except Exception as exc:  # a bug: report it where it happened, as a LoadError
            conn.send((seq, 0, 0, (1, f"cannot read from here on: {exc!r}")))
    conn.send((reader.kinds, reader.rows))


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
    except (OSError, EOFError) as exc:
        raise LoadError(f"{path}: cannot read the trace ({exc})") from None
