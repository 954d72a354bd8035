"""How the admin shows a warning light, and the as_of its lists are evaluated for."""

from django.utils.html import format_html

from projects.admin.params import request_as_of
from projects.domain.choices import LIGHT_COLOURS, WarningLevel


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


def bad_flag(value: bool | None):
    """A flag whose "true" is bad (超期未调研, 已逾期): a red 是, a plain 否, never a green tick."""
    if value is None:
        return "-"
    if value:
        return format_html('<span class="bad-flag" style="color:#d93025;font-weight:600">{}</span>', "⚠ 是")
    return format_html('<span class="ok-flag" style="color:#6b7280">{}</span>', "否")


def as_of_title(model_admin, request) -> str:
    return f"{model_admin.model._meta.verbose_name_plural}（评价日 {request_as_of(request)[0].isoformat()}）"
