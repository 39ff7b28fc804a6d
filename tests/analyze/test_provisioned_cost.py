"""Provisioned billing pays the table's and every GSI's own capacity, and each index's
utilisation is its own load over its own capacity."""

from __future__ import annotations

import pytest

from modelkit.analyze import EntityLoad, PatternLoad, TableLoad, Throughput, Workload, analyze
from tests.analyze.designs import shop_design

HOURS = 730


def provisioned_workload() -> Workload:
    return Workload(
        table=TableLoad(
            billing="provisioned",
            rcu=1000,
            wcu=200,
            indexes={"GSI1": Throughput(reads=300, writes=100)},
        ),
        entities={
            "Customer": EntityLoad(items=1e6, item_size=1000),
            "Order": EntityLoad(items=1e6, item_size=500),
        },
        patterns={
            # 1 KB customers: 0.5 RCU a get, 500 RCU/s on the table
            "customer by id": PatternLoad(rate=1000),
            # a get on GSI1 (ALL): 0.5 RCU a request, 200 RCU/s on GSI1
            "order by id": PatternLoad(rate=400),
            # a 500 B order: 1 WCU in the table and 1 in GSI1
            "place order": PatternLoad(rate=50),
        },
    )


def test_provisioned_cost_bills_every_gsis_own_capacity() -> None:
    report = analyze(shop_design(), provisioned_workload())
    cost = report.cost
    assert (cost.provisioned_rcu, cost.provisioned_wcu) == (1000 + 300, 200 + 100)
    assert cost.provisioned.reads == pytest.approx(1300 * HOURS * 0.00013)
    assert cost.provisioned.writes == pytest.approx(300 * HOURS * 0.00065)
    # over all indexes: (500 + 200) / 1300 and (50 + 50) / 300
    assert cost.utilisation_reads == pytest.approx(700 / 1300)
    assert cost.utilisation_writes == pytest.approx(100 / 300)


def test_each_index_utilisation_is_its_own_load_over_its_own_capacity() -> None:
    cost = analyze(shop_design(), provisioned_workload()).cost
    table, gsi = cost.capacity_by_index["primary"], cost.capacity_by_index["GSI1"]
    assert (table.rcu, table.wcu, gsi.rcu, gsi.wcu) == (1000, 200, 300, 100)
    assert table.utilisation_reads == pytest.approx(500 / 1000)
    assert table.utilisation_writes == pytest.approx(50 / 200)
    assert gsi.utilisation_reads == pytest.approx(200 / 300)
    assert gsi.utilisation_writes == pytest.approx(50 / 100)


def test_on_demand_sizes_each_index_at_its_peak_over_the_target() -> None:
    workload = provisioned_workload()
    on_demand = Workload(entities=workload.entities, patterns=workload.patterns, table=TableLoad())
    cost = analyze(shop_design(), on_demand).cost
    gsi = cost.capacity_by_index["GSI1"]
    assert (gsi.rcu, gsi.wcu) == pytest.approx((200 / 0.7, 50 / 0.7))
    assert gsi.utilisation_reads == pytest.approx(0.7)
    assert cost.provisioned_rcu == pytest.approx(700 / 0.7)
