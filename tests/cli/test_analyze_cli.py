"""``modelkit analyze`` run as a user runs it: formats, defaults, ranking, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ORDERS = "tests/fixtures/analyze/orders.py"
ORDERS_WORKLOAD = "tests/fixtures/analyze/orders.workload.toml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modelkit", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_text_report_finds_the_workload_beside_the_schema() -> None:
    result = run("analyze", "schemas/ecommerce.py")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("table shop (schema schemas/ecommerce.py, workload")
    assert "ecommerce.workload.toml" in out
    for section in ("indexes", "hottest keys", "patterns", "cost", "assumptions"):
        assert f"\n{section}\n" in out


def test_json_has_the_documented_format_and_numbers() -> None:
    result = run("analyze", "schemas/ecommerce.py", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "modelkit.analyze/1"
    (table,) = data["tables"]
    assert table["table"] == "shop"
    assert [i["name"] for i in table["indexes"]] == ["primary", "GSI1", "GSI2"]
    cost = table["cost"]
    parts = ("reads", "writes", "replicated_writes", "storage")
    assert abs(sum(cost["on_demand"][k] for k in parts) - cost["on_demand"]["total"]) < 1e-6
    assert 0 <= table["score"]["value"] <= 100


def test_markdown_and_plot(tmp_path: Path) -> None:
    png = tmp_path / "load.png"
    result = run("analyze", "schemas/iot.py", "--markdown", "--plot", str(png))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("#")
    assert "| index |" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_two_key_choices_are_ranked_and_the_winner_says_why() -> None:
    result = run(
        "analyze", f"{ORDERS}:by_status", f"{ORDERS}:by_customer", "-w", ORDERS_WORKLOAD, "--json"
    )
    assert result.returncode == 0, result.stderr
    comparison = json.loads(result.stdout)["comparison"]
    ranking = comparison["ranking"]
    assert [r["table"] for r in ranking] == ["orders_by_customer", "orders_by_status"]
    assert ranking[1]["verdict"] == "throttles-always"
    assert ranking[0]["verdict"] == "safe"
    assert "STATUS#PENDING" in comparison["why"]


def test_fail_under_gates_a_build() -> None:
    low = run("analyze", f"{ORDERS}:by_status", "-w", ORDERS_WORKLOAD, "--fail-under", "60")
    assert low.returncode == 1
    assert "throttles whatever DynamoDB does" in low.stdout
    high = run("analyze", f"{ORDERS}:by_customer", "-w", ORDERS_WORKLOAD, "--fail-under", "60")
    assert high.returncode == 0, high.stdout


def test_bad_workload_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[patterns."customer by idd"]\nrate = 5\n')
    result = run("analyze", "schemas/ecommerce.py", "-w", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert f"{bad}:1:" in line
    assert "customer by id" in line  # the close match
    assert "Traceback" not in result.stderr


def test_a_schema_without_a_workload_says_what_file_it_looked_for(tmp_path: Path) -> None:
    schema = tmp_path / "shop.py"
    schema.write_text((ROOT / "schemas" / "ecommerce.py").read_text())
    result = run("analyze", str(schema))
    assert result.returncode == 2
    assert f"{tmp_path / 'shop.workload.toml'} does not exist" in result.stderr


def test_a_trace_joins_the_workload(tmp_path: Path) -> None:
    trace = tmp_path / "requests.csv"
    rows = ["time,pattern,customer_id"]
    rows += [f"2026-11-26T10:00:{i % 60:02d}Z,customer by id,c-{i % 3}" for i in range(600)]
    trace.write_text("\n".join(rows) + "\n")
    result = run("analyze", "schemas/ecommerce.py", "--trace", str(trace), "--json")
    assert result.returncode == 0, result.stderr
    (table,) = json.loads(result.stdout)["tables"]
    observed = next(p for p in table["patterns"] if p["name"] == "trace: customer by id")
    assert observed["rate"] == 600 / 59  # a 59 s trace: the whole trace's average
    bad = tmp_path / "bad.csv"
    bad.write_text("time,pattern,customer_id\n2026-11-26T10:00:00Z,no such pattern,c-1\n")
    result = run("analyze", "schemas/ecommerce.py", "--trace", str(bad))
    assert result.returncode == 2
    assert f"{bad}:2:" in result.stderr and "no such pattern" in result.stderr
