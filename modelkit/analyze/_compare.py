"""Rank several designs analysed under one workload: safest first, then score, then cost."""

from __future__ import annotations

from collections.abc import Sequence

from modelkit.analyze._report import VERDICT_TEXT, Comparison, Ranked, TableReport
from modelkit.analyze._scoring import SEVERITY


def compare(reports: Sequence[TableReport]) -> Comparison:
    """The ranking of ``reports`` and why the winner wins."""
    order = sorted(
        range(len(reports)),
        key=lambda i: (
            SEVERITY[reports[i].score.verdict],
            -reports[i].score.value,
            reports[i].cost.on_demand.total
            if reports[i].billing == "on-demand"
            else reports[i].cost.provisioned.total,
        ),
    )
    ranked = []
    for rank, i in enumerate(order, start=1):
        report = reports[i]
        ranked.append(
            Ranked(
                rank=rank,
                schema=report.schema or report.table,
                table=report.table,
                score=report.score.value,
                grade=report.score.grade,
                verdict=report.score.verdict,
                monthly_cost=_monthly(report),
                why=report.score.reasons[0] if report.score.reasons else "",
            )
        )
    return Comparison(ranking=tuple(ranked), winner=ranked[0].schema, why=_why(ranked))


def _monthly(report: TableReport) -> float:
    cost = report.cost
    return cost.on_demand.total if report.billing == "on-demand" else cost.provisioned.total


def _why(ranked: Sequence[Ranked]) -> str:
    if len(ranked) < 2:
        return ""
    best, next_ = ranked[0], ranked[1]
    if best.verdict != next_.verdict:
        return (
            f"{best.schema} is {VERDICT_TEXT[best.verdict]} where {next_.schema} "
            f"{VERDICT_TEXT[next_.verdict]} ({next_.why})"
        )
    if best.score != next_.score:
        return (
            f"both are {VERDICT_TEXT[best.verdict]}; {best.schema} scores {best.score} "
            f"({best.grade}) against {next_.score} ({next_.grade}) for {next_.schema}"
        )
    return (
        f"both score {best.score}; {best.schema} costs ${best.monthly_cost:,.2f}/month "
        f"against ${next_.monthly_cost:,.2f}"
    )
