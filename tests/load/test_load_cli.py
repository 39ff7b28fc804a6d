"""``modelkit load`` as a user runs it: summary, rejects, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner, Result
from load_helpers import Deployed, scan

from modelkit.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(shop: Deployed, *args: str) -> Result:
    argv = ["load", "schemas/ecommerce.py", *args, "--endpoint-url", shop.url]
    return CliRunner().invoke(main, [*argv, "--table", shop.design.name, "--quiet"])


def customers(path: Path, count: int, bad: int | None = None) -> Path:
    rows = ["customer_id,email,name,created_at"]
    for i in range(count):
        when = "yesterday" if i == bad else "2024-01-01T00:00:00Z"
        rows.append(f"c-{i},c{i}@example.com,Customer {i},{when}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_load_prints_the_summary_and_exits_0(shop: Deployed, tmp_path: Path) -> None:
    data = customers(tmp_path / "customers.csv", 40)
    result = run(shop, str(data), "--entity", "Customer", "--threads", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("loaded 40, rejected 0, ")
    assert result.stdout.rstrip().endswith("items/s")
    assert len(scan(shop)) == 40


def test_rejects_are_listed_with_their_line_and_exit_1(shop: Deployed, tmp_path: Path) -> None:
    data = customers(tmp_path / "customers.csv", 10, bad=4)
    result = run(shop, str(data), "--entity", "Customer")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{data}:6: Customer: Invalid RFC3339 encoded datetime")
    rejects = tmp_path / "customers.csv.rejects.jsonl"
    assert f"rejected 1 (see {rejects})" in result.stdout
    (entry,) = [json.loads(t) for t in rejects.read_text().splitlines()]
    assert (entry["customer_id"], entry["created_at"], entry["line"]) == ("c-4", "yesterday", 6)
    assert len(scan(shop)) == 9


def test_unusable_input_exits_2_with_one_line(shop: Deployed, tmp_path: Path) -> None:
    missing = run(shop, str(tmp_path / "none.jsonl"))
    assert missing.exit_code == 2
    assert (
        missing.stderr
        == f"modelkit: {tmp_path / 'none.jsonl'}: cannot read: No such file or directory\n"
    )
    data = customers(tmp_path / "c.csv", 1)
    unknown = run(shop, str(data), "--entity", "Invoice")
    assert unknown.exit_code == 2
    assert unknown.stderr.count("\n") == 1 and "has no entity 'Invoice'" in unknown.stderr


def test_a_killed_load_resumes_in_a_new_process(shop_dynalite: Deployed, tmp_path: Path) -> None:
    shop = shop_dynalite
    data = tmp_path / "orders.jsonl"
    lines = [
        json.dumps(
            {
                "_type": "Order",
                "customer_id": f"c-{i % 9}",
                "order_id": f"o-{i}",
                "placed_at": "2024-05-01T00:00:00Z",
                "status": "PLACED",
                "total": "1",
            }
        )
        for i in range(2000)
    ]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checkpoint = tmp_path / "orders.jsonl.load-checkpoint"
    argv = [
        sys.executable,
        "-m",
        "modelkit",
        "load",
        "schemas/ecommerce.py",
        str(data),
        "--endpoint-url",
        shop.url,
        "--table",
        shop.design.name,
        "--quiet",
    ]
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while not checkpoint.exists() and process.poll() is None:
            time.sleep(0.005)
        process.kill()
    finally:
        process.wait(timeout=30)
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("loaded 2,000, rejected 0, resumed after ")
    assert len(scan(shop)) == 2000
