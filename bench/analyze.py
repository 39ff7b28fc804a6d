"""The analyzer's speed and memory against its targets.

1. A 20-pattern workload over Zipf distributions of 10^9 key values (5 entities, each read
   by id, queried, written and updated, each on the table and a GSI) analysed end to end:
   target under 5 s on a 2-core machine.
2. Traces (``bench/analyze_trace.py``, in a process of its own so its peak memory is its
   own): at least 1,000,000 requests/s read, and under 500 MB peak on a 10^8-row trace.

Run: ``python bench/analyze.py [--trace-rows N]`` (default 10^8; ``--trace-rows 0`` skips
the long stream). Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import msgspec

from modelkit import Index, Key, Table
from modelkit.analyze import EntityLoad, PatternLoad, Workload, Zipf, analyze
from modelkit.schema import TableDesign

SYNTHETIC_TARGET_S = 5.0
ENTITIES = 5
KEYS = 1e9


def design() -> TableDesign:
    table = Table("bench", pk="PK", sk="SK", indexes=[Index.gsi("GSI1", pk="G1PK", sk="G1SK")])
    for n in range(ENTITIES):
        name = f"E{n}"
        struct = msgspec.defstruct(
            name,
            [("owner", str), ("item", str), ("group", str), ("value", int)],
            kw_only=True,
        )
        table.entity(
            key=Key(pk=f"{name}#{{owner}}", sk="I#{item}"),
            indexes={"GSI1": Key(pk=f"{name}G#{{group}}", sk="{item}")},
        )(struct)
        table.pattern(f"{name} by id", struct, op="get", given=["owner", "item"])
        table.pattern(f"{name} of an owner", struct, given=["owner"], limit=25)
        table.pattern(f"{name} of a group", struct, index="GSI1", given=["group"], limit=50)
        table.pattern(f"write {name}", struct, op="put")
    return table.compile()


def workload() -> Workload:
    patterns = {}
    for n in range(ENTITIES):
        zipf = {"owner": Zipf(KEYS, 0.99), "item": Zipf(KEYS, 0.8), "group": Zipf(KEYS, 1.1)}
        for i, kind in enumerate((f"E{n} by id", f"E{n} of an owner", f"E{n} of a group")):
            patterns[kind] = PatternLoad(rate=1000.0 * (i + 1), keys=zipf)
        patterns[f"write E{n}"] = PatternLoad(rate=500.0, keys=zipf)
    entities = {f"E{n}": EntityLoad(items=KEYS, item_size=400) for n in range(ENTITIES)}
    return Workload(entities=entities, patterns=patterns)


def synthetic() -> bool:
    built, load = design(), workload()
    assert len(built.patterns) == 20
    started = time.perf_counter()
    report = analyze(built, load)
    seconds = time.perf_counter() - started
    print(
        f"synthetic: {len(built.patterns)} patterns over Zipf(10^9) keys: {seconds:.2f} s "
        f"(target < {SYNTHETIC_TARGET_S:.0f} s, ratio {seconds / SYNTHETIC_TARGET_S:.2f}); "
        f"score {report.score.value} {report.score.grade}, "
        f"{sum(i.partitions for i in report.indexes):,} partitions"
    )
    return seconds < SYNTHETIC_TARGET_S


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trace-rows", type=int, default=100_000_000)
    args = parser.parse_args()
    ok = synthetic()
    trace = Path(__file__).with_name("analyze_trace.py")
    result = subprocess.run(
        [sys.executable, str(trace), "--rows", str(args.trace_rows)], check=False
    )
    return 0 if ok and result.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
