"""A pattern's verdict follows the partitions its own requests hit, not the index's worst."""

from __future__ import annotations

import msgspec
import pytest

from modelkit import Key, Table
from modelkit.analyze import Constant, EntityLoad, PatternLoad, Workload, analyze
from modelkit.analyze._partitions import slot_of
from modelkit.schema import TableDesign

TEMPLATE = "COUNTER#{name}"
PARTITIONS = 8  # a new on-demand table: ceil(12,000 / 3,000 + 4,000 / 1,000)


def counters() -> TableDesign:
    table = Table("counters2", pk="PK", sk="SK")

    @table.entity(key=Key(pk=TEMPLATE, sk="COUNTER"))
    class Counter(msgspec.Struct, kw_only=True):
        name: str

    @table.entity(key=Key(pk="LOG#{log_id}", sk="LOG"))
    class Log(msgspec.Struct, kw_only=True):
        log_id: str

    table.pattern("bump likes", Counter, op="update", given=["name"])
    table.pattern("bump other", Counter, op="update", given=["name"])
    table.pattern("write log", Log, op="put")
    return table.compile()


def elsewhere() -> str:
    """A counter name the placement hash puts on another partition than ``likes``."""
    hot = slot_of(TEMPLATE, ("likes",), PARTITIONS)
    return next(
        name
        for name in (f"c{i}" for i in range(100))
        if slot_of(TEMPLATE, (name,), PARTITIONS) != hot
    )


def test_patterns_whose_keys_sit_elsewhere_stay_safe() -> None:
    workload = Workload(
        entities={"Counter": EntityLoad(items=100, item_size=200)},
        patterns={
            "bump likes": PatternLoad(rate=1500, keys={"name": Constant("likes")}),
            "bump other": PatternLoad(rate=100, keys={"name": Constant(elsewhere())}),
            "write log": PatternLoad(rate=80),
        },
    )
    report = analyze(counters(), workload)
    primary = report.indexes[0]
    assert primary.partitions == PARTITIONS
    # the hot partition holds COUNTER#likes only: 1,500 WCU plus the log's 80 / 8
    assert primary.hot_partitions[0].write_units == pytest.approx(1500 + 80 / PARTITIONS)
    patterns = {p.name: p.score for p in report.patterns}
    assert patterns["bump likes"].verdict == "throttles-always"
    # its counter sits on a partition at 100 + 10 WCU: under the limit
    assert patterns["bump other"].verdict == "safe"
    # fresh log ids spread evenly: one request in eight lands on the hot partition
    log = patterns["write log"]
    assert log.verdict == "throttles-until-split"
    assert log.reasons[0] == (
        "primary: 12.5% of write log's write units land on partitions over the write limit"
    )
