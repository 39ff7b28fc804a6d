"""Rejected records: why each was refused, and the rejects file they are written to."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import msgspec

from modelkit.load._records import Record

_encode = msgspec.json.Encoder().encode


class Reject(msgspec.Struct, frozen=True):
    """Record ``index`` (1-based, in file order) of the file, and why it was not loaded."""

    index: int
    record: Record
    reason: str


class RejectsFile:
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

    def write(self, reject: Reject) -> None:
        """Append the record as it was, plus ``line`` and ``error``."""
        if self._handle is None:
            self._handle = self.path.open("ab")
        data = reject.record.data
        entry = {**data} if isinstance(data, dict) else {"record": data}
        entry.update(line=reject.record.line, error=reject.reason)
        text = _encode(entry) + b"\n"
        self._handle.write(text)
        self._handle.flush()
        self.size += len(text)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
