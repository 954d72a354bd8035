"""How the admin shows a warning light, a problem's 督办 level, and the as_of its lists are evaluated for."""

from django.utils.html import format_html

from projects.admin.params import request_as_of
from projects.domain.choices import LIGHT_COLOURS, EscalationLevel, WarningLevel
from projects.reports.dashboard import ESCALATION_COLOURS


def light(level: str | None):
    if not level:
        return "-"
    return format_html(
        '<span style="display:inline-block;width:.8em;height:.8em;border-radius:50%;'
        'background:{};vertical-align:-.05em;margin-right:.3em"></span>{}',
        LIGHT_COLOURS[level], WarningLevel(level).label,
    )


def name_with_light(project):
    """The project's name after a dot of its light's colour (the light's name on hover)."""
    level = getattr(project, "warning_level", None)
    if not level:
        return project.name
    return format_html(
        '<span style="white-space:nowrap" title="{}"><span class="warning-light warning-{}" style="display:inline-block;'
        'width:.75em;height:.75em;border-radius:50%;background:{};margin-right:.4em"></span></span>{}',
        WarningLevel(level).label, level, LIGHT_COLOURS[level], project.name,
    )


def assessed_light(project):
    """The office's assessed light (人工研判) valid on the flags' day, its reason and end on hover; "-" when none."""
    level = getattr(project, "assessed_level", None)
    if not level:
        return "-"
    until = getattr(project, "assessed_until", None)
    hover = f"人工研判：{getattr(project, 'assessed_reason', '')}（有效期至 {until.isoformat() if until else '-'}）"
    return format_html('<span class="assessed-light assessed-{}" style="white-space:nowrap" title="{}">{}</span>',
                       level, hover, light(level))


def escalation_mark(problem):
    """A problem's 督办 level as a coloured mark with its days overdue, while it is assigned on the
    flags' day (正常 green, 催办 yellow, 督办 orange, 通报 red); "-" while no deadline runs."""
    if getattr(problem, "assigned_due_date", None) is None:
        return "-"
    level = EscalationLevel(problem.escalation_level)
    days = f"（逾期 {problem.days_overdue} 天）" if problem.days_overdue else ""
    text_colour = "#222" if level == EscalationLevel.URGED else "#fff"
    return format_html(
        '<span class="escalation escalation-{}" style="white-space:nowrap"><span style="display:inline-block;'
        'padding:0 .45em;border-radius:3px;background:{};color:{};font-weight:600">{}</span>{}</span>',
        level.value, ESCALATION_COLOURS[level], text_colour, level.label, days,
    )


def nowrap(value):
    """A short list cell kept on one line (a state, a unit, a day); "-" when empty."""
    if value in (None, ""):
        return "-"
    return format_html('<span style="white-space:nowrap">{}</span>', value.isoformat() if hasattr(value, "isoformat") else value)


def bad_flag(value: bool | None):
    """A flag whose "true" is bad (超期未调研, 已逾期): a red 是, a plain 否, never a green tick."""
    if value is None:
        return "-"
    if value:
        return format_html('<span class="bad-flag" style="color:#d93025;font-weight:600">{}</span>', "⚠ 是")
    return format_html('<span class="ok-flag" style="color:#6b7280">{}</span>', "否")


def as_of_title(model_admin, request) -> str:
    return f"{model_admin.model._meta.verbose_name_plural}（评价日 {request_as_of(request)[0].isoformat()}）"
