"""Cache hit ratios: closed forms checked by hand and against a discrete-event simulation."""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect_right
from collections import OrderedDict
from itertools import accumulate, pairwise

import pytest

from modelkit.analyze._distributions import Constant, Uniform, Unique, Zipf
from modelkit.analyze._hit_ratio import (
    characteristic_time,
    hit_ratio,
    hit_ratios,
    value_hit_ratio,
)
from modelkit.analyze._spectrum import spectrum


def test_ttl_only_single_value() -> None:
    # 10 requests/s, entries live 1 s: each fill is followed by 10 hits on average.
    assert hit_ratio(spectrum(Constant("k")), 10.0, 1.0) == pytest.approx(10 / 11)


def test_ttl_only_uniform() -> None:
    # 100 values at 1 request/s each, 1 s TTL: one hit per fill.
    assert hit_ratio(spectrum(Uniform(100)), 100.0, 1.0) == pytest.approx(0.5)
    assert hit_ratio(spectrum(Uniform(100)), 100.0, 0.0) == 0.0
    assert hit_ratio(spectrum(Uniform(100)), 0.0, 10.0) == 0.0


def test_lru_on_uniform_keeps_capacity_over_values() -> None:
    # Che: 100 (1 - exp(-T_C)) = 50, so every value hits half the time.
    spec = spectrum(Uniform(100))
    assert hit_ratio(spec, 100.0, math.inf, capacity=50) == pytest.approx(0.5, abs=1e-9)
    assert characteristic_time(spec, 100.0, math.inf, 50) == pytest.approx(math.log(2))
    assert hit_ratio(spec, 100.0, math.inf, capacity=100) == 1.0
    assert hit_ratio(spec, 100.0, math.inf, capacity=0) == 0.0


def test_capacity_that_never_fills_changes_nothing() -> None:
    spec = spectrum(Zipf(10_000))
    ttl_only = hit_ratio(spec, 500.0, 2.0)
    # At most rate * ttl = 1,000 entries are ever live.
    assert hit_ratio(spec, 500.0, 2.0, capacity=1000) == pytest.approx(ttl_only, abs=1e-12)
    assert characteristic_time(spec, 500.0, 2.0, 1000) == math.inf
    assert hit_ratio(spec, 500.0, 2.0, capacity=100) < ttl_only


def test_unique_values_never_hit() -> None:
    spec = spectrum(Unique())
    assert hit_ratio(spec, 1000.0, 300.0) == pytest.approx(1000 * 300 * 1e-15, rel=1e-6)
    assert hit_ratio(spec, 1000.0, math.inf, capacity=1e6) < 1e-8


def test_value_hit_ratio_limits() -> None:
    # The TTL ends every entry first when it is shorter than the LRU time.
    assert value_hit_ratio(2.0, 1.0, 5.0) == pytest.approx(2 / 3)
    # No TTL: Che's 1 - exp(-lam T_C).
    assert value_hit_ratio(2.0, math.inf, 0.5) == pytest.approx(1 - math.exp(-1))
    # A long TTL tends to the LRU figure, a short LRU time to a cold cache.
    assert value_hit_ratio(2.0, 1e6, 0.5) == pytest.approx(1 - math.exp(-1), rel=1e-9)
    assert value_hit_ratio(2.0, 10.0, 1e-9) == pytest.approx(2e-9, rel=1e-3)
    assert value_hit_ratio(1e6, 10.0, 1.0) == pytest.approx(1e7 / (1 + 1e7))
    # In between, below both.
    between = value_hit_ratio(1.0, 2.0, 1.0)
    assert between < min(2 / 3, 1 - math.exp(-1))
    assert between == pytest.approx(0.5915, abs=0.005)  # exact renewal solution: 0.59153


def test_hit_ratios_per_bin_are_ordered_and_weighted() -> None:
    spec = spectrum(Zipf(10_000))
    ratios = hit_ratios(spec, 1000.0, 1.0, capacity=500)
    assert all(x >= y for x, y in pairwise(ratios))
    total = math.fsum(b.count * b.p * h for b, h in zip(spec.bins, ratios, strict=True))
    assert hit_ratio(spec, 1000.0, 1.0, capacity=500) == pytest.approx(total)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"rate": -1.0, "ttl": 1.0}, "hit_ratio: rate must be >= 0, got -1"),
        ({"rate": 1.0, "ttl": -1.0}, "hit_ratio: ttl must be >= 0, got -1"),
        ({"rate": 1.0, "ttl": math.inf}, "hit_ratio: an infinite ttl needs a capacity"),
        ({"rate": 1.0, "ttl": 1.0, "capacity": -5.0}, "hit_ratio: capacity must be >= 0, got -5"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError) as info:
        hit_ratio(spectrum(Uniform(10)), **kwargs)
    assert str(info.value) == message


def simulate(
    n: int,
    s: float,
    rate: float,
    ttl: float,
    capacity: int | None,
    requests: int,
    seed: int,
    writes: float = 0.0,
    jitter: float = 0.0,
) -> float:
    """Poisson requests over Zipf(s) on n values; a miss fills an entry that expires ``ttl``
    (stretched by up to ``jitter``) after the fill; past ``capacity`` live entries the least
    recently used is evicted; Poisson writes (``writes``/s, same popularity) delete entries."""
    rng = random.Random(seed)
    cumulative = list(accumulate(k**-s for k in range(1, n + 1)))
    total = cumulative[-1]
    cache: OrderedDict[int, float] = OrderedDict()
    expiries: list[tuple[float, int, float]] = []
    now, hits, counted = 0.0, 0, 0
    warmup = requests // 10
    i = 0
    while i < requests:
        now += rng.expovariate(rate + writes)
        while expiries and expiries[0][0] <= now:
            _, key, filled = heapq.heappop(expiries)
            if cache.get(key) == filled:
                del cache[key]
        key = bisect_right(cumulative, rng.random() * total)
        if rng.random() * (rate + writes) >= rate:  # a write: the entry is deleted
            cache.pop(key, None)
            continue
        i += 1
        hit = key in cache
        if hit:
            cache.move_to_end(key)
        else:
            cache[key] = now
            heapq.heappush(expiries, (now + ttl * (1 + jitter * rng.random()), key, now))
            if capacity is not None and len(cache) > capacity:
                cache.popitem(last=False)
        if i >= warmup:
            counted += 1
            hits += hit
    return hits / counted


@pytest.mark.parametrize(
    "ttl, capacity",
    [(0.5, None), (5.0, None), (2.0, 200), (math.inf, 300), (1.0, 100)],
)
def test_formula_agrees_with_simulation(ttl: float, capacity: int | None) -> None:
    n, s, rate = 2000, 0.99, 1000.0
    model = hit_ratio(spectrum(Zipf(n, s)), rate, ttl, capacity=capacity)
    simulated = simulate(n, s, rate, ttl, capacity, 150_000, seed=7)
    assert model == pytest.approx(simulated, abs=0.02)


@pytest.mark.parametrize(
    "ttl, capacity, writes, jitter",
    [
        (2.0, None, 300.0, 0.1),
        (0.5, None, 50.0, 0.0),
        (math.inf, 300, 200.0, 0.0),
        (2.0, 200, 100.0, 0.1),
    ],
)
def test_writes_and_jitter_agree_with_simulation(
    ttl: float, capacity: int | None, writes: float, jitter: float
) -> None:
    n, s, rate = 2000, 0.99, 1000.0
    spec = spectrum(Zipf(n, s))
    model = hit_ratio(spec, rate, ttl, capacity=capacity, writes=writes, jitter=jitter)
    simulated = simulate(n, s, rate, ttl, capacity, 150_000, 7, writes, jitter)
    assert model == pytest.approx(simulated, abs=0.02)
    assert model < hit_ratio(spec, rate, ttl, capacity=capacity, jitter=jitter) - 0.01


def test_writes_by_hand() -> None:
    # one value read 1/s and written 1/s, no expiry within reach (TTL 1e6 s): an entry
    # lives until the next write, 1 s on average, so one read hits per fill
    assert value_hit_ratio(1.0, 1e6, writes=1.0) == pytest.approx(0.5, rel=1e-6)
    # jitter only: the mean TTL is ttl * (1 + jitter / 2)
    assert value_hit_ratio(1.0, 300.0, jitter=0.1) == pytest.approx(315 / 316)
