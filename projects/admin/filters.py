"""List filters over the date-dependent annotations, all evaluated for the admin's as_of."""

from django.contrib import admin

from projects.admin.params import request_as_of
from projects.domain.choices import OPEN_PROBLEM_STATES, EscalationLevel, MilestoneState, WarningLevel
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


class AssessedLevelFilter(admin.SimpleListFilter):
    """人工研判: the level of the office's assessment valid on the list's day, or none, as the API's `assessed_level`."""

    title = "人工研判"
    parameter_name = "assessed_level"
    NONE = "none"

    def lookups(self, request, model_admin):
        return [*WarningLevel.choices, (self.NONE, "未研判")]

    def queryset(self, request, queryset):
        if self.value() == self.NONE:
            return queryset.filter(assessed_level__isnull=True)
        if self.value() in WarningLevel.values:
            return queryset.filter(assessed_level=self.value())
        return queryset


class EscalationLevelFilter(admin.SimpleListFilter):
    """督办级别 on the list's day, as the API's `escalation_level`; 督办及以上 is the dashboard's escalated list."""

    title = "督办级别"
    parameter_name = "escalation_level"
    ESCALATED = "2,3"

    def lookups(self, request, model_admin):
        return [*((str(value), label) for value, label in EscalationLevel.choices), (self.ESCALATED, "督办及以上")]

    def queryset(self, request, queryset):
        levels = [part for part in (self.value() or "").split(",") if part in map(str, EscalationLevel.values)]
        return queryset.filter(escalation_level__in=[int(level) for level in levels]) if levels else queryset


class PendingOnFilter(admin.SimpleListFilter):
    """未办结: not yet resolved or cancelled on the list's day (raised by then), as the dashboard counts them."""

    title = "未办结（评价日）"
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("1", "未办结"), ("0", "已销号或撤销")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(state_on__in=OPEN_PROBLEM_STATES)
        if self.value() == "0":
            return queryset.exclude(state_on__in=OPEN_PROBLEM_STATES).filter(state_on__isnull=False)
        return queryset


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
