"""Analysis of a design against a workload: capacity, cost and (coming) hot partitions."""

from modelkit.analyze._cost import (
    HOURS_PER_MONTH,
    MonthlyCost,
    break_even_utilisation,
    on_demand_cost,
    provisioned_cost,
    storage_cost,
)
from modelkit.analyze._prices import Prices, load_prices

__all__ = [
    "HOURS_PER_MONTH",
    "MonthlyCost",
    "Prices",
    "break_even_utilisation",
    "load_prices",
    "on_demand_cost",
    "provisioned_cost",
    "storage_cost",
]
