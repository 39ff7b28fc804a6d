"""The documentation site: the CLI reference is current, the site builds strictly, every page is
in the nav, and the recipes' schemas compile without check errors."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pytest
import yaml

from modelkit.check import check_table
from modelkit.cli import main as cli_main
from modelkit.schema import TableDesign, load_design

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts/cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _blocks(page: str, language: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def _nav_pages(entries: list[Any]) -> list[str]:
    pages: list[str] = []
    for entry in entries:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


def test_cli_reference_is_up_to_date() -> None:
    expected = _generator().render()
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == expected, "docs/cli.md is out of date: run python scripts/cli_reference.py"


def test_cli_reference_documents_every_command_and_option() -> None:
    text = _generator().render()
    ctx = click.Context(cli_main, info_name="modelkit")
    names = cli_main.list_commands(ctx)
    assert {"analyze", "bench", "check", "deploy", "export", "show"} <= set(names)
    headings = re.findall(r"^## `modelkit ?(\S*)`$", text, flags=re.M)
    assert headings == ["", *sorted(names)]
    assert "| `--format` | `text` or `markdown` or `json` | `text` | Output format. |" in text
    assert "| `--format` | `create-table` or `cloudformation` or `nosql-workbench` or" in text
    assert "| `--timeout` | number (0 ≤ x) | `600.0` |" in text
    assert "| `SCHEMAS` | text, one or more | yes |" in text
    assert "Sentinel" not in text


def test_site_builds_strictly(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    for page in ("index", "tutorial", "recipes", "cli"):
        built = tmp_path / ("index.html" if page == "index" else f"{page}/index.html")
        assert built.is_file(), page
    assert "modelkit deploy" in (tmp_path / "cli/index.html").read_text(encoding="utf-8")


def test_every_page_is_in_the_nav() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["theme"]["name"] == "material"
    nav = _nav_pages(config["nav"])
    assert len(nav) == len(set(nav))
    assert sorted(nav) == sorted(p.name for p in DOCS.glob("*.md"))


def test_recipes_compile_without_check_errors(tmp_path: Path) -> None:
    blocks = _blocks("recipes.md", "python")
    assert len(blocks) == 6
    names = []
    for number, block in enumerate(blocks):
        path = tmp_path / f"recipe_{number}.py"
        path.write_text(block, encoding="utf-8")
        design = load_design(str(path))
        assert isinstance(design, TableDesign)
        _, findings = check_table(design)
        assert [f for f in findings if f.severity == "error"] == [], path
        names.append(design.name)
    assert names == ["saas", "metrics", "board", "bank", "sessions", "support"]


def test_recipes_shapes_are_what_the_text_says(tmp_path: Path) -> None:
    blocks = _blocks("recipes.md", "python")
    (tmp_path / "global.py").write_text(blocks[4], encoding="utf-8")
    assert load_design(str(tmp_path / "global.py")).replicas == ("eu-west-1", "ap-southeast-2")
    hot = blocks[5].replace(
        'pk="CUSTOMER#{customer_id}", sk="{status}#{opened_at}"',
        'pk="S#{status}", sk="{opened_at}"',
    )
    hot = hot.replace('given=["customer_id", "status"]', 'given=["status"]')
    (tmp_path / "hot.py").write_text(hot, encoding="utf-8")
    _, findings = check_table(load_design(str(tmp_path / "hot.py")))
    assert [f.code for f in findings] == ["low-cardinality-partition-key"]


@pytest.mark.parametrize("page", ["tutorial.md", "recipes.md"])
def test_python_blocks_compile_and_commands_exist(page: str) -> None:
    for block in _blocks(page, "python"):
        compile(block, page, "exec")
    ctx = click.Context(cli_main, info_name="modelkit")
    commands = set(cli_main.list_commands(ctx))
    text = "".join(_blocks(page, "console"))
    for command in re.findall(r"^\$ modelkit (\S+)", text, flags=re.M):
        assert command in commands, command
