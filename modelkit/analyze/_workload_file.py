"""Read a workload file (TOML, YAML or JSON) into a checked :class:`Workload`.

Every problem is a :class:`~modelkit.errors.WorkloadError` naming the file and the line:
syntax errors by the parser's own position, wrong values by the path msgspec reports (found
in the text by :mod:`modelkit.analyze._locate`), and names or numbers the schema cannot take
by :func:`modelkit.analyze._workload_checks.check_workload`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import msgspec
import yaml

from modelkit.analyze._distributions import Sample
from modelkit.analyze._locate import Document
from modelkit.analyze._shorthand import ShorthandError, shorthand_fields
from modelkit.analyze._workload import Workload
from modelkit.analyze._workload_checks import check_workload
from modelkit.analyze._workload_errors import explain
from modelkit.errors import WorkloadError
from modelkit.schema import TableDesign

FORMATS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def load_workload(path: str | Path, design: TableDesign) -> Workload:
    """Read, decode and check the workload file at ``path`` against ``design``.

    The format follows the suffix (``.toml``, ``.yaml``/``.yml``, ``.json``). Relative
    ``file(...)`` and ``trace`` paths are read from the file's folder; the returned workload
    holds them as absolute paths, and ``source`` is ``str(path)``.
    """
    source = str(path)
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise WorkloadError(
            source, None, "unknown workload file type; name it .toml, .yaml, .yml or .json"
        )
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkloadError(source, None, "no such workload file") from None
    except UnicodeDecodeError as exc:
        raise WorkloadError(source, None, f"is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise WorkloadError(source, None, f"cannot be read: {exc.strerror}") from None
    return parse_workload(text, fmt=fmt, design=design, source=source)


def parse_workload(
    text: str, *, fmt: str, design: TableDesign, source: str = "<workload>"
) -> Workload:
    """Decode ``text`` (``fmt``: toml, yaml, yml or json) and check it against ``design``.

    ``source`` names the text in errors; its folder is where relative files are looked for.
    """
    kind = FORMATS.get("." + fmt.lower().lstrip("."))
    if kind is None:
        raise WorkloadError(
            source, None, f"unknown workload format {fmt!r}; use toml, yaml or json"
        )
    doc = Document(text, kind, source)
    data = _decode(doc)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise WorkloadError(
            source, 1, "a workload file holds named sections (patterns, entities, table, ...)"
        )
    if "source" in data:
        raise doc.error(["source"], "is set by modelkit to the file's name; remove it")
    _expand_shorthand(data, doc)
    try:
        workload = msgspec.convert(data, Workload)
    except msgspec.ValidationError as exc:
        raise explain(str(exc), data, doc) from None
    folder = Path(source).parent
    check_workload(workload, design, doc, folder)
    return _resolve_files(workload, folder, source)


def _decode(doc: Document) -> Any:
    if doc.fmt == "toml":
        try:
            return tomllib.loads(doc.text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
            if found:
                message = message[: found.start()]
                line: int | None = int(found.group(1))
            else:
                message = re.sub(r"\s*\(at end of document\)$", "", message)
                line = doc.text.count("\n") + 1
            raise WorkloadError(doc.source, line, f"TOML syntax: {message}") from None
    if doc.fmt == "yaml":
        loader = _YamlLoader(doc.text)
        try:
            return loader.get_single_data()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            text = exc.problem or exc.context or "cannot be read"
            line = mark.line + 1 if mark is not None else None
            raise WorkloadError(doc.source, line, f"YAML syntax: {text}") from None
        except yaml.YAMLError as exc:
            raise WorkloadError(doc.source, None, f"YAML syntax: {exc}") from None
        finally:
            loader.dispose()
    try:
        return msgspec.json.decode(doc.text)
    except msgspec.DecodeError as exc:
        found = re.search(r"\(byte (\d+)\)", str(exc))
        where = int(found.group(1)) if found else len(doc.text.encode())
        line = doc.text.encode()[:where].count(b"\n") + 1
        message = re.sub(r"\s*\(byte \d+\)", "", str(exc)).removeprefix("JSON is malformed: ")
        raise WorkloadError(doc.source, line, f"JSON syntax: {message}") from None


class _YamlLoader(yaml.SafeLoader):
    """Safe loading, with YAML 1.2 numbers: ``1e6`` is a float, not the string ``"1e6"``."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:float"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)"
        r"|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _expand_shorthand(data: dict[str, Any], doc: Document) -> None:
    """Replace ``customer_id = "zipf(1e6)"`` by the table form, in place."""
    patterns = data.get("patterns")
    if not isinstance(patterns, dict):
        return
    for name, load in patterns.items():
        keys = load.get("keys") if isinstance(load, dict) else None
        if not isinstance(keys, dict):
            continue
        for field, value in keys.items():
            if isinstance(value, str):
                try:
                    keys[field] = shorthand_fields(value)
                except ShorthandError as exc:
                    raise doc.error(["patterns", name, "keys", field], str(exc)) from None


def _resolve_files(workload: Workload, folder: Path, source: str) -> Workload:
    """``file(...)`` and ``trace`` paths made absolute (they were checked to exist)."""
    patterns = {}
    for name, load in workload.patterns.items():
        keys = {
            field: Sample(path=str((folder / dist.path).resolve()))
            if isinstance(dist, Sample)
            else dist
            for field, dist in load.keys.items()
        }
        patterns[name] = msgspec.structs.replace(load, keys=keys)
    trace = workload.trace
    if trace is not None:
        trace = msgspec.structs.replace(trace, path=str((folder / trace.path).resolve()))
    return msgspec.structs.replace(workload, patterns=patterns, trace=trace, source=source)
