"""load(): the records of a file into a deployed table, in batches, resumable."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import msgspec

from modelkit.dynamo import Database, DynamoClient
from modelkit.load._checkpoint import Checkpoint, Progress
from modelkit.load._progress import Bar
from modelkit.load._records import Record, file_format, read_records
from modelkit.load._validate import Rejected, Validator
from modelkit.load._writer import Batch, Writer
from modelkit.schema import TableDesign

BATCH = 25
#: Reject messages kept in :attr:`LoadResult.messages` (all are in the rejects file).
MESSAGES = 20
_encode = msgspec.json.Encoder().encode


class LoadResult(msgspec.Struct):
    """What a load did: records ``loaded`` and ``rejected`` (those of an interrupted earlier
    run included), ``skipped`` records a checkpoint said were done, and the time taken."""

    loaded: int = 0
    rejected: int = 0
    skipped: int = 0
    seconds: float = 0.0
    rejects_file: Path | None = None
    messages: list[str] = msgspec.field(default_factory=list)
    """The first rejects as ``FILE:LINE: reason``."""

    resumed: int = 0
    """Records loaded by the interrupted run this one resumed."""

    @property
    def items_per_second(self) -> float:
        """Items written per second by this run."""
        written = self.loaded - self.resumed
        return written / self.seconds if self.seconds > 0 else 0.0


def load(
    design: TableDesign,
    data: Path,
    client: DynamoClient,
    *,
    table: str | None = None,
    entity: str | None = None,
    rejects: Path | None = None,
    batch: int = BATCH,
    threads: int = 1,
    restart: bool = False,
    progress: bool = False,
    after_batch: Callable[[Batch], None] | None = None,
) -> LoadResult:
    """Write every valid record of ``data`` (JSON array, JSONL or CSV) to the table.

    Invalid records go to ``rejects`` (``DATA.rejects.jsonl``) as the record plus ``line``
    and ``error``; the others load. ``DATA.load-checkpoint`` records how far the file is
    written, so that a re-run after an interruption skips it (``restart`` ignores it); puts
    are idempotent by key, so nothing is duplicated. ``after_batch`` is called with each
    acknowledged batch (tests interrupt a load with it). :class:`~modelkit.errors.LoadError`
    for an unusable file or entity.
    """
    if batch < 1 or threads < 1:
        raise ValueError("batch and threads must be at least 1")
    fmt = file_format(data)
    validator = Validator(design, entity=entity, strict=fmt != "csv")
    checkpoint = Checkpoint(data)
    if restart:
        checkpoint.remove()
    done = checkpoint.read()
    rejects = rejects or data.with_name(data.name + ".rejects.jsonl")
    result = LoadResult(
        loaded=done.loaded, rejected=done.rejected, skipped=done.records, resumed=done.loaded
    )
    db = Database(design, client, table_name=table)
    started = time.perf_counter()
    out = _RejectsFile(rejects, done.rejects_bytes if done.records else None)
    try:
        with Bar(progress, skipped=done.records) as bar:

            def acknowledged(written: Batch) -> None:
                checkpoint.write(
                    Progress(
                        written.end,
                        written.loaded,
                        written.rejected,
                        written.rejects_bytes,
                        done.data_bytes,
                    )
                )
                elapsed = time.perf_counter() - started
                rate = (written.end - done.records) / elapsed if elapsed > 0 else 0.0
                bar.update(written.end, written.rejected, rate)
                if after_batch is not None:
                    after_batch(written)

            writer = Writer(db, threads, acknowledged)
            try:
                _feed(data, fmt, validator, done, batch, writer, out, result)
            except BaseException:
                writer.close(wait=False)
                raise
            writer.close()
    finally:
        out.close()
    result.seconds = time.perf_counter() - started
    checkpoint.remove()
    result.rejects_file = rejects if result.rejected else None
    if not result.rejected:
        rejects.unlink(missing_ok=True)
    return result


def _feed(
    data: Path,
    fmt: Any,
    validator: Validator,
    done: Progress,
    size: int,
    writer: Writer,
    out: _RejectsFile,
    result: LoadResult,
) -> None:
    objects: dict[str, list[Any]] = {}
    count = seq = index = 0
    for index, record in enumerate(read_records(data, fmt), 1):
        if index <= done.records:
            continue
        try:
            valid = validator.check(record.data)
        except Rejected as exc:
            result.rejected += 1
            out.write(record, str(exc))
            if len(result.messages) < MESSAGES:
                result.messages.append(f"{data}:{record.line}: {exc}")
            continue
        objects.setdefault(valid.entity, []).append(valid.obj)
        count += 1
        result.loaded += 1
        if count == size:
            writer.submit(_batch(seq, index, objects, count, result, out))
            objects, count, seq = {}, 0, seq + 1
    if index > done.records:  # the rest, or only the trailing rejects to acknowledge
        writer.submit(_batch(seq, index, objects, count, result, out))


def _batch(
    seq: int, end: int, objects: dict[str, list[Any]], count: int, result: LoadResult, out: Any
) -> Batch:
    return Batch(seq, end, objects, count, result.loaded, result.rejected, out.size)


class _RejectsFile:
    """The rejects file, created at the first reject (truncated to ``resume_at`` bytes and
    appended to when a load resumes)."""

    def __init__(self, path: Path, resume_at: int | None) -> None:
        self.path = path
        self.size = resume_at or 0
        self._handle: IO[bytes] | None = None
        if resume_at is None:
            path.unlink(missing_ok=True)
        elif path.exists():
            with path.open("r+b") as handle:
                handle.truncate(resume_at)

    def write(self, record: Record, error: str) -> None:
        if self._handle is None:
            self._handle = self.path.open("ab")
        data = record.data
        entry = {**data} if isinstance(data, dict) else {"record": data}
        entry.update(line=record.line, error=error)
        text = _encode(entry) + b"\n"
        self._handle.write(text)
        self._handle.flush()
        self.size += len(text)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
