"""Sampling key values: labels match the spectrum's, frequencies its shares."""

from __future__ import annotations

import math
import random
from collections import Counter
from pathlib import Path

import pytest

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
from modelkit.analyze._sampling import MAX_SIMULATED, sampler
from modelkit.analyze._spectrum import spectrum
from modelkit.errors import LoadError

DRAWS = 100_000


def assert_frequencies_match(dist: Distribution, base: Path | None = None) -> None:
    """Every labelled head value is drawn as often as its share says, within 5 standard
    errors, and no label outside the spectrum's head appears for head-only spectra."""
    spec = spectrum(dist, base=base)
    counts = Counter(sampler(dist, random.Random(11), base=base)(DRAWS))
    assert sum(counts.values()) == DRAWS
    for b in spec.bins:
        if b.label is None or b.p < 1e-4:
            continue
        error = math.sqrt(b.p * (1 - b.p) / DRAWS)
        assert counts[b.label] / DRAWS == pytest.approx(b.p, abs=5 * error + 1e-9), b.label


@pytest.mark.parametrize(
    "dist",
    [
        Zipf(1000),
        Zipf(10**6, 1.2),
        Latest(5000, 0.8),
        Uniform(20),
        Hotspot(100),
        Hotspot(10, 0.5, 0.1),
        Weighted({"PLACED": 5, "PAID": 3, "SHIPPED": 2, "NEVER": 0}),
    ],
    ids=repr,
)
def test_frequencies_agree_with_spectrum_shares(dist: Distribution) -> None:
    assert_frequencies_match(dist)


def test_hotspot_hot_set_takes_its_share() -> None:
    draws = sampler(Hotspot(1000), random.Random(3))(DRAWS)
    hot = sum(1 for (label,) in draws if int(label[1:]) <= 200)
    assert hot / DRAWS == pytest.approx(0.8, abs=0.005)
    assert {int(label[1:]) for (label,) in draws} <= set(range(1, 1001))


def test_huge_uniform_and_hotspot_draw_without_tables() -> None:
    draws = sampler(Uniform(1e12), random.Random(1))(1000)
    assert all(1 <= int(label[1:]) <= 10**12 for (label,) in draws)
    assert len(set(draws)) == 1000
    hot = sampler(Hotspot(1e12, 0.001, 0.99), random.Random(1))(1000)
    assert sum(1 for (label,) in hot if int(label[1:]) <= 10**9) >= 970


def test_one_value_distributions() -> None:
    rng = random.Random(0)
    assert sampler(Constant("ACTIVE"), rng)(3) == [("ACTIVE",)] * 3
    assert sampler(Constant(), rng)(1) == [("*",)]
    assert sampler(Sequential(365), rng)(2) == [("now",), ("now",)]
    fresh = sampler(Unique(), rng)
    assert fresh(2) + fresh(1) == [("new-1",), ("new-2",), ("new-3",)]
    assert sampler(Zipf(5), rng)(0) == []


def test_sample_file(tmp_path: Path) -> None:
    (tmp_path / "tenants.txt").write_text("# tenants\nacme,6\nglobex,3\ninitech\n")
    assert_frequencies_match(Sample("tenants.txt"), base=tmp_path)
    draws = set(sampler(Sample("tenants.txt"), random.Random(0), base=tmp_path)(1000))
    assert draws == {("acme",), ("globex",), ("initech",)}


def test_seeded_draws_repeat() -> None:
    first = sampler(Zipf(10_000), random.Random(42))(50)
    assert sampler(Zipf(10_000), random.Random(42))(50) == first


def test_too_large_to_simulate() -> None:
    with pytest.raises(ValueError) as info:
        sampler(Zipf(1e9), random.Random(0))
    assert (
        str(info.value)
        == "zipf: 1,000,000,000 values are too many to simulate (at most 10,000,000)"
    )
    with pytest.raises(ValueError, match="latest: 10,000,001 values are too many"):
        sampler(Latest(MAX_SIMULATED + 1), random.Random(0))


def test_invalid_distributions_are_refused() -> None:
    with pytest.raises(ValueError, match="zipf: s must be > 0, got -1"):
        sampler(Zipf(100, -1), random.Random(0))
    with pytest.raises(ValueError, match="hotspot: hot_share must be between 0 and 1"):
        sampler(Hotspot(100, 0.2, 2.0), random.Random(0))
    with pytest.raises(ValueError, match="weighted: weights must be >= 0 with a positive sum"):
        sampler(Weighted({"a": 0}), random.Random(0))
    with pytest.raises(LoadError, match=r"missing\.txt: sample file not found"):
        sampler(Sample("missing.txt"), random.Random(0))
