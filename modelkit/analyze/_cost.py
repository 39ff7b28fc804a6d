"""Monthly cost of a table: on-demand against provisioned, storage, replicated writes.

A month is 730 hours, as AWS's price pages count it. Global tables pay replicated writes at
the write price in every replica Region (REFERENCE.md, "Prices").
"""

from __future__ import annotations

import msgspec

from modelkit.analyze._prices import Prices

HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


class MonthlyCost(msgspec.Struct, frozen=True):
    """USD per month, by what is paid for."""

    reads: float
    writes: float
    replicated_writes: float
    storage: float

    @property
    def total(self) -> float:
        return self.reads + self.writes + self.replicated_writes + self.storage


def storage_cost(size_gb: float, prices: Prices, regions: int = 1) -> float:
    """Storage beyond the free tier, in every Region that holds a replica."""
    billable = max(0.0, size_gb - prices.storage_free_gb)
    return billable * prices.storage_gb_month * regions


def on_demand_cost(
    read_units_per_s: float,
    write_units_per_s: float,
    size_gb: float,
    prices: Prices,
    replicas: int = 0,
) -> MonthlyCost:
    """On-demand: every request unit paid (``*_units_per_s`` are monthly averages)."""
    reads = read_units_per_s * SECONDS_PER_MONTH / 1e6 * prices.on_demand_read_per_million
    writes = write_units_per_s * SECONDS_PER_MONTH / 1e6 * prices.on_demand_write_per_million
    return MonthlyCost(
        reads=reads,
        writes=writes,
        replicated_writes=writes * replicas,
        storage=storage_cost(size_gb, prices, 1 + replicas),
    )


def provisioned_cost(
    rcu: float, wcu: float, size_gb: float, prices: Prices, replicas: int = 0
) -> MonthlyCost:
    """Provisioned: the capacity paid by the hour, used or not."""
    writes = wcu * HOURS_PER_MONTH * prices.provisioned_wcu_hour
    return MonthlyCost(
        reads=rcu * HOURS_PER_MONTH * prices.provisioned_rcu_hour,
        writes=writes,
        replicated_writes=writes * replicas,
        storage=storage_cost(size_gb, prices, 1 + replicas),
    )


def break_even_utilisation(prices: Prices) -> tuple[float, float]:
    """Average utilisation of provisioned reads and writes above which provisioned is cheaper.

    One unit provisioned for an hour against the same unit used every second of that hour on
    demand (about 29% for both at us-east-1 prices).
    """
    read = prices.provisioned_rcu_hour / (3600 / 1e6 * prices.on_demand_read_per_million)
    write = prices.provisioned_wcu_hour / (3600 / 1e6 * prices.on_demand_write_per_million)
    return read, write
