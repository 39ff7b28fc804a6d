"""Fix and cost figures by hand-checkable arithmetic."""

from __future__ import annotations

import msgspec
import pytest

from modelkit.analyze import (
    CacheLoad,
    EntityLoad,
    PatternLoad,
    TableLoad,
    Uniform,
    Workload,
    Zipf,
    analyze,
)
from tests.analyze.designs import shop_design

SECONDS_PER_MONTH = 730 * 3600


def gets(rate: float, **kw: object) -> Workload:
    return Workload(
        entities={"Customer": EntityLoad(items=1000, item_size=1000), "Order": EntityLoad(items=0)},
        patterns={
            "customer by id": PatternLoad(rate=rate, keys={"customer_id": Uniform(1000)}, **kw)  # type: ignore[arg-type]
        },
    )


def test_on_demand_and_provisioned_cost_of_1000_eventual_gets() -> None:
    report = analyze(shop_design(), gets(1000))
    cost = report.cost
    # 1 KB items: 0.5 RCU each, 500 RCU/s all month at $0.125 per million
    assert cost.on_demand.reads == pytest.approx(500 * SECONDS_PER_MONTH / 1e6 * 0.125)
    assert cost.on_demand.writes == 0
    # provisioned at the peak over 70%: 714.3 RCU x 730 h x $0.00013
    assert cost.provisioned_rcu == pytest.approx(500 / 0.7)
    assert cost.provisioned.reads == pytest.approx(500 / 0.7 * 730 * 0.00013)
    assert cost.utilisation_reads == pytest.approx(0.7)
    assert cost.break_even_reads == pytest.approx(0.2889, abs=1e-4)
    assert cost.cheaper == "provisioned"
    billing = next(f for f in report.fixes if f.kind == "billing")
    assert billing.figures["saving_dollars_month"] == pytest.approx(
        cost.on_demand.total - min(cost.provisioned.total, cost.provisioned_autoscaled.total)
    )


def test_strong_reads_cost_double() -> None:
    eventual = analyze(shop_design(), gets(1000)).cost.on_demand.reads
    strong = analyze(shop_design(), gets(1000, consistency="strong")).cost.on_demand.reads
    assert strong == pytest.approx(2 * eventual)


def test_replicated_writes_are_paid_in_every_replica_region() -> None:
    workload = Workload(
        table=TableLoad(replicas=("eu-west-1", "ap-south-1")),
        entities={"Customer": EntityLoad(items=1e6), "Order": EntityLoad(items=1e6, item_size=500)},
        patterns={"place order": PatternLoad(rate=100)},
    )
    cost = analyze(shop_design(), workload).cost
    # a put of a 500 B order: 1 WCU in the table and 1 in GSI1, 200 WCU/s in all
    assert cost.on_demand.writes == pytest.approx(200 * SECONDS_PER_MONTH / 1e6 * 0.625)
    assert cost.on_demand.replicated_writes == pytest.approx(2 * cost.on_demand.writes)
    assert cost.replicas == ("eu-west-1", "ap-south-1")
    throughput = cost.on_demand.reads + cost.on_demand.writes + cost.on_demand.replicated_writes
    storage = cost.storage_gb * 0.25 * 3  # before the free tier, in all three Regions
    assert sum(cost.by_index.values()) == pytest.approx(throughput + storage)


def test_a_daily_profile_lowers_the_on_demand_bill_not_the_peak() -> None:
    profile = tuple([0.5] * 12 + [1.0] * 12)
    flat = analyze(shop_design(), gets(1000))
    shaped = analyze(shop_design(), gets(1000, profile=profile))
    assert shaped.cost.on_demand.reads == pytest.approx(0.75 * flat.cost.on_demand.reads)
    assert shaped.indexes[0].read_units == flat.indexes[0].read_units
    hours = [p for p in shaped.timeline if p.index == "primary"]
    assert [p.read_units for p in hours] == [250.0] * 12 + [500.0] * 12


def test_cache_hit_ratio_of_a_ttl_cache_by_hand() -> None:
    # 1,000 gets/s over 1,000 customers: 1 request/s per key. shop_design's Customer has no
    # cache policy, so the fix shows the default one (300 s, 10% jitter: 315 s on average):
    # h = λT / (1 + λT) = 315/316.
    report = analyze(shop_design(), gets(1000))
    fix = next(f for f in report.fixes if f.kind == "cache")
    assert fix.figures["ttl"] == 300
    assert fix.figures["hit_ratio"] == pytest.approx(315 / 316)
    assert fix.figures["read_units_saved"] == pytest.approx(500 * 315 / 316)
    assert fix.figures["dollars_month"] == pytest.approx(
        500 * 315 / 316 * SECONDS_PER_MONTH / 1e6 * 0.125
    )


def test_cache_size_caps_the_hit_ratio() -> None:
    workload = msgspec.structs.replace(gets(1000), cache=CacheLoad(size_mb=0.25))
    # 0.25 MB of 1,000-byte values holds 262 of the 1,000 equally hot customers
    fix = next(f for f in analyze(shop_design(), workload).fixes if f.kind == "cache")
    assert 0.2 < fix.figures["hit_ratio"] < 0.3


def test_write_sharding_prices_the_read_fan_out() -> None:
    workload = Workload(
        entities={"Customer": EntityLoad(items=1e6), "Order": EntityLoad(items=1e8)},
        patterns={
            "place order": PatternLoad(rate=2400, keys={"customer_id": Zipf(10, 2.0)}),
            "orders of a customer": PatternLoad(rate=100, keys={"customer_id": Zipf(10, 2.0)}),
        },
    )
    report = analyze(shop_design(), workload)
    fix = next(f for f in report.fixes if f.kind == "write-sharding")
    hot = report.indexes[0].hot_keys[0]
    shards = fix.figures["shards"]
    assert shards == -(-hot.write_units // 800)
    # each logical query becomes `shards` queries of at least 0.5 RCU
    assert fix.figures["extra_read_units"] == pytest.approx(100 * (shards - 1) * 0.5)
