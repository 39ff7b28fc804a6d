"""Percentiles and latency summaries: linear interpolation between closest ranks."""

from __future__ import annotations

import math
import random

import pytest

from modelkit.latency import percentile, summarize


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0, 5.0]  # unsorted on purpose
    assert percentile(values, 0.0) == 1.0
    assert percentile(values, 1.0) == 5.0
    assert percentile(values, 0.5) == 3.0
    assert percentile(values, 0.25) == 2.0
    assert percentile(values, 0.9) == pytest.approx(4.6)  # rank 3.6: 4 + 0.6 * (5 - 4)
    assert percentile([10.0, 20.0], 0.5) == 15.0
    assert percentile([7.0], 0.99) == 7.0


def test_percentile_matches_the_definition_on_a_shuffled_range() -> None:
    values = [float(v) for v in range(1001)]
    random.Random(3).shuffle(values)
    assert percentile(values, 0.5) == 500.0
    assert percentile(values, 0.95) == 950.0
    assert percentile(values, 0.99) == 990.0
    assert percentile(values, 0.999) == pytest.approx(999.0)


def test_percentile_of_nothing_is_nan_and_bad_quantiles_are_refused() -> None:
    assert math.isnan(percentile([], 0.5))
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1.0], 1.5)


def test_summarize_reports_milliseconds() -> None:
    seconds = [i / 1000 for i in range(1, 101)]  # 1 ms .. 100 ms
    latency = summarize(seconds)
    assert latency.count == 100
    assert latency.p50 == pytest.approx(50.5)
    assert latency.p95 == pytest.approx(95.05)
    assert latency.p99 == pytest.approx(99.01)
    empty = summarize([])
    assert (empty.count, empty.p50, empty.p95, empty.p99) == (0, None, None, None)
