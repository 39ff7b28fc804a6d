"""Scans read every entity at its own size; a sharded key's read fan-out counts each
pattern once."""

from __future__ import annotations

import math

import pytest

from modelkit.analyze import Constant, EntityLoad, PatternLoad, Workload, analyze
from tests.analyze.designs import collection_design


def test_a_scan_reads_every_entitys_items_at_their_own_size() -> None:
    workload = Workload(
        entities={
            "Customer": EntityLoad(items=1000, item_size=100),
            "Order": EntityLoad(items=1000, item_size=4000),
        },
        patterns={"scan customers": PatternLoad(rate=1)},
    )
    report = analyze(collection_design(), workload)
    scan = next(p for p in report.patterns if p.name == "scan customers")
    # 1,000 x 100 B + 1,000 x 4,000 B = 4,100,000 B: 1,001 units of 4 KB, eventual (half)
    assert scan.read_units == {"primary": math.ceil(4_100_000 / 4096) * 0.5}


def test_sharding_fan_out_counts_an_item_collection_query_once() -> None:
    hot = {"customer_id": Constant("c1")}
    workload = Workload(
        entities={
            "Customer": EntityLoad(items=1000, item_size=100),
            "Order": EntityLoad(items=1e6, item_size=500),
        },
        patterns={
            "place order": PatternLoad(rate=2400, keys=hot),
            "customer with orders": PatternLoad(rate=100, keys=hot),
        },
    )
    report = analyze(collection_design(), workload)
    fix = next(f for f in report.fixes if f.kind == "write-sharding")
    # 2,400 WCU on CUSTOMER#c1: 3 shards at 800 each
    assert fix.target == "primary CUSTOMER#c1"
    assert fix.figures["shards"] == 3
    # one query a read becomes 3, each at least half a unit: 100 x 2 x 0.5
    assert fix.figures["extra_read_units"] == pytest.approx(100.0)
