"""msgspec's validation errors on a workload, in plain words at the line of the value.

msgspec reports ``Expected `float`, got `str` - at `$.patterns[...].rate```: the dict key is
elided. :func:`explain` finds it (the first key whose entry alone fails the same way) and
names the file, the line and the path: ``w.toml:7: patterns."place order".rate: expected a
number, got a string``.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
import msgspec.inspect as mi

from modelkit.analyze._locate import Document, Step
from modelkit.analyze._shorthand import NAMES
from modelkit.analyze._workload import Workload
from modelkit.analyze._workload_checks import close_match
from modelkit.errors import WorkloadError

_ANY = object()
_AT = re.compile(r"^(?P<what>.*) - at `\$(?P<path>.*)`$", re.DOTALL)
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]|(\[\.\.\.\])")
_WORDS = {
    "float": "a number",
    "int": "a whole number",
    "str": "a string",
    "bool": "true or false",
    "array": "a list",
    "null": "nothing",
}
_OBJECT = {"toml": "a table", "yaml": "a mapping", "json": "an object"}


def explain(message: str, data: Any, doc: Document) -> WorkloadError:
    """A msgspec ValidationError in plain words, at the line of the value it is about."""
    found = _AT.match(message)
    what = found.group("what") if found else message  # no path: the top level
    steps: list[object] = []
    for name, index, _any in _STEP.findall(found.group("path") if found else ""):
        steps.append(name or (int(index) if index else _ANY))
    path = _resolve(steps, data, message)
    if (m := re.fullmatch(r"Object contains unknown field `(.+)`", what)) is not None:
        known = _fields(_type_at(path, data))
        text = f"unknown field {m.group(1)!r}{close_match(m.group(1), known)}"
        listed = f" (fields: {', '.join(known)})" if known else " (it takes none)"
        return doc.error([*path, m.group(1)], text + listed)
    if (m := re.fullmatch(r"Object missing required field `(.+)`", what)) is not None:
        if m.group(1) == "dist":
            text = f'needs dist = one of {", ".join(NAMES)}, or a shorthand such as "zipf(1e6)"'
        elif m.group(1) == "rate":
            text = "needs rate, the peak requests per second"
        else:
            text = f"needs {m.group(1)}"
        return doc.error(path, text)
    if (m := re.fullmatch(r"Expected `(.+)`, got `(.+)`", what)) is not None:
        got = "a fraction" if m.group(2) == "float" else _words(m.group(2), doc)
        if len(path) == 4 and path[0] == "patterns" and path[2] == "keys":
            return doc.error(path, f'expected a distribution such as "zipf(1e6)", got {got}')
        value = _get(data, path)
        shown = (
            f" ({value!r})"
            if isinstance(value, str | int | float) and len(repr(value)) < 40
            else ""
        )
        return doc.error(path, f"expected {_words(m.group(1), doc)}, got {got}{shown}")
    if (m := re.fullmatch(r"Invalid (?:enum )?value (.+)", what)) is not None:
        value = m.group(1).strip("'\"")
        if path and path[-1] == "dist":
            choices: tuple[str, ...] = NAMES
            text = f"unknown distribution {value!r}"
        else:
            info = _type_at(path, data)
            choices = tuple(map(str, info.values)) if isinstance(info, mi.LiteralType) else ()
            text = f"{value!r} is not allowed"
        hint = f"; use one of {', '.join(choices)}" if choices else ""
        return doc.error(path, f"{text}{close_match(value, choices)}{hint}")
    return doc.error(path, what)


def _resolve(steps: list[object], data: Any, message: str) -> list[Step]:
    """The path with each ``[...]`` (a dict key msgspec does not name) found: the first key
    whose entry alone raises the same error is the culprit, as msgspec stops at the first."""
    path: list[Step] = []
    for step in steps:
        if isinstance(step, str | int):
            path.append(step)
            continue
        container = _get(data, path)
        if not isinstance(container, dict):
            break
        for key, value in container.items():
            trial = _replace(data, path, {key: value})
            try:
                msgspec.convert(trial, Workload)
            except msgspec.ValidationError as exc:
                if str(exc) == message:
                    path.append(str(key))
                    data = trial
                    break
        else:
            break
    return path


def _get(data: Any, path: list[Step]) -> Any:
    for step in path:
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
        else:
            return None
    return data


def _replace(data: Any, path: list[Step], new: Any) -> Any:
    if not path:
        return new
    if isinstance(data, dict):
        return {**data, path[0]: _replace(data[path[0]], path[1:], new)}
    return [_replace(v, path[1:], new) if i == path[0] else v for i, v in enumerate(data)]


def _type_at(path: list[Step], data: Any) -> mi.Type | None:
    """The declared type at ``path`` (for a union, the member the data picks)."""
    info: mi.Type | None = mi.type_info(Workload)
    for step in path:
        info = _pick(info, data)
        data = data[step] if isinstance(data, dict) and step in data else None
        if isinstance(info, mi.StructType):
            info = next((f.type for f in info.fields if f.encode_name == step), None)
        elif isinstance(info, mi.DictType):
            info = info.value_type
        elif isinstance(info, mi.ListType | mi.VarTupleType):
            info = info.item_type
        else:
            return None
    return _pick(info, data)


def _pick(info: mi.Type | None, data: Any) -> mi.Type | None:
    while isinstance(info, mi.Metadata):
        info = info.type
    if not isinstance(info, mi.UnionType):
        return info
    tag = data.get("dist") if isinstance(data, dict) else None
    members = [t for t in info.types if not isinstance(t, mi.NoneType)]
    for member in members:
        if isinstance(member, mi.StructType) and (tag is None or member.tag == tag):
            return member
        if isinstance(member, mi.DictType) and isinstance(data, dict):
            return member
    return members[0] if members else None


def _fields(info: mi.Type | None) -> tuple[str, ...]:
    return tuple(f.encode_name for f in info.fields) if isinstance(info, mi.StructType) else ()


def _words(types: str, doc: Document) -> str:
    named = [t for t in types.split(" | ") if t != "null"] or ["null"]
    words = [_OBJECT[doc.fmt] if t == "object" else _WORDS.get(t, t) for t in named]
    return " or ".join(words)
