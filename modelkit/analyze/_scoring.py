"""Scores: 0-100 and a letter, from the verdict and how close the load comes to the limits.

A safe design scores 60-100 (100 up to half the per-partition limit, 60 at the limit); one
that throttles until DynamoDB splits or scales scores 30-59; one that throttles whatever
DynamoDB does scores 0-29, lower the further its unsplittable load is past the limit.
"""

from __future__ import annotations

from collections.abc import Iterable

from modelkit.analyze._report import Grade, Score, Verdict

SEVERITY: dict[Verdict, int] = {"safe": 0, "throttles-until-split": 1, "throttles-always": 2}


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The most severe verdict (``safe`` when there is none)."""
    found: Verdict = "safe"
    for verdict in verdicts:
        if SEVERITY[verdict] > SEVERITY[found]:
            found = verdict
    return found


def score_value(verdict: Verdict, utilisation: float, unsplittable: float) -> int:
    """The 0-100 score. ``utilisation``: the hottest partition's load over its limit, before
    any split; ``unsplittable``: the largest load no split can spread, over the limit."""
    if verdict == "safe":
        return round(100 - 40 * _clamp((utilisation - 0.5) / 0.5))
    if verdict == "throttles-until-split":
        return round(59 - 29 * _clamp((utilisation - 1) / 3))
    return round(29 * (1 - _clamp((unsplittable - 1) / 3)))


def grade(value: int) -> Grade:
    if value >= 90:
        return "A"
    if value >= 75:
        return "B"
    if value >= 60:
        return "C"
    if value >= 30:
        return "D"
    return "F"


def make_score(
    verdict: Verdict, utilisation: float, unsplittable: float, reasons: Iterable[str]
) -> Score:
    value = score_value(verdict, utilisation, unsplittable)
    return Score(value=value, grade=grade(value), verdict=verdict, reasons=tuple(reasons))


def combine(scores: Iterable[Score], reasons: Iterable[str] = ()) -> Score:
    """The worst of several scores, with the reasons of the worst ones first."""
    found = sorted(scores, key=lambda s: s.value)
    if not found:
        return Score(value=100, grade="A", verdict="safe", reasons=tuple(reasons))
    merged: list[str] = list(reasons)
    for score in found:
        merged.extend(r for r in score.reasons if r not in merged)
    low = found[0]
    return Score(value=low.value, grade=low.grade, verdict=low.verdict, reasons=tuple(merged))


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))
