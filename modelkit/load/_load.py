"""load(): the records of a file into a deployed table, in batches, resumable."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from modelkit.dynamo import Database, DynamoClient
from modelkit.load._checkpoint import Checkpoint, Progress
from modelkit.load._progress import Bar
from modelkit.load._records import file_format, read_records
from modelkit.load._rejects import Reject, RejectsFile
from modelkit.load._validate import Rejected, Validator
from modelkit.load._writer import Batch, Put, Writer
from modelkit.schema import TableDesign

BATCH = 25
#: Reject messages kept in :attr:`LoadResult.messages` (all are in the rejects file).
MESSAGES = 20
#: Rejects that end a batch early (they are held in memory until it is acknowledged).
REJECTS_A_BATCH = 1000


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

    Records of entities with unique fields are put one by one (a transaction with their
    markers), their items as given like the others (no timestamps set, versions neither
    checked nor incremented); a record whose unique value another item holds is rejected.
    Rejected records go to ``rejects`` (``DATA.rejects.jsonl``), in file order, as the
    record plus ``line`` and ``error``; the others load. ``DATA.load-checkpoint`` records how
    far the file is written, so that a re-run after an interruption skips it (``restart``
    ignores it); items are written as given, so a record written again changes nothing.
    ``after_batch`` is called with each acknowledged batch (tests interrupt a load with it).
    :class:`~modelkit.errors.LoadError` for an unusable file or entity.
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
    out = RejectsFile(rejects, done.rejects_bytes if done.records else None)
    try:
        with Bar(progress, skipped=done.records) as bar:

            def acknowledged(written: Batch) -> None:
                _account(written, result, out, data)
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
                unique = {e.name for e in design.entities if e.unique_fields}
                _feed(data, fmt, validator, unique, done, batch, writer)
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


def _account(written: Batch, result: LoadResult, out: RejectsFile, data: Path) -> None:
    """Count an acknowledged batch and write its rejects, in file order (those found in
    reading and those found in writing)."""
    written.rejects.sort(key=lambda r: r.index)
    for reject in written.rejects:
        out.write(reject)
        if len(result.messages) < MESSAGES:
            result.messages.append(f"{data}:{reject.record.line}: {reject.reason}")
    result.loaded += written.written
    result.rejected += len(written.rejects)
    written.loaded, written.rejected = result.loaded, result.rejected
    written.rejects_bytes = out.size


def _feed(
    data: Path,
    fmt: Any,
    validator: Validator,
    unique: set[str],
    done: Progress,
    size: int,
    writer: Writer,
) -> None:
    """Read, check and submit the records after the checkpoint, ``size`` valid ones a batch
    (records of the ``unique`` entities to put one by one)."""
    current = Batch(0, 0)
    count = index = 0
    for index, record in enumerate(read_records(data, fmt), 1):
        if index <= done.records:
            continue
        current.end = index
        try:
            valid = validator.check(record.data)
        except Rejected as exc:
            current.rejects.append(Reject(index, record, str(exc)))
            if len(current.rejects) < REJECTS_A_BATCH:
                continue
        else:
            if valid.entity in unique:
                current.puts.append(Put(index, record, valid.entity, valid.obj))
            else:
                current.objects.setdefault(valid.entity, []).append(valid.obj)
            count += 1
            if count < size:
                continue
        writer.submit(current)
        current, count = Batch(current.seq + 1, index), 0
    if count or current.rejects:
        writer.submit(current)  # the rest
