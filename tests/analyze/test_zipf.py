"""Zipf normalisation against brute-force sums (REFERENCE.md, "Skew models")."""

from __future__ import annotations

import itertools
import math

import pytest

from modelkit.analyze._zipf import harmonic, zipf_ranges, zipf_share, zipf_sum

EXPONENTS = [0.5, 0.99, 1.0, 1.5, 2.0]


def brute(a: int, b: int, s: float) -> float:
    return math.fsum(k**-s for k in range(a, b + 1))


@pytest.mark.parametrize("s", EXPONENTS)
@pytest.mark.parametrize("n", [1, 10, 1000, 10**6])
def test_harmonic_matches_brute_force(n: int, s: float) -> None:
    assert harmonic(n, s) == pytest.approx(brute(1, n, s), rel=1e-9)


@pytest.mark.parametrize("s", [*EXPONENTS, 0.1, 5.0])
@pytest.mark.parametrize("a, b", [(1, 5), (7, 99), (100, 101), (1001, 1020), (5000, 123_456)])
def test_range_sums_match_brute_force(a: int, b: int, s: float) -> None:
    assert zipf_sum(a, b, s) == pytest.approx(brute(a, b, s), rel=1e-12)


def test_harmonic_known_values() -> None:
    assert harmonic(1, 0.99) == 1.0
    assert harmonic(4, 1.0) == pytest.approx(25 / 12, rel=1e-15)
    assert harmonic(0, 1.0) == 0.0
    # H(n, 1) ~ ln n + Euler's gamma + 1/(2n) for a billion terms.
    n = 10**9
    assert harmonic(n, 1.0) == pytest.approx(math.log(n) + 0.5772156649015329 + 0.5 / n, rel=1e-12)
    assert harmonic(n, 2.0) == pytest.approx(math.pi**2 / 6 - 1 / n, rel=1e-12)


def test_empty_range_is_zero() -> None:
    assert zipf_sum(10, 9, 1.0) == 0.0


def test_reference_top_key_share() -> None:
    # REFERENCE.md: Zipf(0.99) over 10^6 keys puts 6.5% of all requests on the top key.
    assert round(zipf_share(1, 10**6, 0.99), 3) == 0.065
    assert zipf_share(2, 10**6, 0.99) == pytest.approx(zipf_share(1, 10**6, 0.99) / 2**0.99)


def test_share_refuses_ranks_outside_the_values() -> None:
    with pytest.raises(ValueError, match="zipf_share: rank must be between 1 and n=10, got 11"):
        zipf_share(11, 10, 1.0)


def test_ranges_cover_every_rank_with_bounded_ratio() -> None:
    n, s, ratio = 10**7, 0.99, 1.02
    ranges = zipf_ranges(n, s, 100, ratio)
    assert [r[:2] for r in ranges[:100]] == [(r, r) for r in range(1, 101)]
    assert ranges[-1][1] == n
    assert all(b + 1 == c for (_, b, _), (c, _, _) in itertools.pairwise(ranges))
    assert all((b / a) ** s <= ratio for a, b, _ in ranges)
    assert math.fsum(share for _, _, share in ranges) == pytest.approx(1.0, abs=1e-12)
    assert len(ranges) < 1000
