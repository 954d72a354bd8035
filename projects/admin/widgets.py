"""How the admin shows a warning light, and the as_of its lists are evaluated for."""

from django.db.models import Case, IntegerField, Value, When
from django.utils.html import format_html

from projects.choices import WarningLevel
from projects.dates import default_as_of

LIGHT_COLOURS = {WarningLevel.RED: "#d93025", WarningLevel.YELLOW: "#f2a600", WarningLevel.GREEN: "#1e8e3e"}
WARNING_RANK = Case(
    When(warning_level=WarningLevel.RED, then=Value(0)),
    When(warning_level=WarningLevel.YELLOW, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def light(level: str | None):
    if not level:
        return "-"
    return format_html(
        '<span style="display:inline-block;width:.8em;height:.8em;border-radius:50%;'
        'background:{};vertical-align:-.05em;margin-right:.3em"></span>{}',
        LIGHT_COLOURS[level], WarningLevel(level).label,
    )


def as_of_title(model_admin) -> str:
    return f"{model_admin.model._meta.verbose_name_plural}（评价日 {default_as_of().isoformat()}）"
