"""The project pages: the list with its lights, the form with its inlines, import and export."""

from urllib.parse import quote

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import DateField, Value
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ImportForm

from projects import selectors
from projects.admin.filters import (
    AsOfFilter,
    AssessedLevelFilter,
    ProjectOverdueFilter,
    VisitOverdueFilter,
    WarningLevelFilter,
)
from projects.admin.forms import OfficialOptionalMixin, ProjectBatchFormSet
from projects.admin.imports import ChineseCSV, FileNotReadable, template_dataset
from projects.admin.params import request_as_of
from projects.admin.photos import gallery, photos_of
from projects.admin.problems import AssessmentInline, ProjectProblemInline, save_assessments
from projects.admin.resources import ChineseExportForm, ProjectExportResource, ProjectResource
from projects.admin.roles import SCOPED_ROLES, MyProjectsFilter, PolicyAdminMixin, PolicyInlineMixin, role
from projects.admin.widgets import as_of_title, assessed_light, bad_flag, light, name_with_light
from projects.admin.writes import (
    ReadOnlyHistoryMixin,
    ReadOnlyInlineMixin,
    ServiceWritesMixin,
    adopt,
    form_data,
    save_inline,
    service_call,
)
from projects.domain.choices import Role, Sector
from projects.domain.lights import warning_reasons
from projects.domain.roles import UPDATE
from projects.models import (
    REPORTED_FIELDS,
    ApprovalItem,
    Assessment,
    Milestone,
    Problem,
    Project,
    ProjectBatch,
    StatusUpdate,
    Visit,
)
from projects.reports import WARNING_RANK
from projects.services import project_create, project_update


class ProjectBatchInline(PolicyInlineMixin, TabularInline):
    policy_resource = "project"  # the batches are written with the project
    model = ProjectBatch
    formset = ProjectBatchFormSet
    extra = 0
    fields = ["period", "kind"]


class MilestoneInline(PolicyInlineMixin, TabularInline):
    model = Milestone
    extra = 1
    fields = ["kind", "title", "due_period", "due_date", "completed_on", "note"]
    readonly_fields = ["due_date"]
    show_change_link = True


class StatusUpdateInline(ReadOnlyInlineMixin, TabularInline):
    """The reports so far, to read; a report is filed on its own form (新增进度填报)."""

    model = StatusUpdate
    fields = [
        "reported_on", "status_from", "status_to", "completed_investment", "progress_percent",
        "note", "reported_by",
    ]
    show_change_link = True


class VisitInline(PolicyInlineMixin, OfficialOptionalMixin, TabularInline):
    model = Visit
    extra = 0
    fields = ["visited_on", "kind", "official", "note"]


class ApprovalItemInline(PolicyInlineMixin, TabularInline):
    model = ApprovalItem
    fk_name = "project"
    extra = 0
    fields = ["name", "department", "mode", "due_date", "completed_on", "note"]


class FlaggedProjectsMixin:
    """Projects as the API lists them (selectors.project_list), as of the page's `?as_of=` day.

    Each row carries that day as `flags_as_of`, so the columns computed from the flags (reasons,
    days since the last visit) speak of the same day as the light.
    """

    def get_queryset(self, request):
        as_of = request_as_of(request)[0]
        return selectors.project_list(as_of=as_of).annotate(flags_as_of=Value(as_of, output_field=DateField()))


@admin.register(Project)
class ProjectAdmin(
    PolicyAdminMixin, ServiceWritesMixin, ReadOnlyHistoryMixin, FlaggedProjectsMixin, ImportExportMixin, SimpleHistoryAdmin, ModelAdmin,
):
    # At 1366 px every column fits on one line; the light stands next to the name.
    list_display = [
        "code", "project_name", "assessed", "category", "status", "department", "lead_official", "next_due_date",
    ]
    list_display_links = ["code", "project_name"]
    list_filter = [
        MyProjectsFilter, "category", "level", "sector", "status", "year", "zone", "department", "lead_official",
        "batches__kind", "batches__period", WarningLevelFilter, AssessedLevelFilter, ProjectOverdueFilter,
        VisitOverdueFilter, AsOfFilter,
    ]
    list_select_related = ["department", "lead_official"]
    search_fields = ["name", "code", "owner"]
    inlines = [
        ProjectBatchInline, MilestoneInline, StatusUpdateInline, VisitInline, ApprovalItemInline, ProjectProblemInline,
        AssessmentInline,
    ]
    resource_classes = [ProjectResource]
    import_formats = [ChineseCSV, XLSX]
    import_template_name = "admin/projects/project/import.html"
    list_before_template = "admin/projects/project/list_before.html"
    export_formats = [XLSX, CSV]
    export_form_class = ChineseExportForm
    import_form_class = ImportForm
    to_encoding = "utf-8-sig"  # a BOM, so Excel and WPS open the CSV with Chinese intact

    base_fieldsets = [
        ("基本信息", {"fields": [
            "code", "name", "year", "category", "level", "sector", "zone", "owner",
            "department", "lead_official", "description",
        ]}),
        ("投资与进度", {"fields": [
            "status", "total_investment", "annual_plan_investment", "completed_investment",
            "progress_percent", "floor_area",
        ]}),
    ]
    # 保交楼 "一楼一策一专班一银行": only housing projects have it.
    delivery_fieldset = ("保交楼（一楼一策一专班一银行）", {"fields": [
        "delivery_plan", "delivery_task_force", "delivery_bank", "delivery_stalled_since",
    ]})
    flag_fieldset = ("亮灯情况", {"fields": [
        "warning_light", "warning_reasons", "assessed_light_detail", "record_status_update", "next_due_date",
        "overdue_milestone_count", "last_visit_on", "visit_overdue_flag", "investment_lag",
    ]})
    source_fieldset = ("来源", {"fields": ["source_lead_link"]})
    photo_fieldset = ("形象进度照片", {"fields": ["photo_gallery"]})
    record_fieldset = ("记录", {"classes": ["collapse"], "fields": ["version", "created_at", "updated_at"]})
    flag_fields = [
        "warning_light", "warning_reasons", "assessed_light_detail", "next_due_date", "overdue_milestone_count", "last_visit_on",
        "visit_overdue_flag", "investment_lag", "record_status_update", "source_lead_link",
        "version", "created_at", "updated_at", "photo_gallery",
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.base_fieldsets
        delivery = [self.delivery_fieldset] if obj.sector == Sector.HOUSING else []
        # The light, its reasons and the report button first: what a clerk opens the page for.
        return [self.flag_fieldset, *self.base_fieldsets, *delivery, self.photo_fieldset, self.source_fieldset,
                self.record_fieldset]

    @admin.display(description="照片（按拍摄日期）")
    def photo_gallery(self, project):
        return gallery(photos_of(project=project))

    def get_readonly_fields(self, request, obj=None):
        if obj and not self._may(request, UPDATE, obj):
            # A clerk or an official changes the project's records (inlines), never the project itself.
            return [name for _, options in self.get_fieldsets(request, obj) for name in options["fields"]]
        # Once a project exists its status and figures move only with a status update.
        return [*REPORTED_FIELDS, *self.flag_fields] if obj else []

    def has_change_permission(self, request, obj=None):
        """The project page saves when the user may change the project or any of its inline records."""
        if super().has_change_permission(request, obj):
            return True
        if obj is None:
            return False
        return any(
            inline.has_add_permission(request, obj) or inline.has_change_permission(request, obj)
            or inline.has_delete_permission(request, obj)
            for inline in self.get_inline_instances(request, obj)
        )

    def get_list_display(self, request):
        if role(request) == Role.OFFICIAL:
            return [*self.list_display, "days_since_visit"]
        return self.list_display

    def changelist_view(self, request, extra_context=None):
        title, tabs = as_of_title(self, request), []
        if role(request) in SCOPED_ROLES:
            mine = request.GET.get(MyProjectsFilter.parameter_name) != MyProjectsFilter.ALL
            if mine:
                title = title.replace(str(self.model._meta.verbose_name_plural), "我的项目", 1)
            tabs = [
                {"label": "我的项目", "url": f"?{MyProjectsFilter.parameter_name}={MyProjectsFilter.MINE}", "active": mine},
                {"label": "全部项目", "url": f"?{MyProjectsFilter.parameter_name}={MyProjectsFilter.ALL}", "active": not mine},
            ]
        extra_context = {"title": title, "scope_tabs": tabs, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="项目名称（亮灯）", ordering=WARNING_RANK)
    def project_name(self, project):
        return name_with_light(project)

    @admin.display(description="亮灯", ordering=WARNING_RANK)
    def warning_light(self, project):
        return format_html('<span class="project-light">{}</span>', light(getattr(project, "warning_level", None)))

    # A short header: the column stays narrow beside the name (人工研判 on hover of each light).
    @admin.display(description="研判", ordering="assessed_level")
    def assessed(self, project):
        return assessed_light(project)

    @admin.display(description="人工研判")
    def assessed_light_detail(self, project):
        """The office's light valid on the page's day beside the computed one, with its reason and end."""
        level = getattr(project, "assessed_level", None)
        if not level:
            return "无（重点项目办可在页面下方“人工研判”中添加）"
        return format_html(
            '<span class="assessed-light-detail">{}　{}（有效期至 {}）</span>',
            light(level), project.assessed_reason, project.assessed_until.isoformat(),
        )

    @admin.display(description="亮灯原因")
    def warning_reasons(self, project):
        reasons = warning_reasons(project, project.flags_as_of)
        if not reasons:
            return "无"
        return format_html_join(
            "", '<div class="warning-reason">{}（{}）：{}</div>',
            ((reason["rule_display"], reason["level_display"], reason["detail"]) for reason in reasons),
        )

    @admin.display(description="距上次调研（天）", ordering="last_visit_on")
    def days_since_visit(self, project):
        last = getattr(project, "last_visit_on", None)
        shown = "从未调研" if last is None else f"{(project.flags_as_of - last).days} 天"
        if getattr(project, "visit_overdue", False):
            return format_html('<span class="bad-flag" style="color:#d93025;font-weight:600">{}</span>', shown)
        return shown

    @admin.display(description="最近节点期限", ordering="next_due_date")
    def next_due_date(self, project):
        return getattr(project, "next_due_date", None) or "-"

    @admin.display(description="逾期节点数")
    def overdue_milestone_count(self, project):
        return getattr(project, "overdue_milestone_count", "-")

    @admin.display(description="最近调研日期")
    def last_visit_on(self, project):
        return getattr(project, "last_visit_on", None) or "-"

    @admin.display(description="超期未调研")
    def visit_overdue_flag(self, project):
        return bad_flag(getattr(project, "visit_overdue", None))

    @admin.display(description="投资滞后（百分点）")
    def investment_lag(self, project):
        lag = getattr(project, "investment_lag", None)
        return "-" if lag is None else f"{lag:.1f}"

    @admin.display(description="转化自招商线索")
    def source_lead_link(self, project):
        lead = getattr(project, "source_lead", None)
        if lead is None:
            return "-"
        url = reverse("admin:projects_lead_change", args=[lead.pk])
        return format_html('<a href="{}">{}</a>（{}）', url, lead.name, lead.get_stage_display())

    @admin.display(description="填报、调研与问题")
    def record_status_update(self, project):
        report = reverse("admin:projects_statusupdate_add") + f"?project={project.pk}"
        visit = reverse("admin:projects_visit_add") + f"?project={project.pk}"
        problem = reverse("admin:projects_problem_add") + f"?project={project.pk}"
        problems = reverse("admin:projects_problem_changelist") + f"?project__id__exact={project.pk}&todo=all"
        return format_html(
            '<a id="add-status-update" class="font-semibold text-primary-600 underline" href="{}">新增进度填报</a>'
            '（状态、累计投资和形象进度只能这样变更）　'
            '<a id="add-visit" class="font-semibold text-primary-600 underline" href="{}">记录调研</a>　'
            '<a id="add-problem" class="font-semibold text-primary-600 underline" href="{}">提出问题</a>　'
            '<a id="project-problems" class="font-semibold text-primary-600 underline" href="{}">本项目问题台账</a>',
            report, visit, problem, problems,
        )

    def save_model(self, request, obj, form, change):
        """Write the project with its batch rows (see ProjectBatchFormSet) in one service call."""
        batch_formset = getattr(obj, "batch_formset", None)
        batches = batch_formset.batches(change) if batch_formset else None
        with service_call(Project):
            if not change:
                adopt(obj, project_create(user=request.user, batches=batches or [], **form_data(form)))
            elif form.has_changed() or batches is not None:
                project_update(
                    project=obj, user=request.user, batches=batches, **form_data(form, form.changed_data),
                )
                obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """The records of the project's other inlines, each through its entity's services."""
        for formset in formsets:
            if isinstance(formset, ProjectBatchFormSet):
                formset.record_changes()
            elif formset.model is Assessment:
                save_assessments(formset, form.instance, request.user)
            elif formset.model is Problem:
                # Read only here: a problem moves on its own page.
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            else:
                save_inline(formset, "project", form.instance, request.user)

    def get_export_resource_classes(self, request):
        return [ProjectExportResource]

    def get_export_filename(self, request, queryset, file_format):
        return f"projects-{request_as_of(request)[0].isoformat()}.{file_format.get_extension()}"

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_urls(self):
        template = path(
            "import/template/", self.admin_site.admin_view(self.import_template_view),
            name="projects_project_import_template",
        )
        return [template, *super().get_urls()]

    def import_template_view(self, request):
        """导入模板.xlsx: the import columns and one example row."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        content = XLSX().export_data(template_dataset(ProjectResource()))
        response = HttpResponse(content, content_type=XLSX.CONTENT_TYPE)
        response["Content-Disposition"] = (
            f"attachment; filename=\"project-import-template.xlsx\"; filename*=UTF-8''{quote('重点项目导入模板.xlsx')}"
        )
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileNotReadable):
            form.add_error("import_file", str(e))
        else:
            form.add_error("import_file", "无法读取文件：请确认所选格式（csv 或 xlsx）与文件一致。")

    def get_import_data_kwargs(self, **kwargs):
        # The confirmed import also rolls back entirely if any row fails.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(request, "导入失败：文件中有错误的行，未导入任何项目。请修正后重新上传。", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:projects_project_import"))
        return super().process_result(result, request)
