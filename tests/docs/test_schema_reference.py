"""The reference pages hold what the code does.

docs/schemas.md: every Python block runs, in page order (one block marked
``<!-- run as FILE -->`` runs alone as that file, the way a user would run it); a block that
prints is followed by a ``text`` block holding exactly what it printed; the schema the page
builds compiles without check errors.

docs/keys.md: every row of the encoding table, the sort-order table and the ``pycon``
sessions are what the code produces.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import io
import re
import runpy
import sys
import types
from pathlib import Path
from typing import Any

import msgspec
import pytest

from modelkit import Key, Table, keys_for
from modelkit.check import check_table
from modelkit.keys import codec_for
from modelkit.schema import TableDesign

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCE = re.compile(
    r"^(?:<!-- run as (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.S | re.M
)


def fenced(page: str) -> list[tuple[str, str, str | None]]:
    """The fenced blocks of a page: (language, body, file to run it as)."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return [(m["lang"], m["body"], m["file"]) for m in FENCE.finditer(text)]


def section(page: str, heading: str) -> str:
    """The text of a page from ``heading`` to the next heading of any level."""
    text = (DOCS / page).read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    end = text.find("\n#", start + len(heading) + 2)
    return text[start : end if end != -1 else None]


def code_cells(table: str) -> list[list[str]]:
    """The rows of a Markdown table whose cells are code spans, as the code of each cell."""
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if line.startswith("| `") and all(c.startswith("`") for c in cells):
            rows.append([c.split("`")[1] for c in cells])
    return rows


def module(name: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A fresh module namespace (type hints resolve through the classes' module)."""
    found = types.ModuleType(name)
    monkeypatch.setitem(sys.modules, name, found)
    return found.__dict__


def test_schema_blocks_run_and_print_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = fenced("schemas.md")
    namespace = module("schemas_reference", monkeypatch)
    monkeypatch.chdir(tmp_path)
    compared = 0
    runs = [i for i, (lang, _, _) in enumerate(blocks) if lang == "python"]
    assert len(runs) == 6
    for i in runs:
        _, body, file = blocks[i]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            if file is not None:
                (tmp_path / file).write_text(body, encoding="utf-8")
                runpy.run_path(file)
            else:
                exec(compile(body, "docs/schemas.md", "exec"), namespace)
        printed = out.getvalue()
        if printed:
            lang, shown, _ = blocks[i + 1]
            assert lang == "text", f"block {i} prints but no text block follows it"
            assert printed == shown, f"block {i} printed:\n{printed}"
            compared += 1
    assert compared == 3
    design = namespace["design"]
    assert isinstance(design, TableDesign)
    _, findings = check_table(namespace["app"])
    assert [f.code for f in findings if f.severity == "error"] == []
    assert len(design.patterns) == 8
    assert design.index("GSI3").projection.attributes == ("status", "total")
    assert design.entity("User").unique_fields == ("email",)


def test_the_error_example_lists_each_problem_once(tmp_path: Path) -> None:
    (_, body, file), (_, shown, _) = next(
        (block, after)
        for block, after in zip(fenced("schemas.md"), fenced("schemas.md")[1:], strict=False)
        if block[2] is not None
    )
    assert file == "schema.py"
    problems = [line for line in shown.splitlines() if line.startswith("  - schema.py:")]
    assert shown.startswith(f"{len(problems)} problem(s) in the schema:")
    assert len(problems) == 8
    assert "shop.compile()" in body


EXAMPLE_TYPES = ("str", "int", "bool", "Decimal", "datetime", "date", "UUID", "Status", "Literal")


def test_every_encoding_example_is_what_the_codec_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    names = module("keys_reference", monkeypatch)
    definitions = [body for lang, body, _ in fenced("keys.md") if "PARIS =" in body]
    assert len(definitions) == 1
    exec(compile(definitions[0], "docs/keys.md", "exec"), names)
    rows = code_cells(section("keys.md", "### Examples"))
    assert len(rows) == 33
    for type_code, value_code, text in rows:
        codec = codec_for(eval(type_code, names))
        value = eval(value_code, names)
        encoded = codec.encode(value)
        assert encoded == ast.literal_eval(text), (type_code, value_code, encoded)
        assert codec.decode(encoded) == value
    covered = " ".join(row[0] for row in rows)
    assert all(name in covered for name in EXAMPLE_TYPES)


def test_the_sort_order_table_is_sorted_and_real() -> None:
    table = Table("order-demo")

    @table.entity(key=Key(pk="LIST#{list_id}", sk="ITEM#{name}#{n}"))
    class Item(msgspec.Struct, kw_only=True):
        list_id: str
        name: str
        n: int

    keys = keys_for(table.compile())["Item"]
    rows = code_cells(section("keys.md", "### Ordered"))
    assert len(rows) == 9
    values = [ast.literal_eval(v) for v, _ in rows]
    for (name, n), (_, shown) in zip(values, rows, strict=True):
        assert keys.primary_key({"list_id": "l-1", "name": name, "n": n})["SK"] == shown
    assert values == sorted(values)
    assert [k.encode() for _, k in rows] == sorted(k.encode() for _, k in rows)


def test_keys_sessions_run_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    sessions = [body for lang, body, _ in fenced("keys.md") if lang == "pycon"]
    assert len(sessions) == 4
    globs = module("keys_sessions", monkeypatch)
    globs["__name__"] = "keys_sessions"
    test = doctest.DocTestParser().get_doctest(
        "\n".join(sessions), globs, "keys.md", "docs/keys.md", 0
    )
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    result = runner.run(test, out=report.write, clear_globs=False)
    assert result.failed == 0, report.getvalue()
    assert result.attempted == 29


@pytest.mark.parametrize("page", ["schemas.md", "keys.md"])
def test_python_blocks_compile(page: str) -> None:
    blocks = [body for lang, body, _ in fenced(page) if lang == "python"]
    assert blocks
    for body in blocks:
        compile(body, page, "exec")
