"""List filters over the date-dependent annotations, all evaluated for the admin's as_of."""

from django.contrib import admin

from projects.admin.params import request_as_of
from projects.domain.choices import MilestoneState, WarningLevel
from projects.querysets import done_on, open_on


def flag_filter(title: str, parameter: str, lookup: str | None = None) -> type[admin.SimpleListFilter]:
    """A 是/否 filter on a boolean annotation (or on `lookup`)."""

    def queryset(self, request, queryset):
        if self.value() in ("1", "0"):
            return queryset.filter(**{lookup or parameter: self.value() == "1"})
        return queryset

    return type(f"{parameter.title()}Filter", (admin.SimpleListFilter,), {
        "title": title,
        "parameter_name": parameter,
        "lookups": lambda self, request, model_admin: [("1", "是"), ("0", "否")],
        "queryset": queryset,
    })


def choice_filter(title: str, parameter: str, choices) -> type[admin.SimpleListFilter]:
    """A filter on a coded annotation such as warning_level or state."""

    def queryset(self, request, queryset):
        return queryset.filter(**{parameter: self.value()}) if self.value() else queryset

    return type(f"{parameter.title()}Filter", (admin.SimpleListFilter,), {
        "title": title,
        "parameter_name": parameter,
        "lookups": lambda self, request, model_admin: choices,
        "queryset": queryset,
    })


WarningLevelFilter = choice_filter("亮灯", "warning_level", WarningLevel.choices)
ProjectOverdueFilter = flag_filter("节点逾期", "is_overdue")
VisitOverdueFilter = flag_filter("超期未调研", "visit_overdue")
MilestoneStateFilter = choice_filter("节点状态", "state", MilestoneState.choices)
OverdueFilter = flag_filter("已逾期", "is_overdue")


class CompletedFilter(admin.SimpleListFilter):
    """Completed as of the admin's as_of (a completion dated later is still open that day), as the API's `completed`."""

    title = "是否完成"
    parameter_name = "completed"

    def lookups(self, request, model_admin):
        return [("1", "已完成"), ("0", "未完成")]

    def queryset(self, request, queryset):
        if self.value() in ("1", "0"):
            as_of = request_as_of(request)[0]
            return queryset.filter(done_on(as_of) if self.value() == "1" else open_on(as_of))
        return queryset


class AsOfFilter(admin.SimpleListFilter):
    """Takes `?as_of=` (the dashboard's links carry it): the list's flags are evaluated for that day.

    It offers no choices of its own; the pages read the day with `request_as_of`.
    """

    title = "评价日"
    parameter_name = "as_of"

    def lookups(self, request, model_admin):
        return []

    def queryset(self, request, queryset):
        return queryset
