"""Hand-checkable cases: each verdict, its numbers and its fix, from REFERENCE.md's rules."""

from __future__ import annotations

import math

import msgspec
import pytest

from modelkit.analyze import (
    Constant,
    EntityLoad,
    PatternLoad,
    TableLoad,
    Throughput,
    Uniform,
    Weighted,
    Workload,
    Zipf,
    analyze,
)
from modelkit.analyze._report import IndexReport, TableReport
from tests.analyze.designs import counter_design, events_design, feed_design, shop_design


def index(report: TableReport, name: str) -> IndexReport:
    return next(i for i in report.indexes if i.name == name)


def test_a_single_hot_item_throttles_whatever_dynamodb_does() -> None:
    workload = Workload(
        entities={"Counter": EntityLoad(items=1000, item_size=200)},
        patterns={"bump": PatternLoad(rate=1500, keys={"name": Constant("likes")})},
    )
    report = analyze(counter_design(), workload)
    hot = index(report, "primary").hot_keys[0]
    assert hot.key == "COUNTER#likes"
    assert hot.write_units == pytest.approx(1500)  # 200 B -> 1 WCU per update
    assert hot.write_pct == pytest.approx(150)
    assert hot.verdict == "throttles-always"
    assert "a single item" in hot.reason
    assert report.score.verdict == "throttles-always"
    assert report.score.grade == "F"
    shard = next(f for f in report.fixes if f.kind == "write-sharding")
    assert shard.figures["shards"] == math.ceil(1500 / 800)


def test_other_patterns_only_wait_for_the_split_that_isolates_a_hot_item() -> None:
    workload = Workload(
        entities={"Counter": EntityLoad(items=1000, item_size=200)},
        patterns={
            "bump": PatternLoad(rate=1500, keys={"name": Constant("likes")}),
            "read counter": PatternLoad(rate=100),
            "write log": PatternLoad(rate=100),
        },
    )
    report = analyze(counter_design(), workload)
    verdicts = {p.name: p.score.verdict for p in report.patterns}
    assert verdicts == {
        "bump": "throttles-always",  # its own item, past any split
        "write log": "throttles-until-split",  # shares partitions with it until the split
        "read counter": "safe",  # reads and writes are capped independently
    }


def test_zipf_figure_of_the_reference_one_item_takes_1300_wcu() -> None:
    # REFERENCE.md: Zipf(0.99) over 10^6 keys puts 6.5% on the top key; at 20,000 writes/s
    # that is about 1,300 WCU on one item, past what any split can fix.
    workload = Workload(
        table=TableLoad(previous_peak=Throughput(writes=20_000)),
        entities={"Counter": EntityLoad(items=1e6, item_size=200)},
        patterns={"bump": PatternLoad(rate=20_000, keys={"name": Zipf(1e6, 0.99)})},
    )
    report = analyze(counter_design(), workload)
    hot = index(report, "primary").hot_keys[0]
    assert hot.key == "COUNTER#{name=#1}"
    assert hot.write_units == pytest.approx(1300, rel=0.02)
    assert hot.verdict == "throttles-always"
    # partitions: ceil(12000/3000 + 20000/1000) = 24 on demand, scaled to the peak
    assert index(report, "primary").partitions == 24


def test_date_keyed_gsi_at_3000_writes_per_second() -> None:
    design = events_design("DAY#{day}", "{created_at}#{event_id}")
    workload = Workload(
        entities={"Event": EntityLoad(items=1e8, item_size=900)},
        patterns={"record event": PatternLoad(rate=3000)},
    )
    report = analyze(design, workload)
    gsi = index(report, "GSI1")
    hot = gsi.hot_keys[0]
    assert hot.key == "DAY#{day=now}"
    assert hot.write_units == pytest.approx(3000)  # every event of the day, 1 WCU each
    assert hot.verdict == "throttles-always"
    assert gsi.score.verdict == "throttles-always"
    # the table itself spreads: each event a fresh id
    assert index(report, "primary").score.verdict == "safe"
    # GSI back-pressure: the put is throttled although the table is safe
    put = next(p for p in report.patterns if p.name == "record event")
    assert put.score.verdict == "throttles-always"
    assert any("back-pressure" in r for r in put.score.reasons)
    shard = next(f for f in report.fixes if f.kind == "write-sharding")
    assert shard.figures["shards"] == math.ceil(3000 / 800)


def test_date_key_sharded_over_200_suffixes_is_safe_per_key() -> None:
    # DG bp-partition-key-sharding: a random suffix 1..200 on a date spreads a day's writes.
    design = events_design("DAY#{day}#{shard}", "{created_at}#{event_id}")
    workload = Workload(
        entities={"Event": EntityLoad(items=1e8, item_size=900)},
        patterns={"record event": PatternLoad(rate=3000, keys={"shard": Uniform(200)})},
    )
    report = analyze(design, workload)
    hot = index(report, "GSI1").hot_keys[0]
    assert hot.write_units == pytest.approx(3000 / 200)
    assert hot.verdict == "safe"
    assert index(report, "GSI1").score.verdict == "safe"


def test_constant_gsi_key_with_unique_sort_keys_waits_for_a_split() -> None:
    design = events_design("ALL_EVENTS", "{event_id}")
    workload = Workload(
        entities={"Event": EntityLoad(items=1e7, item_size=500)},
        patterns={"record event": PatternLoad(rate=2000)},
    )
    report = analyze(design, workload)
    hot = index(report, "GSI1").hot_keys[0]
    assert hot.key == "ALL_EVENTS"
    assert hot.write_units == pytest.approx(2000)
    assert hot.verdict == "throttles-until-split"


def test_constant_gsi_key_with_a_time_sort_key_throttles_always() -> None:
    design = events_design("ALL_EVENTS", "{created_at}#{event_id}")
    workload = Workload(
        entities={"Event": EntityLoad(items=1e7, item_size=500)},
        patterns={"record event": PatternLoad(rate=2000)},
    )
    hot = index(analyze(design, workload), "GSI1").hot_keys[0]
    assert hot.verdict == "throttles-always"
    assert "sequence" in hot.reason


@pytest.mark.parametrize(
    ("with_lsi", "verdict"), [(False, "throttles-until-split"), (True, "throttles-always")]
)
def test_item_collections_under_an_lsi_are_never_split(with_lsi: bool, verdict: str) -> None:
    # 1,500 new posts/s in one feed, each a fresh sort key: a split spreads them, unless the
    # table has an LSI (collections are then never split)
    workload = Workload(
        entities={"Post": EntityLoad(items=1e7, item_size=300)},
        patterns={"post": PatternLoad(rate=1500, keys={"feed": Constant("news")})},
    )
    hot = index(analyze(feed_design(with_lsi), workload), "primary").hot_keys[0]
    assert hot.key == "FEED#news"
    # each post: 1 WCU in the table, and 1 more for the LSI entry (the table's capacity)
    assert hot.write_units == pytest.approx(1500 * (2 if with_lsi else 1))
    assert hot.verdict == verdict


def test_status_gsi_with_three_values() -> None:
    design = events_design("STATUS#{status}", "{created_at}#{event_id}")
    workload = Workload(
        entities={"Event": EntityLoad(items=1e7, item_size=500)},
        patterns={
            "record event": PatternLoad(
                rate=2500,
                keys={"status": Weighted({"PENDING": 6, "SHIPPED": 3, "DELIVERED": 1})},
            ),
            "events by gsi": PatternLoad(rate=50, keys={"status": Constant("PENDING")}),
        },
    )
    report = analyze(design, workload)
    gsi = index(report, "GSI1")
    loads = {k.key: k.write_units for k in gsi.hot_keys}
    assert loads["STATUS#PENDING"] == pytest.approx(1500)
    assert loads["STATUS#SHIPPED"] == pytest.approx(750)
    assert loads["STATUS#DELIVERED"] == pytest.approx(250)
    assert gsi.key_values == 3
    assert gsi.score.verdict == "throttles-always"
    status = next(f for f in report.fixes if f.kind == "status-to-sort-key")
    assert status.figures["values"] == 3
    assert status.figures["hottest_share"] == pytest.approx(0.6, rel=0.05)
    sparse = next(f for f in report.fixes if f.kind == "sparse-index")
    assert sparse.figures["write_units_saved"] == pytest.approx(1000)


def test_a_design_that_spreads_is_safe() -> None:
    workload = Workload(
        entities={"Customer": EntityLoad(items=1e6), "Order": EntityLoad(items=2e7)},
        patterns={
            "customer by id": PatternLoad(rate=2000),
            "orders of a customer": PatternLoad(rate=500),
            "order by id": PatternLoad(rate=800),
            "place order": PatternLoad(rate=100),
        },
    )
    report = analyze(shop_design(), workload)
    assert report.score.verdict == "safe"
    assert report.score.grade == "A"
    for i in report.indexes:
        assert i.score.verdict == "safe"
        assert i.hot_partitions[0].read_pct < 50
    assert all(p.score.verdict == "safe" for p in report.patterns)


def test_on_demand_past_double_the_previous_peak_throttles_until_it_scales() -> None:
    workload = Workload(
        table=TableLoad(previous_peak=Throughput(reads=1000, writes=3000)),
        entities={"Event": EntityLoad(items=1e7, item_size=500)},
        patterns={"record event": PatternLoad(rate=7000, keys={"shard": Uniform(200)})},
    )
    report = analyze(events_design("DAY#{day}#{shard}", "{event_id}"), workload)
    primary = index(report, "primary")
    assert primary.score.verdict == "throttles-until-split"
    assert any("double the previous peak at once (6,000" in r for r in primary.score.reasons)


def test_provisioned_below_the_peak_throttles_and_says_what_to_provision() -> None:
    workload = Workload(
        table=TableLoad(billing="provisioned", rcu=100, wcu=100),
        entities={"Customer": EntityLoad(items=1e6), "Order": EntityLoad(items=1e7)},
        patterns={"customer by id": PatternLoad(rate=1000)},
    )
    report = analyze(shop_design(), workload)
    assert index(report, "primary").score.verdict == "throttles-always"
    fix = next(f for f in report.fixes if f.kind == "capacity")
    assert fix.figures["rcu"] == math.ceil(500 / 0.7)


def test_json_form_is_stable_and_round_trips() -> None:
    workload = Workload(
        entities={"Counter": EntityLoad(items=10, item_size=100)},
        patterns={"bump": PatternLoad(rate=10)},
    )
    report = analyze(counter_design(), workload)
    data = msgspec.json.decode(msgspec.json.encode(report))
    assert set(data) >= {"table", "score", "indexes", "patterns", "fixes", "cost"}
    assert msgspec.json.decode(msgspec.json.encode(report), type=TableReport) == report


@pytest.mark.parametrize("rate", [1.0, 100.0])
def test_sequential_default_for_a_new_items_date(rate: float) -> None:
    design = events_design("DAY#{day}", "{event_id}")
    workload = Workload(patterns={"record event": PatternLoad(rate=rate)})
    report = analyze(design, workload)
    assert any("day: sequential" in a for a in report.assumptions)
    assert index(report, "GSI1").hot_keys[0].write_units == pytest.approx(rate)
