"""The command line, run as a user runs it: exit codes, one-line errors, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOP = str(ROOT / "schemas" / "ecommerce.py")

CLASHING = """
import msgspec
from modelkit import Key, Table

t = Table("clash")

@t.entity(key=Key(pk="USER#{user_id}", sk="{kind}"))
class Profile(msgspec.Struct):
    user_id: str
    kind: str

@t.entity(key=Key(pk="USER#{email}", sk="ORDER"))
class Order(msgspec.Struct):
    email: str
"""


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modelkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_check_clean_schema_exits_0_and_reports_counts() -> None:
    result = run("check", SHOP)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("shop: 0 error(s), 1 warning(s)")
    assert "monotonic-sort-key" in result.stdout


def test_check_errors_exit_1_and_json(tmp_path: Path) -> None:
    schema = tmp_path / "clash.py"
    schema.write_text(CLASHING)
    result = run("check", str(schema), "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["table"] == "clash" and data["errors"] == 1
    (finding,) = [f for f in data["findings"] if f["severity"] == "error"]
    assert finding["code"] == "key-collision"
    assert finding["entity"] == "Profile, Order"
    assert finding["where"].endswith("clash.py:12")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("x = (\n", "syntax error: '(' was never closed"),
        ("import os\n", "defines no modelkit Table"),
        ("raise RuntimeError('boom')\n", "RuntimeError: boom"),
    ],
)
def test_unusable_input_is_one_line_and_exit_2(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    schema = tmp_path / "schema.py"
    if content is not None:
        schema.write_text(content)
    for command in (["check"], ["show"], ["export", "--format", "create-table"]):
        result = run(*command, str(schema))
        assert result.returncode == 2, (command, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], result.stderr
        assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    schema = tmp_path / "schema.py"
    schema.write_text("raise RuntimeError('boom')\n")
    result = run("--debug", "check", str(schema))
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_module_name_and_table_selector() -> None:
    result = run("check", "ecommerce:shop", cwd=ROOT / "schemas")
    assert result.returncode == 0, result.stderr
    missing = run("check", "no_such_module_here")
    assert missing.returncode == 2 and "no such file or module" in missing.stderr


def test_show_text_markdown_json() -> None:
    text = run("show", SHOP)
    assert text.returncode == 0, text.stderr
    for expected in (
        "GSI1",
        "CUSTOMER#{customer_id}",
        "CUSTOMER#",
        "orders of a customer",
        "Order (sparse)",
    ):
        assert expected in text.stdout
    markdown = run("show", SHOP, "--format", "markdown")
    assert markdown.stdout.startswith("# Table `shop`")
    assert "| pattern | op | entities | index | key condition | order / limit |" in markdown.stdout
    data = json.loads(run("show", SHOP, "--format", "json").stdout)
    assert [i["name"] for i in data["indexes"]] == ["primary", "GSI1", "GSI2"]
    period = next(p for p in data["patterns"] if p["name"] == "orders of a customer in a period")
    assert period["condition"] == (
        'PK = "CUSTOMER#{customer_id}" AND SK BETWEEN "ORDER#{placed_at:from}" AND '
        '"ORDER#{placed_at:to}"'
    )
    lines = next(p for p in data["patterns"] if p["name"] == "order with its lines")
    assert lines["condition"] == 'GSI1PK = "ORDER#{order_id}"'
    order_rows = {r["entity"]: r for r in data["indexes"][0]["entities"]}
    assert order_rows["Order"]["example"]["PK"].startswith("CUSTOMER#")
    assert order_rows["Order"]["example"]["_type"] == "Order"
