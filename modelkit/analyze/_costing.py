"""Monthly cost of a design under a workload: on-demand against provisioned, with storage,
GSIs and replicated writes (REFERENCE.md, "Prices"; prices from one dated, overridable file).

Provisioned capacity is sized at the load over a target utilisation of 70% (the default
target of DynamoDB auto scaling): fixed at the peak, or following the daily profile hour by
hour (auto scaling). Under provisioned billing the fixed mode pays what the table and each
GSI are provisioned at (a GSI has its own capacity, at the same price). On-demand pays each
unit used: the daily average.
"""

from __future__ import annotations

from collections.abc import Sequence

from modelkit.analyze._cost import (
    MonthlyCost,
    break_even_utilisation,
    on_demand_cost,
    provisioned_cost,
)
from modelkit.analyze._index_analysis import IndexAnalysis
from modelkit.analyze._prices import Prices
from modelkit.analyze._report import Cost, CostReport, IndexCapacity

TARGET_UTILISATION = 0.7


def cost_report(
    indexes: Sequence[IndexAnalysis],
    hourly: Sequence[tuple[float, float]],
    prices: Prices,
    replicas: tuple[str, ...],
    provisioned: bool = False,
) -> CostReport:
    """The monthly cost of ``indexes``; ``hourly`` is (read, write) units for each hour of
    the day; ``provisioned``: the fixed mode pays each index's provisioned capacity (else
    its peak over the target utilisation)."""
    n = len(replicas)
    storage = sum(i.size_gb for i in indexes)
    average_read = sum(i.average_read for i in indexes)
    average_write = sum(i.average_write for i in indexes)
    peak_read = sum(i.peak_read for i in indexes)
    peak_write = sum(i.peak_write for i in indexes)
    on_demand = on_demand_cost(average_read, average_write, storage, prices, n)
    capacities = {i.index.name: _capacity(i, provisioned) for i in indexes}
    rcu = sum(c.rcu for c in capacities.values())
    wcu = sum(c.wcu for c in capacities.values())
    fixed = provisioned_cost(rcu, wcu, storage, prices, n)
    hours = hourly or [(peak_read, peak_write)]
    scaled = provisioned_cost(
        sum(r for r, _ in hours) / len(hours) / TARGET_UTILISATION,
        sum(w for _, w in hours) / len(hours) / TARGET_UTILISATION,
        storage,
        prices,
        n,
    )
    even_read, even_write = break_even_utilisation(prices)
    totals = {
        "on-demand": on_demand.total,
        "provisioned": fixed.total,
        "provisioned-autoscaled": scaled.total,
    }
    by_index = {
        i.index.name: _throughput(on_demand_cost(i.average_read, i.average_write, 0.0, prices, n))
        + i.size_gb * prices.storage_gb_month * (1 + n)
        for i in indexes
    }
    return CostReport(
        prices_date=prices.date,
        region=prices.region,
        on_demand=_cost(on_demand),
        provisioned=_cost(fixed),
        provisioned_autoscaled=_cost(scaled),
        provisioned_rcu=rcu,
        provisioned_wcu=wcu,
        target_utilisation=TARGET_UTILISATION,
        break_even_reads=even_read,
        break_even_writes=even_write,
        utilisation_reads=average_read / rcu if rcu else 0.0,
        utilisation_writes=average_write / wcu if wcu else 0.0,
        cheaper=min(totals, key=totals.__getitem__),  # type: ignore[arg-type]
        by_index=by_index,
        storage_gb=storage,
        replicas=replicas,
        capacity_by_index=capacities,
    )


def _capacity(index: IndexAnalysis, provisioned: bool) -> IndexCapacity:
    """The index's own provisioned capacity (or its peak over the target) and its own
    average load over it."""
    if provisioned:
        rcu, wcu = index.capacity.reads, index.capacity.writes
    else:
        rcu = index.peak_read / TARGET_UTILISATION
        wcu = index.peak_write / TARGET_UTILISATION
    return IndexCapacity(
        rcu=rcu,
        wcu=wcu,
        utilisation_reads=index.average_read / rcu if rcu else 0.0,
        utilisation_writes=index.average_write / wcu if wcu else 0.0,
    )


def _throughput(cost: MonthlyCost) -> float:
    return cost.reads + cost.writes + cost.replicated_writes


def _cost(cost: MonthlyCost) -> Cost:
    return Cost(
        reads=cost.reads,
        writes=cost.writes,
        replicated_writes=cost.replicated_writes,
        storage=cost.storage,
        total=cost.total,
    )
