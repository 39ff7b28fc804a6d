"""The checkpoint of a load: how far the file is written, kept beside it atomically."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from modelkit.errors import LoadError


class Progress(msgspec.Struct, frozen=True):
    """``records`` of the file (rejects included) whose batches were all acknowledged, the
    ``loaded`` and ``rejected`` counts among them, and the size of the rejects file then."""

    records: int = 0
    loaded: int = 0
    rejected: int = 0
    rejects_bytes: int = 0
    data_bytes: int = 0


class Checkpoint:
    """``DATA.load-checkpoint``: read at the start, replaced after each batch, removed at the
    end of a complete load."""

    def __init__(self, data: Path, path: Path | None = None) -> None:
        self.data = data
        self.path = path or data.with_name(data.name + ".load-checkpoint")
        self._tmp = self.path.with_name(self.path.name + ".tmp")

    def read(self) -> Progress:
        """Where the last load stopped (nothing done when there is no checkpoint)."""
        size = self.data.stat().st_size if self.data.exists() else 0
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Progress(data_bytes=size)
        try:
            done = msgspec.json.decode(raw, type=Progress)
        except msgspec.DecodeError as exc:
            raise LoadError(f"{self.path}: not a load checkpoint ({exc}); use --restart") from None
        if done.data_bytes != size:
            raise LoadError(
                f"{self.path}: {self.data} changed since the checkpoint was written "
                f"({done.data_bytes:,} bytes then, {size:,} now); use --restart"
            )
        return done

    def write(self, done: Progress) -> None:
        """Replace the checkpoint with ``done`` (write a temporary file, then rename it)."""
        self._tmp.write_bytes(msgspec.json.encode(done))
        os.replace(self._tmp, self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self._tmp.unlink(missing_ok=True)
