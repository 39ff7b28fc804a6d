"""Records of a data file with their line numbers: a JSON array, JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import msgspec

from modelkit.errors import LoadError

Format = Literal["json", "jsonl", "csv"]
_decode = msgspec.json.decode


class Record(msgspec.Struct, frozen=True):
    """One record: the 1-based line it starts on, and its value as read."""

    line: int
    data: Any


def file_format(path: Path) -> Format:
    """``csv`` by suffix; ``json`` for a file starting with ``[``; ``jsonl`` otherwise."""
    if path.suffix.lower() == ".csv":
        return "csv"
    with _open(path) as handle:
        head = handle.read(4096).lstrip()
    return "json" if head.startswith("[") else "jsonl"


def read_records(path: Path, fmt: Format | None = None) -> Iterator[Record]:
    """Every record of ``path`` in file order; :class:`LoadError` (FILE:LINE: why) when the
    file is missing or is not what its format needs."""
    fmt = fmt or file_format(path)
    if fmt == "csv":
        return _csv(path)
    if fmt == "json":
        return _json_array(path)
    return _jsonl(path)


def _open(path: Path) -> Any:
    try:
        return path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise LoadError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _jsonl(path: Path) -> Iterator[Record]:
    with _open(path) as handle:
        for number, text in enumerate(handle, 1):
            if not text.strip():
                continue
            try:
                yield Record(number, _decode(text))
            except msgspec.DecodeError as exc:
                raise LoadError(f"{path}:{number}: not JSON: {exc}") from None


def _json_array(path: Path) -> Iterator[Record]:
    with _open(path) as handle:
        text = handle.read()
    decoder = json.JSONDecoder()
    pos, line = _skip(text, 0), 1
    if not text.startswith("[", pos):
        raise LoadError(f"{path}:{_line(text, pos)}: not a JSON array")
    pos = _skip(text, pos + 1)
    last = 0
    while pos < len(text) and text[pos] != "]":
        line += text.count("\n", last, pos)
        last = pos
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise LoadError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None
        yield Record(line, value)
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
        elif pos < len(text) and text[pos] != "]":
            raise LoadError(f"{path}:{_line(text, pos)}: not JSON: expected ',' or ']'")
    if pos >= len(text):
        raise LoadError(f"{path}:{_line(text, pos)}: not JSON: the array is not closed")
    if text[pos + 1 :].strip():
        raise LoadError(f"{path}:{_line(text, pos + 1)}: not JSON: text after the array")


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _csv(path: Path) -> Iterator[Record]:
    with _open(path) as handle:
        reader = csv.DictReader(handle)
        start = 2  # after the header line
        try:
            for row in reader:
                if None in row:
                    extra = row.pop(None)
                    row["__extra__"] = extra
                yield Record(start, row)
                start = reader.line_num + 1
        except csv.Error as exc:
            raise LoadError(f"{path}:{reader.line_num}: not CSV: {exc}") from None
        if reader.fieldnames is None:
            raise LoadError(f"{path}:1: not CSV: no header line")
