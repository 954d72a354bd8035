"""考核: a department's weekly score, its rank and the 红黑榜, from counts the reports take in SQL.

The score of a department in a week is a weighted mean of shares, each a term of `TERMS`:

    score = 100 × Σₖ wₖ × goodₖ / ofₖ  /  Σₖ wₖ

over its active projects (not operating or cancelled): reported by the due day (`timeliness`),
without an overdue milestone (`milestones`), not red (`red`), visited within the interval
(`visits`), without an overdue problem of the ledger (`problems`). The weights are `settings.PORTFOLIO_SCORE_WEIGHTS`. A department without an active
project that week has no score. The arithmetic is exact (fractions) and the score is rounded half
up to one decimal, like every rate; ranks compare the rounded scores, so what reads equal ranks
equal. docs/reports.md works one department through by hand.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Hashable, TypeVar

from django.conf import settings

from projects.domain.rates import half_up

TERMS = ("timeliness", "milestones", "red", "visits", "problems")
Key = TypeVar("Key", bound=Hashable)
Row = TypeVar("Row")


def weights() -> dict[str, Decimal]:
    """The weight of each term (settings, from the environment)."""
    return settings.PORTFOLIO_SCORE_WEIGHTS


LABELS = {
    "timeliness": "按时填报率", "milestones": "无逾期节点项目占比", "red": "非红灯项目占比", "visits": "调研合规率",
    "problems": "无逾期问题项目占比",
}


def formula_text() -> str:
    """The formula with the weights in force, as a bulletin prints it under the department table."""
    parts = " + ".join(f"{LABELS[term]}×{value:g}" for term, value in weights().items())
    return f"考核得分 =（{parts}）÷ {sum(weights().values()):g}，均按各单位在推进项目计；得分相同名次相同。"


def due_day(monday: date) -> date:
    """The day the week's report is due: `REPORT_DUE_WEEKDAY` (ISO, 1 = Monday … 7 = Sunday) of that week."""
    return monday + timedelta(days=settings.REPORT_DUE_WEEKDAY - 1)


@dataclass(frozen=True)
class WeekCounts:
    """One department's counts for one week, all over its active projects."""

    active: int
    on_time: int  # reported from the week's Monday to its due day
    overdue: int  # with an open milestone past its deadline
    red: int
    visit_overdue: int
    problem_overdue: int = 0  # with a problem past its deadline (问题台账)

    def terms(self) -> dict[str, tuple[int, int]]:
        """Each term as (good, of)."""
        return {
            "timeliness": (self.on_time, self.active),
            "milestones": (self.active - self.overdue, self.active),
            "red": (self.active - self.red, self.active),
            "visits": (self.active - self.visit_overdue, self.active),
            "problems": (self.active - self.problem_overdue, self.active),
        }


def score(counts: WeekCounts) -> float | None:
    """The week's score, 0–100 half up to one decimal; None without an active project."""
    if not counts.active:
        return None
    weight = {term: Fraction(value) for term, value in weights().items()}
    # A term without a weight counts for nothing (the weights are settings).
    earned = sum(weight[term] * Fraction(good, of) for term, (good, of) in counts.terms().items() if term in weight)
    return half_up(100 * earned / sum(weight.values()))


def mean(scores: list[float | None]) -> float | None:
    """The mean of the scores there are (as published, one decimal), half up; None if there is none."""
    present = [Fraction(Decimal(str(value))) for value in scores if value is not None]
    return half_up(sum(present) / len(present)) if present else None


def competition_ranks(scores: dict[Key, float | None]) -> dict[Key, int | None]:
    """1 for the highest score; equal scores share a rank and the next one skips (1, 2, 2, 4); None without a score."""
    first: dict[float, int] = {}
    for place, value in enumerate(sorted((v for v in scores.values() if v is not None), reverse=True), start=1):
        first.setdefault(value, place)
    return {key: None if value is None else first[value] for key, value in scores.items()}


def top_and_bottom(ranked: list[Row], rank: Callable[[Row], int | None], size: int = 3) -> tuple[list[Row], list[Row]]:
    """红黑榜 of `ranked` (best first, ties in a fixed order): the first `size` with a rank, and, worst
    first, up to `size` of the rest whose rank is below all of those. So no department is on both
    lists, and none is criticised with the score of one praised."""
    scored = [row for row in ranked if rank(row) is not None]
    top = scored[:size]
    last_praised = max((rank(row) for row in top), default=0)
    bottom = [row for row in reversed(scored) if rank(row) > last_praised][:size]
    return top, bottom
