"""The warning light (亮灯): each rule's level as one SQL annotation, and the reasons read back from them.

Every threshold of `settings.PORTFOLIO_WARNING` that decides a light is read here and nowhere else.
A rule is one entry of `RULES`: its level annotation (`<name>_level`, over the figures that
`ProjectQuerySet.with_flags` annotates first) and the sentence that states the figures behind it.
A project's light is the worst of its rules' levels; a new rule is one more entry.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Callable

from django.conf import settings
from django.db.models import BooleanField, Case, CharField, Q, Value, When

from projects.choices import ACTIVE_STATUSES, WarningLevel, WarningRule

# Worst first: the first level any rule reaches is the light.
SEVERITY = (WarningLevel.RED, WarningLevel.YELLOW)


def thresholds() -> dict:
    return settings.PORTFOLIO_WARNING


def flag(condition: Q) -> Case:
    """A boolean annotation that is true where `condition` holds."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _level(*, yellow: Q, red: Q | None = None) -> Case:
    """A rule's level; only active projects owe anything, so final ones stay green."""
    active = Q(status__in=ACTIVE_STATUSES)
    whens = [When(active & red, then=Value(WarningLevel.RED))] if red is not None else []
    whens.append(When(active & yellow, then=Value(WarningLevel.YELLOW)))
    return Case(*whens, default=Value(WarningLevel.GREEN), output_field=CharField())


def _worst_of(names) -> Case:
    """The worst of the level annotations `names`."""
    return Case(
        *[When(reduce(or_, [Q(**{name: level}) for name in names]), then=Value(level)) for level in SEVERITY],
        default=Value(WarningLevel.GREEN),
        output_field=CharField(),
    )


def visit_overdue(as_of: date) -> Case:
    """`visit_overdue`: an active project whose last visit (or none) is older than the interval."""
    cutoff = as_of - timedelta(days=thresholds()["VISIT_INTERVAL_DAYS"])
    return flag(Q(status__in=ACTIVE_STATUSES, visit_overdue_since__lt=cutoff))


def _milestone_level(as_of: date, rules: dict) -> Case:
    return _level(
        red=Q(next_due_date__lt=as_of - timedelta(days=rules["RED_OVERDUE_DAYS"])),
        yellow=Q(next_due_date__lt=as_of),
    )


def _investment_level(as_of: date, rules: dict) -> Case:
    # A NULL lag (no annual plan) compares false: green.
    return _level(
        red=Q(investment_lag__gt=rules["RED_INVESTMENT_LAG"]),
        yellow=Q(investment_lag__gte=rules["YELLOW_INVESTMENT_LAG"]),
    )


def _visit_level(as_of: date, rules: dict) -> Case:
    return _level(yellow=Q(visit_overdue=True))


def _milestone_detail(project, as_of: date, rules: dict) -> str:
    days = (as_of - project.next_due_date).days
    return (f"{project.overdue_milestone_count} 个节点逾期，最早一个截止于 {project.next_due_date.isoformat()}，"
            f"已逾期 {days} 天")


def _investment_detail(project, as_of: date, rules: dict) -> str:
    progress, lag = project.time_progress, project.investment_lag
    return f"投资完成率 {progress - lag:.1f}%，落后时序进度 {progress:.1f}% {lag:.1f} 个百分点"


def _visit_detail(project, as_of: date, rules: dict) -> str:
    last = project.last_visit_on
    since = f"最近一次为 {last.isoformat()}" if last else "尚无调研记录"
    return f"分包领导超过 {rules['VISIT_INTERVAL_DAYS']} 天未联系项目（{since}）"


@dataclass(frozen=True)
class Rule:
    code: WarningRule
    level_name: str  # the annotation holding this rule's level
    level: Callable[[date, dict], Case]
    detail: Callable[[object, date, dict], str]


RULES = (
    Rule(WarningRule.MILESTONE_OVERDUE, "milestone_level", _milestone_level, _milestone_detail),
    Rule(WarningRule.INVESTMENT_LAG, "investment_level", _investment_level, _investment_detail),
    Rule(WarningRule.VISIT_OVERDUE, "visit_level", _visit_level, _visit_detail),
)


def level_annotations(as_of: date) -> dict[str, Case]:
    """One level per rule, then `warning_level`, the worst of them (annotate in this order)."""
    rules = thresholds()
    levels = {rule.level_name: rule.level(as_of, rules) for rule in RULES}
    return {**levels, "warning_level": _worst_of(levels)}


def warning_reasons(project, as_of: date) -> list[dict]:
    """One reason per rule whose annotated level is not green, with the figures behind it."""
    rules = thresholds()
    reasons = []
    for rule in RULES:
        level = getattr(project, rule.level_name)
        if level != WarningLevel.GREEN:
            reasons.append({
                "rule": rule.code, "rule_display": rule.code.label,
                "level": level, "level_display": WarningLevel(level).label,
                "detail": rule.detail(project, as_of, rules),
            })
    return reasons
