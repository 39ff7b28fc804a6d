"""The README's Python examples run as written and print what the README says."""

from __future__ import annotations

import ast
import re
import sys
import types
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    """The README's Python examples after the quickstart (which test_quickstart.py runs)."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    return [b for b in blocks if not b.startswith("# Quickstart")]


def test_readme_examples_run_and_show_the_documented_results() -> None:
    blocks = python_blocks()
    assert len(blocks) == 4
    # the third and fourth need live services: they must at least compile (they are tested)
    for block in blocks[2:]:
        compile(block, "README.md", "exec")
    module = types.ModuleType("readme_example")
    sys.modules[module.__name__] = module  # type hints resolve through the class's module
    namespace: dict[str, Any] = module.__dict__
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    checked = 0
    lines = blocks[1].splitlines()
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        if not line or line.startswith("#"):
            continue
        if following.startswith("# "):
            value = eval(compile(line, "README.md", "eval"), namespace)
            assert repr(value) == following[2:], line
            checked += 1
        else:
            exec(compile(line, "README.md", "exec"), namespace)
    assert checked == 3
    design = namespace["design"]
    assert [e.name for e in design.entities] == ["Customer", "Order"]
    assert ast.parse(blocks[0])
