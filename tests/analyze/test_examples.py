"""Every example schema, analysed under the workload file that ships beside it."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from modelkit.analyze import TableReport, analyze, load_workload
from modelkit.schema import load_design

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
EXAMPLES = sorted(p.stem for p in SCHEMAS.glob("*.py"))


def report_of(name: str) -> TableReport:
    design = load_design(str(SCHEMAS / f"{name}.py"))
    return analyze(design, load_workload(SCHEMAS / f"{name}.workload.toml", design))


def test_there_are_five_examples() -> None:
    assert EXAMPLES == ["ecommerce", "iot", "leaderboard", "saas", "sessions"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_each_example_analyses_every_pattern_and_prices_it(name: str) -> None:
    design = load_design(str(SCHEMAS / f"{name}.py"))
    report = report_of(name)
    assert [p.name for p in report.patterns] == [p.name for p in design.patterns]
    assert not any(a.startswith("not in the workload") for a in report.assumptions)
    for cost in (report.cost.on_demand, report.cost.provisioned):
        parts = cost.reads + cost.writes + cost.replicated_writes + cost.storage
        assert parts == pytest.approx(cost.total)
    assert msgspec.json.decode(msgspec.json.encode(report), type=TableReport) == report


def test_the_shop_is_safe_and_its_cached_customers_save_reads() -> None:
    report = report_of("ecommerce")
    assert report.score.verdict == "safe"
    cache = next(f for f in report.fixes if f.target == "customer by id")
    assert cache.figures["cached_already"] == 1.0
    assert 0 < cache.figures["hit_ratio"] < 1


def test_the_leaderboard_peak_is_past_what_a_new_on_demand_table_serves() -> None:
    report = report_of("leaderboard")
    assert report.score.verdict == "throttles-until-split"
    assert any("double the previous peak" in r for r in report.score.reasons)
