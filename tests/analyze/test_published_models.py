"""Verdicts on the published NoSQL Workbench models (schemas/models/), under their realistic
workloads and under loads that break them."""

from __future__ import annotations

import math
from pathlib import Path

import msgspec
import pytest

from modelkit.analyze import TableReport, Workload, analyze, load_workload
from modelkit.schema import TableDesign, load_design

MODELS = Path(__file__).resolve().parents[2] / "schemas" / "models"


def model(name: str) -> tuple[TableDesign, Workload]:
    design = load_design(str(MODELS / f"{name}.py"))
    return design, load_workload(MODELS / f"{name}.workload.toml", design)


def scaled(workload: Workload, pattern: str, factor: float) -> Workload:
    load = workload.patterns[pattern]
    patterns = dict(workload.patterns)
    patterns[pattern] = msgspec.structs.replace(load, rate=load.rate * factor)
    return msgspec.structs.replace(workload, patterns=patterns)


def gsi(report: TableReport, name: str) -> object:
    return next(i for i in report.indexes if i.name == name)


@pytest.mark.parametrize(
    "name", ["device_state_log", "online_shop", "retail_cart", "session_management"]
)
def test_each_model_is_safe_under_its_realistic_workload(name: str) -> None:
    design, workload = model(name)
    report = analyze(design, workload)
    assert report.score.verdict == "safe", report.score.reasons
    assert {p.name for p in report.patterns} == {p.name for p in design.patterns}
    assert report.cost.on_demand.total > 0


def test_device_log_operator_index_at_one_log_per_5_minutes_per_faulty_device() -> None:
    design, workload = model("device_state_log")
    report = analyze(design, workload)
    operators = gsi(report, "GSI1")
    top = operators.hot_keys[0]  # type: ignore[attr-defined]
    # 2,000 faulty devices / 300 s = 6.7 logs/s, plus 0.2 escalations/s rewriting a log's
    # GSI1 entry (projection ALL); the busiest of 5 operators has 30% of them, 1 WCU each
    assert workload.patterns["log device state"].rate == pytest.approx(2000 / 300, abs=0.05)
    assert top.key == "Liz"
    assert top.write_units == pytest.approx((6.7 + 0.2) * 0.3)
    assert top.verdict == "safe"


def test_device_log_operator_index_throttles_a_fleet_of_20_million_devices() -> None:
    design, workload = model("device_state_log")
    big = scaled(workload, "log device state", 1_000)  # 20M devices, 10% faulty
    report = analyze(design, big)
    top = gsi(report, "GSI1").hot_keys[0]  # type: ignore[attr-defined]
    assert top.key == "Liz"
    assert top.write_units == pytest.approx(2e7 * 0.1 / 300 * 0.3, rel=0.01)  # 2,000 WCU
    # GSI1's sort key is the log's date: new logs always land at the end of the range
    assert top.verdict == "throttles-always"
    logging = next(p for p in report.patterns if p.name == "log device state")
    assert logging.score.verdict == "throttles-always"
    assert any("back-pressure" in r for r in logging.score.reasons)
    fix = next(f for f in report.fixes if f.kind == "write-sharding" and "Liz" in f.target)
    assert fix.figures["shards"] == math.ceil(top.write_units / 800)
    status = [f for f in report.fixes if f.kind == "status-to-sort-key"]
    assert status and status[0].figures["values"] == 5


def test_session_store_at_ten_times_the_load_needs_capacity_not_new_keys() -> None:
    design, workload = model("session_management")
    for name in list(workload.patterns):
        workload = scaled(workload, name, 10)
    report = analyze(design, workload)
    # the provisioned capacity is short, but no key is hot: session ids spread
    assert report.score.verdict == "throttles-always"
    for index in report.indexes:
        assert all(k.verdict == "safe" for k in index.hot_keys)
    primary = gsi(report, "primary")
    fix = next(f for f in report.fixes if f.kind == "capacity" and f.target == "primary")
    assert fix.figures["rcu"] == math.ceil(primary.read_units / 0.7)  # type: ignore[attr-defined]
