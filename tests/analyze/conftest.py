"""A hand-made analysis report, realistic enough to render: two designs of one shop.

``shop`` (schemas/shop.py): a primary key with a hot product, a status GSI that throttles
whatever DynamoDB does, an email GSI that is safe, replicas, a 24-hour timeline.
``shop_v2`` (schemas/shop_v2.py): the fixed design, 256 partitions, no timeline. The
comparison ranks ``shop_v2`` first.
"""

from __future__ import annotations

import math

import pytest

from modelkit.analyze._report import (
    Comparison,
    Cost,
    CostReport,
    EntityReport,
    Fix,
    HotKey,
    IndexReport,
    PartitionLoad,
    PatternReport,
    Ranked,
    Report,
    Score,
    TableReport,
    TimePoint,
    Verdict,
)

SAFE = Score(value=96, grade="A", verdict="safe")


def _load(index: str, partition: int, r: float, w: float, *keys: str) -> PartitionLoad:
    return PartitionLoad(
        index=index, partition=partition, read_units=r, write_units=w, read_pct=r / 30,
        write_pct=w / 10, keys=keys,
    )  # fmt: skip


HOT_PRODUCT = _load("primary", 3, 3540, 150, "PRODUCT#{product_id=#1}", "CUSTOMER#{customer_id=#7}")
HOT_CUSTOMER = _load("primary", 5, 2910, 160, "CUSTOMER#{customer_id=#1}")
PRIMARY_LOADS = (
    HOT_PRODUCT,
    HOT_CUSTOMER,
    *(_load("primary", n, 1100 + 37 * n, 330 - 11 * n) for n in (0, 1, 2, 4, 6, 7)),
)
HOT_STATUS = _load("GSI1", 0, 380, 1450, "STATUS#{status=PLACED}", "STATUS#{status=SHIPPED}")


def _key(
    index: str,
    key: str,
    units: tuple[float, float],
    item: tuple[float, float],
    verdict: Verdict,
    reason: str,
    *patterns: str,
) -> HotKey:
    read_pct, write_pct = units[0] / 30, units[1] / 10
    return HotKey(
        index=index, key=key, read_units=units[0], write_units=units[1], read_pct=read_pct,
        write_pct=write_pct, item_read_units=item[0], item_write_units=item[1],
        headroom=1 - max(read_pct, write_pct) / 100, verdict=verdict, reason=reason,
        patterns=patterns,
    )  # fmt: skip


def _hot_keys() -> dict[str, tuple[HotKey, ...]]:
    product = _key(
        "primary", "PRODUCT#{product_id=#1}", (4200, 30), (1400, 10), "throttles-until-split",
        "140% of a partition's reads over 12 items: a split for heat spreads them", "get product",
    )  # fmt: skip
    customer = _key(
        "primary", "CUSTOMER#{customer_id=#1}", (2850, 120), (2850, 120), "safe",
        "95% of the read limit on one item: safe, with 5% to spare", "get customer",
    )  # fmt: skip
    status = _key(
        "GSI1", "STATUS#{status=PLACED}", (380, 1450), (2, 1), "throttles-always",
        "145% of the write limit on a key whose sort key grows with time",
        "place order", "orders by status",
    )  # fmt: skip
    email = _key(
        "GSI2", "EMAIL#{email=#1}", (0.9, 0.06), (0.9, 0.06), "safe",
        "uniform over 1,000,000 emails", "customer by email",
    )  # fmt: skip
    return {"primary": (product, customer), "GSI1": (status,), "GSI2": (email,)}


def _timeline() -> tuple[TimePoint, ...]:
    peak = {"primary": (14000.0, 2600.0), "GSI1": (600.0, 2400.0), "GSI2": (900.0, 60.0)}
    points = []
    for hour in range(24):
        shape = 0.55 + 0.45 * math.sin(math.pi * max(0, hour - 6) / 16) if hour >= 6 else 0.3
        for index, (r, w) in peak.items():
            time = f"{hour:02d}:00"
            points.append(
                TimePoint(index=index, time=time, read_units=r * shape, write_units=w * shape)
            )
    return tuple(points)


def _shop() -> TableReport:
    keys = _hot_keys()
    gsi1_score = Score(
        value=18, grade="F", verdict="throttles-always",
        reasons=("status as partition key: 5 values, one takes 60% of the writes",),
    )  # fmt: skip
    indexes = (
        IndexReport(
            name="primary", kind="table", partitions=8,
            partitions_reason="ceil(14,000 RCU / 3,000 + 2,600 WCU / 1,000) by throughput",
            read_units=14000, write_units=2600, size_gb=35.2, key_values=1_050_000,
            score=Score(value=58, grade="C", verdict="throttles-until-split"),
            hot_keys=keys["primary"], hot_partitions=(HOT_PRODUCT,), partition_loads=PRIMARY_LOADS,
        ),
        IndexReport(
            name="GSI1", kind="gsi", partitions=3,
            partitions_reason="ceil(600 RCU / 3,000 + 2,400 WCU / 1,000)",
            read_units=600, write_units=2400, size_gb=3.1, key_values=5, score=gsi1_score,
            hot_keys=keys["GSI1"], hot_partitions=(HOT_STATUS,),
            partition_loads=(HOT_STATUS, _load("GSI1", 1, 150, 700), _load("GSI1", 2, 70, 250)),
        ),
        IndexReport(
            name="GSI2", kind="gsi", partitions=1,
            partitions_reason="900 RCU and 60 WCU fit one partition",
            read_units=900, write_units=60, size_gb=0.9, key_values=1_000_000, score=SAFE,
            hot_keys=keys["GSI2"], hot_partitions=(),
            partition_loads=(_load("GSI2", 0, 900, 60),),
        ),
    )  # fmt: skip
    patterns = (
        PatternReport(
            name="get customer", op="get", index="primary", rate=5700,
            read_units={"primary": 0.5}, write_units={},
            score=Score(value=90, grade="A", verdict="safe"),
        ),
        PatternReport(
            name="orders by status", op="query", index="GSI1", rate=300,
            read_units={"GSI1": 2.0}, write_units={},
            score=Score(value=74, grade="B", verdict="safe"),
            assumptions=("a page reads 25 items of 1.7 KB (limit 25)",),
        ),
        PatternReport(
            name="place order", op="put", index="primary", rate=1200,
            read_units={}, write_units={"primary": 2.0, "GSI1": 2.0},
            score=Score(value=18, grade="F", verdict="throttles-always"),
        ),
    )  # fmt: skip
    entities = (
        EntityReport(
            name="Customer", items=1_000_000, item_size=900, item_size_estimated=False,
            size_gb=0.9, score=SAFE,
        ),
        EntityReport(
            name="Order", items=20_000_000, item_size=1740, item_size_estimated=True,
            size_gb=34.8, score=Score(value=18, grade="F", verdict="throttles-always"),
        ),
    )  # fmt: skip
    fixes = (
        Fix(
            kind="write-sharding", target="GSI1 STATUS#{status}",
            summary="shard STATUS#{status} 4 ways by hash(order_id) % 4: 36% of the write "
            "limit per shard; 'orders by status' then reads 4 shards (2 -> 8 units a page)",
            figures={"shards": 4, "write_pct_per_shard": 36.25, "read_units_per_request": 8},
        ),
        Fix(
            kind="status-to-sort-key", target="GSI1",
            summary="key GSI1 by customer and put status first in the sort key",
            figures={"key_values": 1_000_000},
        ),
        Fix(
            kind="cache", target="get product",
            summary="cache products for 60 s: PRODUCT#{product_id=#1} falls from 4,200 to 35 RCU",
            figures={"ttl_s": 60, "read_units_before": 4200, "read_units_after": 35},
        ),
        Fix(
            kind="billing", target="shop",
            summary="provisioned with auto scaling saves $2,996.32 a month",
            figures={"saving": 2996.32},
        ),
    )  # fmt: skip
    cost = CostReport(
        prices_date="2024-11-01", region="us-east-1",
        on_demand=Cost(
            reads=2518.43, writes=2934.68, replicated_writes=2934.68, storage=28.60, total=8416.39
        ),
        provisioned=Cost(
            reads=1898.00, writes=2465.84, replicated_writes=2465.84, storage=28.60, total=6858.28
        ),
        provisioned_autoscaled=Cost(
            reads=1432.11, writes=1979.68, replicated_writes=1979.68, storage=28.60, total=5420.07
        ),
        provisioned_rcu=20000, provisioned_wcu=5197, target_utilisation=0.7,
        break_even_reads=0.2888, break_even_writes=0.2888,
        utilisation_reads=0.383, utilisation_writes=0.412, cheaper="provisioned-autoscaled",
        by_index={"primary": 6412.15, "GSI1": 1830.02, "GSI2": 174.22},
        storage_gb=39.2, replicas=("eu-west-1",),
    )  # fmt: skip
    return TableReport(
        table="shop",
        schema="schemas/shop.py",
        workload="schemas/shop.workload.yaml",
        billing="on-demand",
        score=Score(
            value=42,
            grade="D",
            verdict="throttles-always",
            reasons=(
                "GSI1: STATUS#{status=PLACED} takes 145% of a partition's write limit and "
                "throttles writes to the table",
                "primary: PRODUCT#{product_id=#1} takes 140% of a partition's reads until a split",
            ),
        ),
        indexes=indexes,
        patterns=patterns,
        entities=entities,
        fixes=fixes,
        cost=cost,
        timeline=_timeline(),
        assumptions=("Order item size estimated from field bounds (1.7 KB)",),
    )


def _shop_v2() -> TableReport:
    loads = tuple(_load("primary", n, 600 + 5 * (n % 17), 150 + (n % 29)) for n in range(256))
    primary = IndexReport(
        name="primary", kind="table", partitions=256,
        partitions_reason="256 after DynamoDB's splits at the previous peak",
        read_units=14000, write_units=2600, size_gb=35.2, key_values=1_050_000,
        score=Score(value=88, grade="B", verdict="safe"), hot_keys=(), hot_partitions=(),
        partition_loads=loads,
    )  # fmt: skip
    gsi = IndexReport(
        name="GSI1", kind="gsi", partitions=4, partitions_reason="4 shards of STATUS#{status}",
        read_units=2400, write_units=2400, size_gb=3.1, key_values=20,
        score=SAFE, hot_keys=(), hot_partitions=(),
        partition_loads=tuple(_load("GSI1", n, 600, 600 - 20 * n) for n in range(4)),
    )  # fmt: skip
    on_demand = Cost(
        reads=2518.43, writes=2934.68, replicated_writes=0, storage=3.55, total=5456.66
    )
    cost = CostReport(
        prices_date="2024-11-01", region="us-east-1", on_demand=on_demand,
        provisioned=on_demand, provisioned_autoscaled=on_demand, provisioned_rcu=20000,
        provisioned_wcu=3715, target_utilisation=0.7, break_even_reads=0.2888,
        break_even_writes=0.2888, utilisation_reads=0.2, utilisation_writes=0.25,
        cheaper="on-demand", by_index={}, storage_gb=39.2,
    )  # fmt: skip
    return TableReport(
        table="shop", schema="schemas/shop_v2.py", workload="schemas/shop.workload.yaml",
        billing="on-demand", score=Score(value=88, grade="B", verdict="safe"),
        indexes=(primary, gsi), patterns=(), entities=(), fixes=(), cost=cost,
    )  # fmt: skip


def make_report() -> Report:
    comparison = Comparison(
        ranking=(
            Ranked(
                rank=1, schema="schemas/shop_v2.py", table="shop", score=88, grade="B",
                verdict="safe", monthly_cost=5456.66,
                why="no partition over 60% of its limits",
            ),
            Ranked(
                rank=2, schema="schemas/shop.py", table="shop", score=42, grade="D",
                verdict="throttles-always", monthly_cost=8416.39,
                why="STATUS#{status=PLACED} throttles table writes",
            ),
        ),
        winner="schemas/shop_v2.py",
        why="it never throttles, and costs $2,959.73 a month less",
    )  # fmt: skip
    return Report(tables=(_shop(), _shop_v2()), comparison=comparison)


@pytest.fixture
def report() -> Report:
    return make_report()
