"""Bounded heavy-hitter counts and the distinct estimate, against exact counts."""

from __future__ import annotations

import itertools
import random
from collections import Counter

from modelkit.analyze._heavy import SKETCH, HeavyCounter


def _zipf(n: int, keys: int, seed: int, s: float = 0.99) -> list[str]:
    weights = list(itertools.accumulate(1 / (k + 1) ** s for k in range(keys)))
    return [f"k{r}" for r in random.Random(seed).choices(range(keys), cum_weights=weights, k=n)]


def _feed(counter: HeavyCounter, values: list[str], batch: int = 1000) -> None:
    for i in range(0, len(values), batch):
        counter.add(values[i : i + batch])


def _check_bound(counter: HeavyCounter, exact: Counter[str]) -> None:
    result = counter.result(("T",))
    assert result.total == sum(exact.values())
    assert len(result.heavy) <= counter.capacity
    for key, true in exact.items():
        kept = result.heavy.get(("T", key), 0)
        assert kept <= true <= kept + result.error, (key, kept, true, result.error)


def test_counts_are_exact_while_capacity_covers_the_keys() -> None:
    values = _zipf(20_000, 500, seed=1)
    counter = HeavyCounter(capacity=500)
    _feed(counter, values)
    result = counter.result(("CUSTOMER#{id}",))
    assert result.error == 0
    assert result.heavy == {("CUSTOMER#{id}", k): c for k, c in Counter(values).items()}
    assert result.distinct == len(set(values))
    assert result.total == 20_000


def test_tuple_keys_extend_the_head() -> None:
    counter = HeavyCounter(capacity=10)
    counter.add([("a", "1"), ("a", "1"), ("b", "2")])
    assert counter.result(("P", "S")).heavy == {("P", "S", "a", "1"): 2, ("P", "S", "b", "2"): 1}


def test_error_bound_holds_and_top_keys_are_found_when_keys_outnumber_capacity() -> None:
    values = _zipf(200_000, 50_000, seed=2)
    exact = Counter(values)
    counter = HeavyCounter(capacity=200)
    _feed(counter, values, batch=5000)
    _check_bound(counter, exact)
    result = counter.result(("T",))
    assert 0 < result.error <= len(values) // 50  # far below the worst case
    top = [k for k, _ in exact.most_common(20)]
    assert all(("T", k) in result.heavy for k in top)
    share = result.heavy[("T", top[0])] / exact[top[0]]
    assert share > 0.98


def test_error_bound_holds_for_one_off_keys() -> None:
    values = [f"o{i}" for i in range(30_000)] + ["hot"] * 3000
    random.Random(3).shuffle(values)
    counter = HeavyCounter(capacity=100)
    _feed(counter, values)
    _check_bound(counter, Counter(values))
    assert counter.result(("T",)).heavy[("T", "hot")] >= 3000 - counter.result(("T",)).error


def test_merged_counters_keep_the_bound() -> None:
    values = _zipf(100_000, 20_000, seed=4)
    left, right = HeavyCounter(capacity=300), HeavyCounter(capacity=300)
    _feed(left, values[:60_000], batch=3000)
    _feed(right, values[60_000:], batch=3000)
    left.merge(right)
    _check_bound(left, Counter(values))
    assert abs(left.distinct() - len(set(values))) <= 0.05 * len(set(values))


def test_distinct_estimate_within_five_percent_at_100k() -> None:
    values = [f"user-{i}" for i in range(100_000)] * 2
    random.Random(5).shuffle(values)
    counter = HeavyCounter(capacity=1000)
    _feed(counter, values, batch=20_000)
    estimate = counter.result(("T",)).distinct
    assert abs(estimate - 100_000) <= 5_000, estimate


def test_distinct_estimate_on_tuples_and_exact_below_the_sketch() -> None:
    pairs = [(f"a{i % 300}", f"b{i}") for i in range(100_000)]
    counter = HeavyCounter(capacity=100)
    _feed(counter, pairs, batch=10_000)  # type: ignore[arg-type]
    assert abs(counter.distinct() - 100_000) <= 5_000
    small = HeavyCounter(capacity=10)
    small.add([str(i) for i in range(SKETCH - 1)] * 2)
    assert small.distinct() == SKETCH - 1
