"""Writes of 目标任务: the deadline from its period, the scope checked by the project filters."""

from django.core.exceptions import ValidationError
from django.db import transaction

from projects.domain.choices import (
    LEAD_METRICS,
)
from projects.domain.dates import check_written_date, today
from projects.domain.periods import parse_period
from projects.models import (
    Project,
    Target,
)
from projects.selectors.filters import project_scope
from projects.services.base import _assign, _save


def _target_check(target: Target) -> None:
    """Derive the deadline from `due_period` (default: the year's end) and validate the scope."""
    errors = {}
    if Target.objects.filter(year=target.year, name=target.name).exclude(pk=target.pk).exists():
        errors["name"] = [f"{target.year}年已有名为“{target.name}”的目标任务。"]
    if target.value is not None and target.value <= 0:
        errors["value"] = ["目标值应大于 0。"]
    if not target.due_period and target.year:
        target.due_period = f"{target.year:04d}-12-31"
    try:
        period = parse_period(target.due_period)
    except ValidationError as exc:
        errors["due_period"] = exc.messages
    else:
        target.due_period, target.due_date = period.text, period.end
        try:
            check_written_date("due_period", period.end)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if target.year and period.end.year != target.year:
            errors["due_period"] = [f"期限应在目标年度（{target.year}年）之内。"]
    target.scope = (target.scope or "").strip().lstrip("?")
    if target.metric in LEAD_METRICS and target.scope:
        errors["scope"] = ["招商引资指标按全部线索统计，不按项目范围：范围应留空。"]
    try:
        project_scope(target.scope, queryset=Project.objects.with_flags(today()), as_of=today())
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def target_create(*, user, **data) -> Target:
    """Set a target of the year; its deadline is a period (default the year's end), its scope a project filter."""
    target = Target(**data)
    _target_check(target)
    return _save(target)


@transaction.atomic
def target_update(*, target: Target, user, **data) -> Target:
    """Change a target; the deadline and scope are checked again."""
    target = Target.objects.select_for_update().get(pk=target.pk)
    _assign(target, data)
    _target_check(target)
    return _save(target)


@transaction.atomic
def target_delete(*, target: Target, user) -> None:
    """Delete a target."""
    target.delete()
