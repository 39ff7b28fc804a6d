"""``modelkit import`` as a user runs it: files written, warnings, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from import_checks import PUBLISHED, finding_codes

from modelkit.cli import main


def test_import_writes_the_module_and_its_items(tmp_path: Path) -> None:
    output = tmp_path / "schemas" / "cart.py"
    result = CliRunner().invoke(main, ["import", str(PUBLISHED["retail-cart"]), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"warning: {PUBLISHED['retail-cart']}: table 'CartTable': key attribute 'Status#Date' "
        "is not a Python name; its fields are named in snake_case",
        f"wrote {output} (1 entities: CartTableItem; 3 access patterns inferred from the keys), "
        "5 sample items to cart.items.jsonl and a placeholder workload to cart.workload.toml",
    ]
    assert 'sk="Status#Date"' in output.read_text()
    workload = (tmp_path / "schemas" / "cart.workload.toml").read_text()
    assert workload.splitlines()[5:] == [
        'description = "CartTable: placeholder workload written by modelkit import"',
        "",
        '[entities."CartTableItem"]',
        "items = 5",
        "",
        '[patterns."CartTableItem by customer_id, status_2 and date"]',
        "rate = 1",
        "",
        '[patterns."CartTableItem list by customer_id"]',
        "rate = 1",
        "",
        '[patterns."CartTableItem list by item_sku on GSI-SKU"]',
        "rate = 1",
    ]
    assert workload.startswith("# Workload for cart.py, written by `modelkit import`")
    lines = (tmp_path / "schemas" / "cart.items.jsonl").read_text().splitlines()
    assert json.loads(lines[0]) == {
        "entity": "CartTableItem",
        "item": {
            "customer_id": "Liz",
            "status_2": "Shipped",
            "date": "2019-11-26T22:46:26",
            "item_sku": "d9bl3",
            "price": "34.99",
            "count": "1",
            "status": "Saved",
        },
    }
    assert finding_codes(output) == []
    again = CliRunner().invoke(main, ["import", str(PUBLISHED["retail-cart"]), "-o", str(output)])
    assert again.exit_code == 2
    beside = ", ".join(str(output.parent / f"cart.{k}") for k in ("items.jsonl", "workload.toml"))
    assert again.stderr == f"modelkit: {output}, {beside}: exist; pass --force to overwrite\n"


def test_a_file_that_is_not_a_model_exits_2_with_one_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.json"
    notes.write_text('{"tables": []}')
    result = CliRunner().invoke(main, ["import", str(notes), "-o", str(tmp_path / "x.py")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"modelkit: {notes}: not a NoSQL Workbench model (no DataModel list)\n"
    )
    assert not (tmp_path / "x.py").exists()


def test_table_picks_one_of_several_and_force_overwrites(tmp_path: Path) -> None:
    data = json.loads(PUBLISHED["session-management"].read_text())
    (table,) = data["DataModel"]
    data["DataModel"] = [{**table, "TableName": "first"}, table]
    model = tmp_path / "two.json"
    model.write_text(json.dumps(data))
    output = tmp_path / "sessions.py"
    output.write_text("old")
    args = ["import", str(model), "-o", str(output), "--table", "session_store", "--force"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(
        "(2 entities: SuuidChild, SuuidC; 7 access patterns inferred from the keys), 6 sample "
        "items to sessions.items.jsonl and a placeholder workload to sessions.workload.toml\n"
    )
    assert '    "session_store",\n' in output.read_text()
    wrong = CliRunner().invoke(
        main, ["import", str(model), "-o", str(output), "--force", "--table", "x"]
    )
    assert wrong.exit_code == 2
    assert wrong.stderr == (f"modelkit: {model}: no table 'x' (tables: first, session_store)\n")


def test_existing_files_beside_the_module_are_kept_without_force(tmp_path: Path) -> None:
    """The items file beside the output is as much the user's as the module itself."""
    model = PUBLISHED["device-state-log"]
    beside = tmp_path / "devices.items.jsonl"
    beside.write_text("mine\n")
    result = CliRunner().invoke(main, ["import", str(model), "-o", str(tmp_path / "devices.py")])
    assert result.exit_code == 2
    assert f"{beside}: exists; pass --force" in result.output
    assert beside.read_text() == "mine\n" and not (tmp_path / "devices.py").exists()
