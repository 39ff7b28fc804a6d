"""Zipf key choice: the weights are the Zipf law, and a seeded sample follows them."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from modelkit.analyze._zipf import zipf_share
from modelkit.latency import Operation, ZipfKeys, workload, zipf_weights


def test_weights_are_the_zipf_law() -> None:
    weights = zipf_weights(1000, 0.99)
    assert math.fsum(weights) == pytest.approx(1.0)
    for rank in (1, 2, 10, 1000):
        assert weights[rank - 1] == pytest.approx(zipf_share(rank, 1000, 0.99), rel=1e-9)
    assert weights[0] / weights[1] == pytest.approx(2**0.99)
    assert zipf_weights(4, 0.0) == [0.25] * 4


def test_a_seeded_sample_follows_the_weights() -> None:
    n, draws = 100, 200_000
    keys = ZipfKeys(n, 0.99, seed=7)
    counts = Counter(keys.sample(draws))
    assert min(counts) == 0 and max(counts) <= n - 1
    weights = zipf_weights(n, 0.99)
    # chi-square over the 100 ranks: 99 degrees of freedom, 0.1% critical value ~ 148.2
    chi2 = sum((counts[i] - draws * w) ** 2 / (draws * w) for i, w in enumerate(weights))
    assert chi2 < 148.2
    top = counts[0] / draws
    assert top == pytest.approx(weights[0], abs=4 * math.sqrt(weights[0] / draws))
    assert counts[0] > counts[1] > counts[9] > counts[99]


def test_the_same_seed_gives_the_same_keys() -> None:
    assert ZipfKeys(50, 1.2, seed=1).sample(100) == ZipfKeys(50, 1.2, seed=1).sample(100)
    assert ZipfKeys(50, 1.2, seed=1).sample(100) != ZipfKeys(50, 1.2, seed=2).sample(100)
    assert set(ZipfKeys(1, 0.99).sample(10)) == {0}


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ZipfKeys(0, 0.99)
    with pytest.raises(ValueError, match=">= 0"):
        zipf_weights(10, -1.0)


def test_workload_mixes_writes_at_the_given_fraction() -> None:
    ops = workload(20_000, 1000, 0.99, 0.05, seed=4)
    writes = sum(op.write for op in ops)
    assert writes / len(ops) == pytest.approx(0.05, abs=0.006)
    assert all(0 <= op.index < 1000 for op in ops)
    assert ops == workload(20_000, 1000, 0.99, 0.05, seed=4)
    assert workload(3, 10, 0.99, 0.0) == [
        Operation(o.index, False) for o in workload(3, 10, 0.99, 0.0)
    ]
    with pytest.raises(ValueError, match="between 0 and 1"):
        workload(10, 10, 0.99, 1.5)
