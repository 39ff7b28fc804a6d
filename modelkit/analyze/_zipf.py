"""Zipf normalisation: sums of ``k**-s`` over huge rank ranges without summing every term.

``zipf_sum(a, b, s)`` adds the terms below a threshold exactly and the rest with the
Euler-Maclaurin formula (integral, end-point correction and Bernoulli terms up to B8), whose
remainder past rank 100 is below 1e-15 of the sum for any ``s`` up to 10.
"""

from __future__ import annotations

import functools
import math

EXACT_HARMONIC = 100_000
"""Terms :func:`harmonic` adds one by one before Euler-Maclaurin takes over."""

_EXACT_RANGE = 100
"""Below this rank :func:`zipf_sum` adds terms one by one (Euler-Maclaurin needs a
large enough start for its remainder to vanish)."""

# B_2j / (2j)! for j = 1..4.
_BERNOULLI = (1 / 12, -1 / 720, 1 / 30240, -1 / 1209600)


def harmonic(n: int, s: float) -> float:
    """The generalised harmonic number ``sum(k**-s for k in 1..n)``: the first
    ``EXACT_HARMONIC`` terms summed exactly, Euler-Maclaurin for the rest (relative error
    below 1e-12)."""
    if n < 1:
        return 0.0
    return _harmonic(int(n), float(s))


@functools.lru_cache(maxsize=64)
def _harmonic(n: int, s: float) -> float:
    return zipf_sum(1, n, s, exact_below=EXACT_HARMONIC)


def zipf_share(rank: int, n: int, s: float) -> float:
    """The share of requests on the value of ``rank`` (1-based) under Zipf(``s``) over ``n``."""
    if not 1 <= rank <= n:
        raise ValueError(f"zipf_share: rank must be between 1 and n={n}, got {rank}")
    return math.pow(rank, -s) / harmonic(n, s)


def zipf_sum(a: int, b: int, s: float, *, exact_below: int = _EXACT_RANGE) -> float:
    """``sum(k**-s for k in a..b)``: ranks below ``exact_below`` term by term, the others by
    Euler-Maclaurin. 0 when ``b < a``."""
    if b < a:
        return 0.0
    m = max(a, exact_below)
    head = math.fsum(math.pow(k, -s) for k in range(a, min(b, m - 1) + 1))
    return head + _euler_maclaurin(m, b, s) if m <= b else head


def _euler_maclaurin(m: int, b: int, s: float) -> float:
    """``sum(k**-s for k in m..b)`` for ``m >= 1``, ``b >= m``."""
    if m == b:
        return math.pow(m, -s)
    fm, fb = float(m), float(b)
    log_ratio = math.log(fb / fm)
    if s == 1.0:
        integral = log_ratio
    else:
        # m**(1-s) * ((b/m)**(1-s) - 1) / (1-s), stable when s is close to 1.
        integral = math.pow(fm, 1.0 - s) * math.expm1((1.0 - s) * log_ratio) / (1.0 - s)
    total = integral + (math.pow(fm, -s) + math.pow(fb, -s)) / 2.0
    # f^(q)(x) = (-1)^q s(s+1)...(s+q-1) x^(-s-q); the odd derivatives q = 1, 3, 5, 7.
    rising = s
    for j, coef in enumerate(_BERNOULLI):
        q = 2 * j + 1
        if j:
            rising *= (s + q - 2) * (s + q - 1)
        total += coef * -rising * (math.pow(fb, -s - q) - math.pow(fm, -s - q))
    return total


def zipf_ranges(n: int, s: float, head: int, ratio: float) -> list[tuple[int, int, float]]:
    """Zipf(``s``) over ranks 1..n as ``(first, last, share of the range)``: ranks up to
    ``head`` alone, then ranges ``a..b`` with ``(b/a)**s <= ratio``; shares sum to 1."""
    top = min(head, n)
    parts = [(r, r, math.pow(r, -s)) for r in range(1, top + 1)]
    step = math.pow(ratio, 1.0 / s)
    a = top + 1
    while a <= n:
        b = min(n, max(a, math.floor(a * step)))
        parts.append((a, b, zipf_sum(a, b, s)))
        a = b + 1
    total = math.fsum(mass for _, _, mass in parts)
    return [(a, b, mass / total) for a, b, mass in parts]
