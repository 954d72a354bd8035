"""目标任务 (targets)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from projects.admin.roles import PolicyAdminMixin
from projects.admin.writes import ReadOnlyHistoryMixin, ServiceWritesMixin
from projects.models import Target


@admin.register(Target)
class TargetAdmin(PolicyAdminMixin, ServiceWritesMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    """The deadline is derived from 期限 and the scope checked by the project filters (target_create)."""

    list_display = ["name", "year", "metric", "value", "unit", "scope", "due_period", "due_date"]
    list_filter = ["year", "metric"]
    search_fields = ["name", "note"]
    fields = ["year", "name", "metric", "scope", "value", "due_period", "due_date", "note"]
    readonly_fields = ["due_date"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["due_period"].required = False  # blank: the year's end
        return form

    @admin.display(description="单位")
    def unit(self, target):
        return target.unit
