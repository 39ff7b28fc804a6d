"""Running a trace :class:`Reader` over chunks: in this process, or in forked workers.

A job is a chunk of whole lines (bytes), or a byte range of the trace file that the worker
reads itself (the lines that start in it), so that a plain file never goes through a pipe.
Workers acknowledge each job with its rows and newlines; line numbers of errors are counted
from those, so no one counts newlines ahead of time.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import BinaryIO

from modelkit.analyze._trace_count import Reader
from modelkit.analyze._trace_rows import BadLine, fail

Job = bytes | tuple[int, int]
Progress = Callable[[int], None]
JOB = 1 << 22
"""Bytes a worker gets at a time."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def run(reader: Reader, jobs: Iterator[Job], line: int, workers: int,
        progress: Progress | None, path: str | None = None) -> None:  # fmt: skip
    """Feed every job to ``reader`` (its first line being line ``line`` of the source); with
    ``workers`` > 1, to that many forked copies of it, merged back in at the end."""
    if workers > 1 and can_fork():
        _parallel(reader, jobs, line, workers, progress, path)
        return
    with open(path, "rb") if path else _nothing() as file:
        for job in jobs:
            try:
                line += reader.feed(_chunk(job, file))[1]
            except BadLine as exc:
                raise fail(reader.source, line + exc.line - 1, exc.message) from None
            if progress is not None:
                progress(reader.rows)


def _parallel(reader: Reader, jobs: Iterator[Job], line: int, count: int,
              progress: Progress | None, path: str | None) -> None:  # fmt: skip
    """Each job goes to a worker that is free. After an error no more jobs go out; the error
    of the earliest job is raised once every job before it is acknowledged."""
    context = multiprocessing.get_context("fork")
    pipes = [context.Pipe() for _ in range(count)]
    procs = [context.Process(target=_work, args=(reader, child, path), daemon=True)
             for _, child in pipes]  # fmt: skip
    for proc in procs:
        proc.start()
    parents = [parent for parent, _ in pipes]
    idle = list(range(count))
    busy = 0
    lines: dict[int, int] = {}
    errors: dict[int, tuple[int, str]] = {}
    done = 0

    def ack() -> None:
        """Wait for a worker to finish its job."""
        nonlocal done, busy
        for ready in wait(parents):
            w = parents.index(ready)  # type: ignore[arg-type]
            seq, rows, newlines, error = parents[w].recv()
            idle.append(w)
            busy -= 1
            done, lines[seq] = done + rows, newlines
            if error is not None:
                errors[seq] = error
            elif progress is not None:
                progress(done)

    try:
        for seq, job in enumerate(_cut(jobs)):
            while not idle:
                ack()
            if errors:
                break
            conn = pipes[idle.pop()][0]
            if isinstance(job, bytes):
                conn.send((seq, None))
                conn.send_bytes(job)
            else:
                conn.send((seq, job))
            busy += 1
            del job
        while busy:
            ack()
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


def _work(reader: Reader, conn: Connection, path: str | None) -> None:
    """A worker: jobs in, acknowledgements out, its counts at the end."""
    with open(path, "rb") if path else _nothing() as file:
        while (head := conn.recv()) is not None:
            seq, job = head
            try:
                chunk = conn.recv_bytes() if job is None else _chunk(job, file)
                rows, lines = reader.feed(chunk)
                conn.send((seq, rows, lines, None))
            except BadLine as exc:
                conn.send((seq, 0, 0, (exc.line, exc.message)))
            except Exception as exc:  # a bug or an I/O error: reported where it happened
                conn.send((seq, 0, 0, (1, f"cannot read from here on: {exc!r}")))
    reader.flush()
    conn.send((reader.kinds, reader.rows))


def _cut(jobs: Iterator[Job]) -> Iterator[Job]:
    """Jobs of at most about ``JOB`` bytes (whole lines), so that a worker holds little."""
    for job in jobs:
        if isinstance(job, tuple):
            yield from ranges(job[0], job[1], JOB)
            continue
        start, end = 0, len(job)
        while start < end:
            stop = job.find(b"\n", start + JOB - 1) + 1 or end
            yield job if start == 0 and stop == end else job[start:stop]
            start = stop


def _chunk(job: Job, file: BinaryIO | None) -> bytes:
    if isinstance(job, bytes):
        return job
    assert file is not None
    start, end = (_line_start(file, at) for at in job)
    file.seek(start)
    return file.read(end - start)


def _line_start(file: BinaryIO, at: int) -> int:
    """The first line start at or after ``at`` (``at`` itself when line starts there: ranges
    begin at the first line or come from :func:`ranges`)."""
    if at <= 0:
        return 0
    file.seek(at - 1)
    skipped = 0
    while block := file.read(1 << 16):
        newline = block.find(b"\n")
        if newline >= 0:
            return at + skipped + newline
        skipped += len(block)
    return at - 1 + skipped


def ranges(start: int, size: int, step: int) -> Iterator[tuple[int, int]]:
    """Byte ranges ``[start, size)`` cut every ``step`` bytes (each job takes the lines that
    start in its range)."""
    for lo in range(start, size, step):
        yield lo, min(lo + step, size)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None
