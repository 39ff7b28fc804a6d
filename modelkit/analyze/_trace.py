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
from modelkit.analyze._trace_rows import line_chunks
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
        header, _, rest = first.partition(b"\n")
        if not first:
            return TraceSummary(source, 0, 0.0, 0.0, {})
        it, line = chain([rest], it), 2
    reader = Reader(design, fmt, source, heavy, header)
    numbered = _numbered(it, line)
    count = workers if workers is not None else min(os.cpu_count() or 1, 4)
    start = [c for _, c in zip(range(2), numbered, strict=False)]
    if count > 1 and len(start) > 1 and "fork" in multiprocessing.get_all_start_methods():
        _parallel(reader, chain(start, numbered), count, progress)
    else:
        for chunk, line0 in chain(start, numbered):
            reader.feed(chunk, line0)
            if progress is not None:
                progress(reader.rows)
    return reader.summary()


def _numbered(chunks: Iterator[bytes], line: int) -> Iterator[tuple[bytes, int]]:
    for chunk in chunks:
        if chunk:
            yield chunk, line
            line += chunk.count(b"\n")


def _parallel(reader: Reader, chunks: Iterator[tuple[bytes, int]], count: int,
              progress: Progress | None) -> None:  # fmt: skip
    """Feed the chunks to ``count`` forked copies of ``reader`` in turn, then merge them in.

    Each worker acknowledges every chunk; on an error no more chunks go out, and the error
    of the earliest chunk is raised once every earlier chunk is acknowledged."""
    context = multiprocessing.get_context("fork")
    pipes = [context.Pipe() for _ in range(count)]
    procs = [context.Process(target=_work, args=(reader, child), daemon=True)
             for _, child in pipes]  # fmt: skip
    for proc in procs:
        proc.start()
    waiting = [0] * count
    errors: list[tuple[int, BaseException]] = []
    done = 0

    def ack(w: int) -> None:
        nonlocal done
        seq, rows, error = pipes[w][0].recv()
        waiting[w] -= 1
        done += rows
        if error is not None:
            errors.append((seq, error))
        elif progress is not None:
            progress(done)

    try:
        for seq, (chunk, line0) in enumerate(chunks):
            w = seq % count
            while waiting[w] >= 2:
                ack(w)
            if errors:
                break
            pipes[w][0].send((seq, line0))
            pipes[w][0].send_bytes(chunk)
            waiting[w] += 1
        for w in range(count):
            while waiting[w]:
                ack(w)
        if errors:
            raise min(errors, key=lambda e: e[0])[1]
        for conn, _ in pipes:
            conn.send(None)
        for conn, _ in pipes:
            reader.merge(*conn.recv())
    finally:
        for proc in procs:
            proc.join(timeout=0.1) if not errors else None
            if proc.is_alive():
                proc.terminate()
            proc.join()


def _work(reader: Reader, conn: Connection) -> None:
    while (head := conn.recv()) is not None:
        seq, line0 = head
        chunk = conn.recv_bytes()
        try:
            conn.send((seq, reader.feed(chunk, line0), None))
        except LoadError as exc:
            conn.send((seq, 0, exc))
        except Exception as exc:  # a bug: say where, without losing the message
            conn.send((seq, 0, LoadError(f"{reader.source}:{line0}: {exc!r}")))
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
