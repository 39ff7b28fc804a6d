"""The cache fix by hand: item reads over the item keys, query pages over the partitions,
the hottest key by the same hit-ratio model, savings hour by hour, transactions as writes."""

from __future__ import annotations

import math

import pytest

from modelkit.analyze import EntityLoad, PatternLoad, Uniform, Workload, analyze
from modelkit.analyze._report import Fix
from tests.analyze.designs import collection_design

SECONDS_PER_MONTH = 730 * 3600
ENTITIES = {
    "Customer": EntityLoad(items=1000, item_size=1000),
    "Order": EntityLoad(items=5000, item_size=500),
}


def cache_fix(patterns: dict[str, PatternLoad], target: str) -> Fix:
    report = analyze(collection_design(), Workload(entities=ENTITIES, patterns=patterns))
    return next(f for f in report.fixes if f.kind == "cache" and f.target == target)


def ttl_ratio(lam: float, life: float) -> float:
    """h = λE[L] / (1 + λE[L])."""
    return lam * life / (1 + lam * life)


def dollars(units_per_s: float) -> float:
    return units_per_s * SECONDS_PER_MONTH / 1e6 * 0.125


def by_key(rate: float, **kw: object) -> PatternLoad:
    keys = {"customer_id": Uniform(100), "order_id": Uniform(50)}
    return PatternLoad(rate=rate, keys=keys, **kw)  # type: ignore[arg-type]


def test_item_reads_hit_over_partition_and_sort_key_values() -> None:
    # 100 customers x 50 orders each: 5,000 items read alike, 100/s in all: λ = 0.02 per
    # item, T = 10 s (no jitter), h = 0.2 / 1.2. Over the 100 partition key values it would
    # be λ = 1, h = 10/11.
    fix = cache_fix({"order by key": by_key(100)}, "order by key")
    assert fix.figures["hit_ratio"] == pytest.approx(0.2 / 1.2)
    # a 500 B order: 0.5 RCU a get
    assert fix.figures["read_units_saved"] == pytest.approx(50 * 0.2 / 1.2)
    # the hottest customer (1/100 of the reads) spreads them over its 50 orders alike
    assert fix.figures["hot_key_read_units"] == pytest.approx(0.5)
    assert fix.figures["hot_key_read_units_after"] == pytest.approx(0.5 * (1 - 0.2 / 1.2))


def test_a_sort_key_field_that_names_every_item_is_the_item_spread() -> None:
    # order ids over all 5,000 orders, customers over 100: 500,000 pairs are more than the
    # 5,000 orders, so the fields are not independent and the order id names the item:
    # λ = 100 / 5,000 = 0.02 per order, h = 0.2 / 1.2 (pairs: λ = 0.0002; customers: 10/11)
    keys = {"customer_id": Uniform(100), "order_id": Uniform(5000)}
    fix = cache_fix({"order by key": PatternLoad(rate=100, keys=keys)}, "order by key")
    assert fix.figures["hit_ratio"] == pytest.approx(0.2 / 1.2)


def test_query_pages_hit_over_the_queried_index_partitions() -> None:
    # 50 queries/s over 5 statuses: 10/s per page, T = 10 s: h = 100/101, although the
    # KEYS_ONLY index sends each page's 10 items to the table, over 1,000 customers.
    patterns = {"orders by status": PatternLoad(rate=50, keys={"status": Uniform(5)})}
    fix = cache_fix(patterns, "orders by status")
    assert fix.figures["hit_ratio"] == pytest.approx(100 / 101)
    # a page: 0.5 RCU on GSI1 and 10 eventual gets of 0.5 RCU on the table
    assert fix.figures["read_units_saved"] == pytest.approx(50 * 5.5 * 100 / 101)
    assert fix.figures["hot_key_read_units"] == pytest.approx(0.5 * 50 / 5)


def test_hottest_key_after_caching_counts_writes_and_jitter() -> None:
    # 1,000 gets/s and 100 updates/s over 1,000 customers: λ = 1, w = 0.1 per customer.
    # T = 100 s stretched up to 20%: E[L] = 1/w - (e^-wT - e^-wT(1+j)) / (w^2 T j).
    w, t, j = 0.1, 100.0, 0.2
    life = 1 / w - (math.exp(-w * t) - math.exp(-w * t * (1 + j))) / (w * w * t * j)
    h = ttl_ratio(1.0, life)
    patterns = {
        "customer by id": PatternLoad(rate=1000, keys={"customer_id": Uniform(1000)}),
        "update customer": PatternLoad(rate=100, keys={"customer_id": Uniform(1000)}),
    }
    fix = cache_fix(patterns, "customer by id")
    assert fix.figures["hit_ratio"] == pytest.approx(h)
    hot = fix.figures["hot_key_read_units"]
    assert hot == pytest.approx(0.5)  # 1 KB: 0.5 RCU, 1 request/s
    assert fix.figures["hot_key_read_units_after"] == pytest.approx(hot * (1 - h))


def test_daily_savings_take_each_hours_hit_ratio() -> None:
    # half the day at half the peak: λ = 0.5 then h = 50/51; at the peak λ = 1, h = 100/101
    # (T = 100 s, 20% jitter: E[L] = 110 s without writes)
    profile = tuple([0.5] * 12 + [1.0] * 12)
    keys = {"customer_id": Uniform(1000)}
    patterns = {"customer by id": PatternLoad(rate=1000, keys=keys, profile=profile)}
    fix = cache_fix(patterns, "customer by id")
    low, high = ttl_ratio(0.5, 110), ttl_ratio(1.0, 110)
    saved = 500 * (12 * 0.5 * low + 12 * 1.0 * high) / 24
    assert fix.figures["dollars_month"] == pytest.approx(dollars(saved))
    assert fix.figures["hit_ratio"] == pytest.approx(high)
    assert fix.figures["read_units_saved_average"] == pytest.approx(saved)
    assert fix.figures["hit_ratio_daily"] == pytest.approx(saved / (500 * 0.75))


def test_transaction_writes_invalidate_like_puts() -> None:
    # 10 transactions/s writing 2 orders each: 20 writes/s over 5,000 items, w = 0.004
    # per item beside λ = 0.02; T = 10 s: E[L] = (1 - e^(-wT)) / w
    w = 20 / 5000
    life = -math.expm1(-w * 10) / w
    patterns = {
        "order by key": by_key(100),
        "place orders": PatternLoad(rate=10, items={"Order": 2}),
    }
    fix = cache_fix(patterns, "order by key")
    assert fix.figures["hit_ratio"] == pytest.approx(ttl_ratio(0.02, life))
    as_puts = cache_fix({"order by key": by_key(100), "place order": by_key(20)}, "order by key")
    assert as_puts.figures["hit_ratio"] == pytest.approx(fix.figures["hit_ratio"])
