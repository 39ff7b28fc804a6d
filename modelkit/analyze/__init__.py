"""Analysis of a design against a workload: hot keys and partitions, throttling verdicts,
fixes with numbers, and monthly cost.

>>> from modelkit.analyze import analyze, load_workload
>>> report = analyze(design, load_workload("schemas/shop.workload.toml", design))
"""

from modelkit.analyze._analyze import analyze
from modelkit.analyze._compare import compare
from modelkit.analyze._cost import (
    HOURS_PER_MONTH,
    MonthlyCost,
    break_even_utilisation,
    on_demand_cost,
    provisioned_cost,
    storage_cost,
)
from modelkit.analyze._distributions import (
    Constant,
    Distribution,
    Hotspot,
    Latest,
    Sample,
    Sequential,
    Uniform,
    Unique,
    Weighted,
    Zipf,
)
from modelkit.analyze._plot import plot
from modelkit.analyze._prices import Prices, load_prices
from modelkit.analyze._render_markdown import render_markdown
from modelkit.analyze._render_text import render_text
from modelkit.analyze._report import (
    FORMAT,
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
from modelkit.analyze._run import run_analysis
from modelkit.analyze._workload import (
    CacheLoad,
    EntityLoad,
    PatternLoad,
    TableLoad,
    Throughput,
    TraceRef,
    Workload,
)
from modelkit.analyze._workload_file import load_workload

__all__ = [
    "FORMAT",
    "HOURS_PER_MONTH",
    "CacheLoad",
    "Comparison",
    "Constant",
    "Cost",
    "CostReport",
    "Distribution",
    "EntityLoad",
    "EntityReport",
    "Fix",
    "HotKey",
    "Hotspot",
    "IndexReport",
    "Latest",
    "MonthlyCost",
    "PartitionLoad",
    "PatternLoad",
    "PatternReport",
    "Prices",
    "Ranked",
    "Report",
    "Sample",
    "Score",
    "Sequential",
    "TableLoad",
    "TableReport",
    "Throughput",
    "TimePoint",
    "TraceRef",
    "Uniform",
    "Unique",
    "Verdict",
    "Weighted",
    "Workload",
    "Zipf",
    "analyze",
    "break_even_utilisation",
    "compare",
    "load_prices",
    "load_workload",
    "on_demand_cost",
    "plot",
    "provisioned_cost",
    "render_markdown",
    "render_text",
    "run_analysis",
    "storage_cost",
]
