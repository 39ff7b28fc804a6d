"""The partition model (exact head, aggregated tail) against a Monte-Carlo simulation that
samples every request and hashes every key: they agree within 5%."""

from __future__ import annotations

from collections import defaultdict

import pytest

from modelkit.analyze import (
    EntityLoad,
    Hotspot,
    PatternLoad,
    TableLoad,
    Throughput,
    Uniform,
    Workload,
    Zipf,
)
from modelkit.analyze._capacity import index_capacity
from modelkit.analyze._contributions import Contribution, plan_patterns
from modelkit.analyze._entity_sizes import entity_sizes
from modelkit.analyze._index_analysis import IndexAnalysis, analyse_index
from modelkit.analyze._montecarlo import simulate_index
from modelkit.schema import TableDesign
from tests.analyze.designs import counter_design, shop_design

SAMPLES = 300_000


def model_and_simulation(
    design: TableDesign, workload: Workload, index: str
) -> tuple[IndexAnalysis, list[Contribution]]:
    sizes = entity_sizes(design, workload)
    by_index: dict[str, list[Contribution]] = defaultdict(list)
    for plan in plan_patterns(design, workload, sizes):
        for c in plan.contributions:
            by_index[c.index].append(c)
    found = design.index(index)
    analysis = analyse_index(
        found, index_capacity(design, workload, found), by_index[index], size_gb=1.0
    )
    return analysis, by_index[index]


def hottest_partition(read: list[float], write: list[float]) -> float:
    return max(max(r / 3000, w / 1000) for r, w in zip(read, write, strict=True))


@pytest.mark.parametrize(
    ("reads", "writes"),
    [
        (Zipf(5000, 0.99), Zipf(5000, 0.99)),
        (Hotspot(4000, 0.1, 0.9), Zipf(4000, 1.2)),
        (Uniform(3000), Zipf(3000, 0.8)),
    ],
)
def test_small_key_spaces_agree_key_by_key(reads: object, writes: object) -> None:
    workload = Workload(
        table=TableLoad(previous_peak=Throughput(reads=30_000, writes=6_000)),
        entities={"Counter": EntityLoad(items=5000, item_size=300)},
        patterns={
            "read counter": PatternLoad(rate=30_000, keys={"name": reads}),  # type: ignore[dict-item]
            "bump": PatternLoad(rate=4_000, keys={"name": writes}),  # type: ignore[dict-item]
        },
    )
    model, contributions = model_and_simulation(counter_design(), workload, "primary")
    simulated = simulate_index(contributions, model.partitions, samples=SAMPLES, seed=7)
    top = max(model.keys, key=lambda k: k.ratio)
    sim_read, sim_write = simulated.hottest_key()
    assert max(sim_read / 3000, sim_write / 1000) == pytest.approx(top.ratio, rel=0.05)
    expected = hottest_partition(model.placement.read, model.placement.write)
    assert hottest_partition(simulated.read, simulated.write) == pytest.approx(expected, rel=0.05)
    assert sum(simulated.read) == pytest.approx(model.peak_read, rel=1e-9)


def test_a_large_key_space_with_an_aggregated_tail_agrees_per_partition() -> None:
    # 300,000 customers: 1,000 head values exactly, the rest in tail bins spread evenly.
    workload = Workload(
        entities={"Customer": EntityLoad(items=3e5), "Order": EntityLoad(items=3e6)},
        patterns={
            "customer by id": PatternLoad(rate=24_000, keys={"customer_id": Zipf(3e5, 0.99)}),
            "orders of a customer": PatternLoad(rate=6_000, keys={"customer_id": Zipf(3e5, 0.99)}),
            "place order": PatternLoad(rate=3_000, keys={"customer_id": Uniform(3e5)}),
        },
    )
    model, contributions = model_and_simulation(shop_design(), workload, "primary")
    assert model.partitions > 4
    assert any(k.label is None and k.count > 1 for k in model.keys)  # an aggregated tail
    simulated = simulate_index(contributions, model.partitions, samples=SAMPLES, seed=11)
    expected = hottest_partition(model.placement.read, model.placement.write)
    assert hottest_partition(simulated.read, simulated.write) == pytest.approx(expected, rel=0.05)
    for slot in range(model.partitions):
        assert simulated.read[slot] == pytest.approx(model.placement.read[slot], rel=0.05)
        assert simulated.write[slot] == pytest.approx(model.placement.write[slot], rel=0.05)
