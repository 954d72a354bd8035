"""The warning light (亮灯): each rule's level as one SQL annotation, and the reasons read back from them.

Every threshold of `settings.PORTFOLIO_WARNING` that decides a light is read here and nowhere else.
A rule is one entry of `RULES`: the condition of each level it can reach (over the figures that
`ProjectQuerySet.with_flags` annotates first), which gives its level annotation `<name>_level`,
and the sentence that states the figures behind it. A project's light is the worst of its
rules' levels; a new rule is one more entry.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Callable

from django.conf import settings
from django.db.models import BooleanField, Case, CharField, IntegerField, Q, Value, When

from projects.domain.choices import ACTIVE_STATUSES, EscalationLevel, WarningLevel, WarningRule

# Worst first: the first level any rule reaches is the light.
SEVERITY = (WarningLevel.RED, WarningLevel.YELLOW)


def thresholds() -> dict:
    return settings.PORTFOLIO_WARNING


def flag(condition: Q) -> Case:
    """A boolean annotation that is true where `condition` holds."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _case(conditions: dict[str, Q]) -> Case:
    """The first level, worst first, whose condition holds; green otherwise and for projects not active."""
    active = Q(status__in=ACTIVE_STATUSES)
    return Case(
        *[When(active & conditions[level], then=Value(level)) for level in SEVERITY if level in conditions],
        default=Value(WarningLevel.GREEN),
        output_field=CharField(),
    )


def visit_overdue(as_of: date) -> Case:
    """`visit_overdue`: an active project whose last visit (or none) is older than the interval."""
    cutoff = as_of - timedelta(days=thresholds()["VISIT_INTERVAL_DAYS"])
    return flag(Q(status__in=ACTIVE_STATUSES, visit_overdue_since__lt=cutoff))


def escalation_level(deadline: str, as_of: date) -> Case:
    """督办 level of a problem from `deadline`, the annotation holding its deadline while it is assigned
    on `as_of` (NULL otherwise): 0 on time, 1 催办 overdue 1–7 days, 2 督办 8–30, 3 通报 beyond."""
    rules = thresholds()
    return Case(
        When(**{f"{deadline}__lt": as_of - timedelta(days=rules["PROBLEM_LEVEL3_AFTER_DAYS"])},
             then=Value(EscalationLevel.REPORTED.value)),
        When(**{f"{deadline}__lt": as_of - timedelta(days=rules["PROBLEM_LEVEL2_AFTER_DAYS"])},
             then=Value(EscalationLevel.SUPERVISED.value)),
        When(**{f"{deadline}__lt": as_of}, then=Value(EscalationLevel.URGED.value)),
        default=Value(EscalationLevel.NORMAL.value),
        output_field=IntegerField(),
    )


def _milestone_conditions(as_of: date, rules: dict) -> dict[str, Q]:
    return {
        WarningLevel.RED: Q(next_due_date__lt=as_of - timedelta(days=rules["RED_OVERDUE_DAYS"])),
        WarningLevel.YELLOW: Q(next_due_date__lt=as_of),
    }


def _investment_conditions(as_of: date, rules: dict) -> dict[str, Q]:
    # A NULL lag (no annual plan) compares false: green.
    return {
        WarningLevel.RED: Q(investment_lag__gt=rules["RED_INVESTMENT_LAG"]),
        WarningLevel.YELLOW: Q(investment_lag__gte=rules["YELLOW_INVESTMENT_LAG"]),
    }


def _visit_conditions(as_of: date, rules: dict) -> dict[str, Q]:
    return {WarningLevel.YELLOW: Q(visit_overdue=True)}


def _problem_conditions(as_of: date, rules: dict) -> dict[str, Q]:
    # `problem_due_since`: the earliest deadline among the project's problems assigned on as_of.
    return {
        WarningLevel.RED: Q(problem_due_since__lt=as_of - timedelta(days=rules["PROBLEM_LEVEL3_AFTER_DAYS"])),
        WarningLevel.YELLOW: Q(problem_due_since__lt=as_of),
    }


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


def _problem_detail(project, as_of: date, rules: dict) -> str:
    days = (as_of - project.problem_due_since).days
    others = project.overdue_problem_count - 1
    more = f"；另有 {others} 个问题逾期" if others > 0 else ""
    return (f"问题“{project.overdue_problem_title}”超过限时办结日期（{project.problem_due_since.isoformat()}）"
            f"{days} 天未办结{more}")


@dataclass(frozen=True)
class Rule:
    code: WarningRule
    level_name: str  # the annotation holding this rule's level
    conditions: Callable[[date, dict], dict[str, Q]]  # level -> when the rule reaches it
    detail: Callable[[object, date, dict], str]


RULES = (
    Rule(WarningRule.MILESTONE_OVERDUE, "milestone_level", _milestone_conditions, _milestone_detail),
    Rule(WarningRule.INVESTMENT_LAG, "investment_level", _investment_conditions, _investment_detail),
    Rule(WarningRule.VISIT_OVERDUE, "visit_level", _visit_conditions, _visit_detail),
    Rule(WarningRule.PROBLEM_OVERDUE, "problem_level", _problem_conditions, _problem_detail),
)


def level_annotations(as_of: date) -> dict[str, Case]:
    """One level per rule, and `warning_level`: the worst of them.

    The light ORs the rules' own conditions level by level instead of comparing the level
    annotations: the same answer, with each past-plan subquery half as often in the SQL.
    """
    rules = thresholds()
    conditions = {rule.level_name: rule.conditions(as_of, rules) for rule in RULES}
    worst = {
        level: reduce(or_, [by_level[level] for by_level in conditions.values() if level in by_level])
        for level in SEVERITY
    }
    return {**{name: _case(by_level) for name, by_level in conditions.items()}, "warning_level": _case(worst)}


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
