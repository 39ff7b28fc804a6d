"""export(): one entry point, text for every format, a clear error for an unknown one."""

from __future__ import annotations

import ast
import json

import pytest
from export_checks import DESIGN_FILES, load

from modelkit.export import FORMATS, export


def test_every_format_gives_text() -> None:
    design = load(next(p for p in DESIGN_FILES if p.name == "ecommerce.py"))
    assert FORMATS == ("create-table", "cloudformation", "nosql-workbench", "pynamodb")
    for fmt in FORMATS:
        text = export(design, fmt)
        assert text.endswith("\n")
        if fmt == "pynamodb":
            ast.parse(text)
        else:
            assert json.loads(text)
            assert text.startswith('{\n  "')


def test_unknown_format_lists_the_formats() -> None:
    design = load(DESIGN_FILES[0])
    with pytest.raises(ValueError, match="create-table, cloudformation, nosql-workbench, pynamodb"):
        export(design, "yaml")
