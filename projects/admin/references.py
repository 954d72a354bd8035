"""Pages of the reference lists: departments (单位) and lead officials (分包领导)."""

from django.contrib import admin
from unfold.admin import ModelAdmin

from projects.admin.roles import PolicyAdminMixin
from projects.admin.writes import ServiceWritesMixin
from projects.domain.dates import default_as_of, is_live
from projects.models import Department, Official


@admin.register(Department)
class DepartmentAdmin(PolicyAdminMixin, ServiceWritesMixin, ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Official)
class OfficialAdmin(PolicyAdminMixin, ServiceWritesMixin, ModelAdmin):
    list_display = [
        "name", "title", "department", "phone", "is_active",
        "project_count", "overdue_project_count", "visit_overdue_project_count",
    ]
    list_filter = ["is_active", "department"]
    list_select_related = ["department"]
    search_fields = ["name", "title", "phone"]

    def get_queryset(self, request):
        as_of = default_as_of()
        return super().get_queryset(request).with_counts(as_of, live=is_live(as_of))

    @admin.display(description="分包项目数", ordering="project_count")
    def project_count(self, official):
        return official.project_count

    @admin.display(description="节点逾期项目数", ordering="overdue_project_count")
    def overdue_project_count(self, official):
        return official.overdue_project_count

    @admin.display(description="超期未调研项目数", ordering="visit_overdue_project_count")
    def visit_overdue_project_count(self, official):
        return official.visit_overdue_project_count

