"""A trace of observed requests analysed beside (or instead of) the synthetic workload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelkit.analyze import Workload, analyze
from modelkit.analyze._trace_plans import trace_load
from modelkit.schema import load_design

ROOT = Path(__file__).resolve().parents[2]
SHOP = load_design(str(ROOT / "schemas" / "ecommerce.py"))


def write_trace(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_a_customer_updated_1500_times_a_second_is_one_hot_item(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = []
    for i in range(3000):  # 3,000 updates of one profile over two seconds
        second = i // 1500
        rows.append(
            {
                "time": f"2026-11-26T10:00:0{second}.{i % 1500:06d}Z",
                "op": "update",
                "entity": "Customer",
                "keys": {"customer_id": "c-hot"},
            }
        )
    for i in range(400):  # 400 reads of distinct customers
        rows.append(
            {
                "time": "2026-11-26T10:00:01Z",
                "pattern": "customer by id",
                "keys": {"customer_id": f"c-{i}"},
            }
        )
    trace = trace_load(SHOP, Workload(), write_trace(tmp_path / "t.jsonl", rows))
    assert trace.rows == 3400
    report = analyze(SHOP, Workload(), trace=trace)
    primary = next(i for i in report.indexes if i.name == "primary")
    hot = primary.hot_keys[0]
    assert hot.key == "CUSTOMER#c-hot"
    # a 2 s trace: 3,000 updates / 2 s, each at least 1 WCU, all on the profile item
    span = 1 + 1499 / 1e6
    assert hot.write_units == pytest.approx(3000 / span, rel=0.01)
    assert hot.verdict == "throttles-always"
    assert "a single item" in hot.reason
    names = {p.name for p in report.patterns}
    assert {"trace: update Customer", "trace: customer by id"} <= names


def test_the_trace_busiest_minute_sets_the_peak_and_the_timeline(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = []
    for minute, count in enumerate([60, 600, 120]):
        for i in range(count):
            rows.append(
                {
                    "time": 1_764_151_200 + minute * 60 + i * 59 / count,
                    "pattern": "customer by id",
                    "keys": {"customer_id": f"c-{i % 50}"},
                }
            )
    trace = trace_load(SHOP, Workload(), write_trace(tmp_path / "t.jsonl", rows))
    report = analyze(SHOP, Workload(), trace=trace)
    pattern = next(p for p in report.patterns if p.name == "trace: customer by id")
    assert pattern.rate == pytest.approx(600 / 60)  # the busiest minute
    reads = [p.read_units for p in report.timeline if p.index == "primary"]
    assert reads == pytest.approx([60 / 60 * 0.5, 600 / 60 * 0.5, 120 / 60 * 0.5])
    # on-demand pays the average: 780 requests over the trace's span
    span = 2 * 60 + 119 * 59 / 120
    assert report.cost.on_demand.reads == pytest.approx(
        780 / span * 0.5 * 730 * 3600 / 1e6 * 0.125, rel=1e-6
    )


def test_run_analysis_reads_the_trace_with_a_progress_display(tmp_path: Path) -> None:
    from modelkit.analyze import run_analysis

    rows = [
        {"time": 1_764_151_200 + i, "pattern": "order by id", "keys": {"order_id": f"o-{i % 7}"}}
        for i in range(300)
    ]
    trace = write_trace(tmp_path / "t.jsonl", rows)
    workload = ROOT / "schemas" / "ecommerce.workload.toml"
    report = run_analysis([SHOP], workload, trace=trace, progress=True)
    (table,) = report.tables
    observed = next(p for p in table.patterns if p.name == "trace: order by id")
    assert observed.rate == pytest.approx(300 / 299)  # 300 requests over 299 s
    assert observed.read_units == {"GSI1": 0.5}
    assert any("300 trace rows" in a for a in table.assumptions)
