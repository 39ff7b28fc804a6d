"""Find the line of a value in TOML, YAML or JSON text, by its path of keys and list indexes.

``locate(text, "toml", ("patterns", "place order", "keys", "customer_id"))`` is the line of
``customer_id = ...`` inside ``[patterns."place order"]`` (or of ``keys.customer_id = ...``,
or of an inline table holding it). Mapping keys are compared as strings, list positions as
ints. The text is assumed to parse (the loader has read it already); on anything odd the
search gives what it found so far: best effort, never an exception.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence

import yaml

from modelkit.errors import WorkloadError

Step = str | int
Path = tuple[Step, ...]
Entry = tuple[Path, int]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def locate(text: str, fmt: str, path: Sequence[Step]) -> int | None:
    """The 1-based line where ``path`` is written in ``text`` (``fmt``: toml, yaml or json).

    The exact key when it is written; else the first written key nearest to it: the first
    thing below it (an implicit TOML table) or its parent (a key that is missing).
    """
    return find(entries(text, fmt), tuple(path))


def entries(text: str, fmt: str) -> list[Entry]:
    """Every key and list element of the document with its line, in document order."""
    found: list[Entry] = []
    try:
        if fmt == "yaml":
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            if node is not None:
                _yaml(node, (), found)
        else:
            _Scanner(text, found, toml=fmt == "toml").run()
    except (yaml.YAMLError, IndexError, ValueError, RecursionError):
        pass
    return found


def find(found: Sequence[Entry], path: Path) -> int | None:
    """The line for ``path`` among ``found`` entries (see :func:`locate`): the exact path, else
    the first entry sharing the longest leading part with it."""
    path = tuple(_norm(s) for s in path)
    best, best_line = 0, None
    for entry, line in found:
        if entry == path:
            return line
        shared = 0
        while shared < min(len(entry), len(path)) and entry[shared] == path[shared]:
            shared += 1
        if shared > best:
            best, best_line = shared, line
    return best_line


def _norm(step: Step) -> Step:
    return step if isinstance(step, int) else str(step)


def _yaml(node: yaml.Node, path: Path, found: list[Entry]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            found.append(((*path, name), key.start_mark.line + 1))
            _yaml(value, (*path, name), found)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found.append(((*path, i), item.start_mark.line + 1))
            _yaml(item, (*path, i), found)


class _Scanner:
    """Keys of TOML (tables, dotted keys, inline tables, arrays) or JSON, with their lines."""

    def __init__(self, text: str, found: list[Entry], *, toml: bool) -> None:
        self.text = text
        self.found = found
        self.toml = toml
        self.pos = 0
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]
        self.arrays: dict[Path, int] = {}

    def run(self) -> None:
        if not self.toml:
            self.skip(lines=True)
            self.value(())
            return
        table: Path = ()
        while True:
            self.skip(lines=True)
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self.text[start] == "[":
                double = self.text.startswith("[[", start)
                self.pos += 2 if double else 1
                table = self.key()
                if double:
                    count = self.arrays[table] = self.arrays.get(table, -1) + 1
                    table = (*table, count)
                self.add(table, start)
                end = self.text.find("]]" if double else "]", self.pos)
                self.pos = len(self.text) if end < 0 else end + (2 if double else 1)
            else:
                key = (*table, *self.key())
                self.skip()
                self.pos += 1  # '='
                self.add(key, start)
                self.value(key)

    def add(self, path: Path, pos: int) -> None:
        self.found.append((path, bisect.bisect_left(self.newlines, pos) + 1))

    def skip(self, *, lines: bool = False) -> None:
        text, pos = self.text, self.pos
        while pos < len(text):
            c = text[pos]
            if c in " \t\r" or (lines and c == "\n"):
                pos += 1
            elif c == "#" and self.toml and lines:
                end = text.find("\n", pos)
                pos = len(text) if end < 0 else end
            else:
                break
        self.pos = pos

    def key(self) -> Path:
        """A dotted key (``a."b c".d``) or a JSON string key."""
        parts: list[str] = []
        while True:
            self.skip()
            c = self.text[self.pos]
            if c in "\"'":
                parts.append(self.string())
            else:
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE:
                    self.pos += 1
                if self.pos == start:
                    raise ValueError("not a key")
                parts.append(self.text[start : self.pos])
            self.skip()
            if not self.toml or self.pos >= len(self.text) or self.text[self.pos] != ".":
                return tuple(parts)
            self.pos += 1

    def value(self, path: Path) -> None:
        self.skip()
        c = self.text[self.pos]
        if c == "{":
            self.pos += 1
            while True:
                self.skip(lines=True)
                if self.text[self.pos] == "}":
                    self.pos += 1
                    return
                start = self.pos
                key = (*path, *self.key())
                self.skip()
                self.pos += 1  # '=' or ':'
                self.add(key, start)
                self.value(key)
                self.skip(lines=True)
                if self.text[self.pos] == ",":
                    self.pos += 1
        elif c == "[":
            self.pos += 1
            index = 0
            while True:
                self.skip(lines=True)
                if self.text[self.pos] == "]":
                    self.pos += 1
                    return
                self.add((*path, index), self.pos)
                self.value((*path, index))
                index += 1
                self.skip(lines=True)
                if self.text[self.pos] == ",":
                    self.pos += 1
        elif c in "\"'":
            self.string()
        else:
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\n#":
                self.pos += 1
            if self.pos == start:
                raise ValueError("not a value")

    def string(self) -> str:
        """A basic, literal or multi-line string starting at ``pos``; its text."""
        text, start = self.text, self.pos
        quote = text[start]
        if text.startswith(quote * 3, start):
            end = text.find(quote * 3, start + 3)
            if end < 0:
                raise ValueError("unterminated string")
            while text.startswith(quote, end + 3) and end + 3 < len(text):
                end += 1
            self.pos = end + 3
            return text[start + 3 : end]
        pos = start + 1
        while text[pos] != quote:
            if text[pos] == "\n":
                raise ValueError("unterminated string")
            pos += 2 if quote == '"' and text[pos] == "\\" else 1
        self.pos = pos + 1
        raw = text[start : pos + 1]
        if quote == "'":
            return raw[1:-1]
        try:
            decoded = json.loads(raw)
        except ValueError:
            return raw[1:-1]
        return decoded if isinstance(decoded, str) else raw[1:-1]


class Document:
    """A workload file's text, turning a path in it into a :class:`WorkloadError` that names
    the file and the line (the lines are found once, on the first error)."""

    def __init__(self, text: str, fmt: str, source: str) -> None:
        self.text = text
        self.fmt = fmt
        self.source = source
        self._entries: list[Entry] | None = None

    def line(self, path: Sequence[Step]) -> int | None:
        if self._entries is None:
            self._entries = entries(self.text, self.fmt)
        return find(self._entries, tuple(path))

    def error(self, path: Sequence[Step], message: str) -> WorkloadError:
        """``PATH:LINE: patterns."place order".rate: message``."""
        where = dotted(path)
        text = f"{where}: {message}" if where else message
        return WorkloadError(self.source, self.line(path) if path else None, text)


def dotted(path: Sequence[Step]) -> str:
    """``patterns."place order".profile[3]``: a path as a TOML reader writes it."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            name = step if step and set(step) <= _BARE else json.dumps(step, ensure_ascii=False)
            text += f".{name}" if text else name
    return text
