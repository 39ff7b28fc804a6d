"""Hit ratios of a cache in front of reads spread over a spectrum of key values.

Requests for a value arrive as a Poisson process of rate ``λ = rate * p``. A miss fills the
entry, which expires ``T = ttl`` seconds after the fill (a hit does not extend it).

* TTL only (Jung, Berger, Balakrishnan, "Modeling TTL-based Internet caches", INFOCOM 2003):
  each fill is followed by ``λT`` hits on average, so ``h = λT / (1 + λT)``.
* LRU with ``capacity`` entries (Che, Tung, Wang, "Hierarchical Web caching systems",
  IEEE JSAC 20(7), 2002; read as a TTL cache whose timer ``T_C`` restarts on every hit by
  Fofack, Nain, Neglia, Towsley, "Analysis of TTL-based cache networks", VALUETOOLS 2012): an
  entry leaves ``T_C`` after its last request, ``h = 1 - exp(-λ T_C)``, and the characteristic
  time ``T_C`` solves ``sum(count * h(λ)) = capacity`` (the occupancy of a value equals its
  hit ratio for Poisson requests, PASTA).
* Both (derived here): an entry lives ``L = min(T, D)``, ``D`` being its LRU life: ``T_C``
  after a run of requests spaced at most ``T_C`` apart, ``E[D] = (exp(λT_C) - 1) / λ``. By
  renewal and PASTA, ``h = λE[L] / (1 + λE[L])``. ``E[L] = T`` when ``T <= T_C``; otherwise
  ``D - T_C`` is taken as 0 with probability ``exp(-λT_C)`` (no hit at all) and else
  exponential with mean ``m = (E[D] - T_C) / (1 - exp(-λT_C))``, so
  ``E[L] = T_C + (E[D] - T_C) * (1 - exp(-(T - T_C) / m))``. This is exact at both limits and
  within 0.5 percentage points of the exact renewal solution in between; ``T_C`` solves the
  same occupancy equation with this ``h``, by bisection over the bins.
* Writes (derived here): a write to a value deletes its entry (modelkit invalidates on every
  write). Writes to a value arrive as a Poisson process of rate ``w = writes * p`` (the same
  popularity as the reads), so the entry lives ``min(L, X)``, ``X`` exponential of rate
  ``w``. With ``L`` the TTL, uniform on ``[T, T(1 + jitter)]`` as the policy stretches it,
  ``E[min(T, X)] = 1/w - (exp(-wT) - exp(-wT(1 + j))) / (w² T j)`` (``(1 - exp(-wT)) / w``
  without jitter). LRU without a TTL: a read hits iff the previous one came within ``T_C``
  with no write between, ``h = λ/(λ+w) (1 - exp(-(λ+w) T_C))``. LRU and a TTL: the life above
  is cut to ``(1 - exp(-w E[L])) / w`` (an approximation). ``T_C`` solves the occupancy
  equation with these ``h``. Checked by simulation, and against a real Redis under concurrent
  writers by bench/cache.py.
"""

from __future__ import annotations

import math

from modelkit.analyze._spectrum import Spectrum


def hit_ratio(
    spec: Spectrum,
    rate: float,
    ttl: float,
    *,
    capacity: float | None = None,
    writes: float = 0.0,
    jitter: float = 0.0,
) -> float:
    """The request-weighted hit ratio of a cache with entries living ``ttl`` seconds (plus up
    to ``jitter`` of it at random) after their fill, in front of ``rate`` reads/s spread over
    ``spec``; ``capacity``: at most that many entries, least recently used evicted first;
    ``writes``: writes/s over the same values, each deleting its entry. ``ttl`` may be
    ``math.inf`` when ``capacity`` is given. See the module docstring for the formulas."""
    ratios = hit_ratios(spec, rate, ttl, capacity=capacity, writes=writes, jitter=jitter)
    return math.fsum(b.count * b.p * h for b, h in zip(spec.bins, ratios, strict=True))


def hit_ratios(
    spec: Spectrum,
    rate: float,
    ttl: float,
    *,
    capacity: float | None = None,
    writes: float = 0.0,
    jitter: float = 0.0,
) -> tuple[float, ...]:
    """The hit ratio of each value of each bin of ``spec``, bin by bin (as :func:`hit_ratio`)."""
    _check(rate, ttl, capacity)
    if not (math.isfinite(writes) and writes >= 0 and 0 <= jitter <= 1):
        raise ValueError(
            f"hit_ratio: writes must be >= 0 and jitter in [0, 1], got {writes:g}, {jitter:g}"
        )
    t_c = (
        math.inf
        if capacity is None
        else characteristic_time(spec, rate, ttl, capacity, writes=writes, jitter=jitter)
    )
    return tuple(value_hit_ratio(rate * b.p, ttl, t_c, writes * b.p, jitter) for b in spec.bins)


def characteristic_time(
    spec: Spectrum,
    rate: float,
    ttl: float,
    capacity: float,
    *,
    writes: float = 0.0,
    jitter: float = 0.0,
) -> float:
    """Che's characteristic time ``T_C`` of an LRU cache of ``capacity`` entries with entry
    lifetime ``ttl``: ``sum(count * h(rate * p; ttl, T_C)) = capacity``. ``math.inf`` when
    the capacity never fills (every value fits, or the TTL empties entries first)."""
    _check(rate, ttl, capacity)
    rates = [
        (b.count, rate * b.p, writes * b.p) for b in spec.bins if rate * b.p > 0 and b.count > 0
    ]
    if not rates:
        return math.inf
    if capacity <= 0:
        return 0.0

    def occupancy(t_c: float) -> float:
        return math.fsum(
            count * value_hit_ratio(lam, ttl, t_c, w, jitter) for count, lam, w in rates
        )

    if math.isinf(ttl):
        if math.fsum(count for count, _, _ in rates) <= capacity:
            return math.inf
        hi = 1.0 / rate
        while occupancy(hi) < capacity:
            hi *= 16.0
    else:
        if ttl == 0 or occupancy(ttl) <= capacity:
            return math.inf
        hi = ttl
    lo = hi
    while occupancy(lo) > capacity:
        lo /= 16.0
        if lo < 1e-300:
            return lo
    # Illinois (regula falsi) on log T_C: excess(lo) <= 0 < excess(hi).
    a, b = math.log(lo), math.log(hi)
    fa, fb = occupancy(lo) - capacity, occupancy(hi) - capacity
    side = 0
    x = b
    for _ in range(200):
        x = (a * fb - b * fa) / (fb - fa)
        fx = occupancy(math.exp(x)) - capacity
        if fx > 0:
            b, fb = x, fx
            fa = fa / 2 if side == 1 else fa
            side = 1
        else:
            a, fa = x, fx
            fb = fb / 2 if side == -1 else fb
            side = -1
        if abs(fx) <= 1e-10 * capacity or b - a <= 1e-12:
            break
    return math.exp(x)


def value_hit_ratio(
    lam: float, ttl: float, t_c: float = math.inf, writes: float = 0.0, jitter: float = 0.0
) -> float:
    """The hit ratio of one value requested at ``lam`` per second, entries living ``ttl``
    seconds (stretched by up to ``jitter``) after their fill, leaving ``t_c`` seconds after
    their last request, and deleted by writes arriving at ``writes`` per second."""
    if lam <= 0 or ttl <= 0 or t_c <= 0:
        return 0.0
    if t_c >= ttl:
        if math.isinf(ttl):
            if writes <= 0:
                return 1.0
            x = lam / writes
            return x / (1.0 + x)
        x = lam * _ttl_life(writes, ttl, ttl * (1.0 + jitter))
        return x / (1.0 + x)
    y = lam * t_c
    if math.isinf(ttl):
        # the entry is there at a read iff the previous read came within T_C, with no write
        # between: the integral of λ exp(-(λ + w) t) over [0, T_C]
        return lam / (lam + writes) * -math.expm1(-(lam + writes) * t_c)
    if y > 700.0:
        life = ttl
    else:
        # E[D] - T_C = T_C * (expm1(y) / y - 1), by its series when y is tiny.
        extra = t_c * (y / 2.0 + y * y / 6.0 if y < 1e-5 else math.expm1(y) / y - 1.0)
        mean = extra / -math.expm1(-y)
        life = t_c + extra * -math.expm1(-(ttl - t_c) / mean)
    if writes > 0:
        life = -math.expm1(-writes * life) / writes
    x = lam * life
    return x / (1.0 + x)


def _ttl_life(w: float, low: float, high: float) -> float:
    """``E[min(T, X)]``: ``T`` uniform on ``[low, high]``, ``X`` exponential of rate ``w``."""
    if w <= 0:
        return (low + high) / 2.0
    if high <= low:
        return -math.expm1(-w * low) / w
    return 1.0 / w - (math.exp(-w * low) - math.exp(-w * high)) / (w * w * (high - low))


def _check(rate: float, ttl: float, capacity: float | None) -> None:
    if not (math.isfinite(rate) and rate >= 0):
        raise ValueError(f"hit_ratio: rate must be >= 0, got {rate:g}")
    if not ttl >= 0:
        raise ValueError(f"hit_ratio: ttl must be >= 0, got {ttl:g}")
    if math.isinf(ttl) and capacity is None:
        raise ValueError("hit_ratio: an infinite ttl needs a capacity")
    if capacity is not None and not capacity >= 0:
        raise ValueError(f"hit_ratio: capacity must be >= 0, got {capacity:g}")
