"""The pages of a project's records: milestones, status updates, visits and joint approvals."""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from projects.admin.filters import AsOfFilter, CompletedFilter, MilestoneStateFilter, OverdueFilter
from projects.admin.forms import OfficialOptionalMixin, StatusUpdateForm, VisitForm
from projects.admin.photos import PhotoUploadAdminMixin, gallery, photos_of, photos_save
from projects.admin.params import request_as_of
from projects.admin.problems import ReportProblemInline, VisitProblemInline, raised_rows, record_raised
from projects.admin.resources import ChineseExportForm, MilestoneResource
from projects.admin.roles import PolicyAdminMixin, own_projects
from projects.admin.widgets import as_of_title, bad_flag
from projects.admin.writes import (
    AppendOnlyMixin,
    ReadOnlyHistoryMixin,
    ServiceErrorsMixin,
    ServiceWritesMixin,
    adopt,
    form_data,
    fresh,
    service_call,
)
from projects.domain.choices import MilestoneState
from projects.domain.dates import default_as_of
from projects.domain.roles import role_of
from projects.models import ApprovalItem, Milestone, StatusUpdate, Visit
from projects.services import status_update_create, visit_create, visit_update

# The fields of a form that carry its photos, not the record's own.
PHOTO_FIELDS = ("photos", "photo_caption")

# The problems a report or a visit raises, as the page names them in a refusal.
RAISED_LABELS = {"raise_problems": "本次提出的问题"}


@admin.register(Milestone)
class MilestoneAdmin(PolicyAdminMixin, ServiceWritesMixin, ReadOnlyHistoryMixin, ExportMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = [
        "title", "project", "kind", "due_period", "due_date", "completed_on", "state_display",
    ]
    list_filter = [
        "kind", MilestoneStateFilter, OverdueFilter, CompletedFilter,
        "project__department", "project__lead_official", "project__year", AsOfFilter,
    ]
    list_select_related = ["project"]
    search_fields = ["title", "project__name", "project__code"]
    autocomplete_fields = ["project"]
    fields = ["project", "kind", "title", "due_period", "due_date", "completed_on", "note"]
    readonly_fields = ["due_date"]
    resource_classes = [MilestoneResource]
    export_formats = [XLSX, CSV]
    export_form_class = ChineseExportForm
    to_encoding = "utf-8-sig"

    def get_queryset(self, request):
        return super().get_queryset(request).with_flags(request_as_of(request)[0])

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": as_of_title(self, request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="状态", ordering="state")
    def state_display(self, milestone):
        state = getattr(milestone, "state", None)
        return MilestoneState(state).label if state else "-"

    def get_export_filename(self, request, queryset, file_format):
        return f"milestones-{default_as_of().isoformat()}.{file_format.get_extension()}"

    def has_export_permission(self, request):
        return self.has_view_permission(request)


@admin.register(StatusUpdate)
class StatusUpdateAdmin(PhotoUploadAdminMixin, AppendOnlyMixin, PolicyAdminMixin, ServiceErrorsMixin, ModelAdmin):
    """Append-only: reports are added through status_update_create, with their photos, never changed or deleted."""

    form = StatusUpdateForm
    inlines = [ReportProblemInline]
    list_display = [
        "project", "reported_on", "status_from", "status_to", "completed_investment", "progress_percent",
        "reported_by", "created_at",
    ]
    list_filter = ["status_to", "project__department", "reported_on"]
    list_select_related = ["project", "reported_by"]
    search_fields = ["project__name", "project__code", "note"]
    date_hierarchy = "reported_on"
    autocomplete_fields = ["project"]
    view_fields = [
        "project", "reported_on", "status_from", "status_to", "completed_investment", "progress_percent",
        "note", "problems", "next_steps", "reported_by", "created_at", "report_photos",
    ]

    @admin.display(description="形象进度照片")
    def report_photos(self, report):
        return gallery(photos_of(status_update=report))

    def get_changeform_initial_data(self, request):
        """Opened from a project (?project=ID): its current status and figures, to change what moved."""
        initial = super().get_changeform_initial_data(request)
        project = own_project(request)
        if project is not None:
            initial.update(
                status_to=project.status, completed_investment=project.completed_investment,
                progress_percent=project.progress_percent,
            )
        return initial

    def response_add(self, request, obj, post_url_continue=None):
        """Back to the project, where the light shows what the report changed."""
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, f"已为“{obj.project.name}”新增进度填报。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:projects_project_change", args=[obj.project_id]))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        with service_call(StatusUpdate, labels=RAISED_LABELS):
            report = status_update_create(
                project=data["project"], user=request.user, note=data["note"],
                status=data["status_to"] or None, completed_investment=data["completed_investment"],
                progress_percent=data["progress_percent"], problems=data["problems"],
                next_steps=data["next_steps"], reported_on=data["reported_on"], raise_problems=raised_rows(obj),
            )
        photos_save(request, form, project=report.project, status_update=report)
        adopt(obj, report)

    def save_related(self, request, form, formsets, change):
        """The problem rows were raised by status_update_create with the report."""
        record_raised(formsets, form.instance, change)


@admin.register(Visit)
class VisitAdmin(PhotoUploadAdminMixin, PolicyAdminMixin, ServiceWritesMixin, OfficialOptionalMixin, ModelAdmin):
    form = VisitForm
    list_display = ["project", "visited_on", "kind", "official", "photo_count"]
    list_filter = ["kind", "official", "project__department"]
    list_select_related = ["project", "official"]
    search_fields = ["project__name", "project__code", "note"]
    date_hierarchy = "visited_on"
    autocomplete_fields = ["project"]
    fields = ["project", "visited_on", "kind", "official", "note", "photos", "photo_caption"]
    inlines = [VisitProblemInline]

    def get_fields(self, request, obj=None):
        return [*self.fields, "visit_photos"] if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "visit_photos"]

    @admin.display(description="督导留痕照片")
    def visit_photos(self, visit):
        return gallery(photos_of(visit=visit))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(photo_total=Count("photos"))

    @admin.display(description="照片", ordering="photo_total")
    def photo_count(self, visit):
        return visit.photo_total or "-"

    def save_model(self, request, obj, form, change):
        """A new visit raises the problems of its rows in the same transaction (visit_create); the photos
        taken on it are kept with it (a saved visit may be given more)."""
        if change:
            if set(form.changed_data) - set(PHOTO_FIELDS):
                with service_call(Visit):
                    visit_update(visit=fresh(obj), user=request.user,
                                 **form_data(form, form.changed_data, skip=PHOTO_FIELDS))
            obj.refresh_from_db()
            photos_save(request, form, project=obj.project, visit=obj)
            return
        with service_call(Visit, labels=RAISED_LABELS):
            visit = visit_create(user=request.user, raise_problems=raised_rows(obj),
                                 **form_data(form, skip=PHOTO_FIELDS))
        photos_save(request, form, project=visit.project, visit=visit)
        adopt(obj, visit)

    def save_related(self, request, form, formsets, change):
        """The problem rows were raised by visit_create with the visit; a saved visit's are read only."""
        record_raised(formsets, form.instance, change)

    def get_changeform_initial_data(self, request):
        """One form: the project it was opened from, today (or the pinned day), the official signed in."""
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("visited_on", default_as_of())
        _, profile = role_of(request.user)
        if getattr(profile, "official_id", None):
            initial.setdefault("official", profile.official_id)
        return initial

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, f"已记录对“{obj.project.name}”的调研。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:projects_project_changelist"))


@admin.register(ApprovalItem)
class ApprovalItemAdmin(PolicyAdminMixin, ServiceWritesMixin, ModelAdmin):
    list_display = ["name", "project", "department", "mode", "due_date", "completed_on", "overdue"]
    list_filter = ["mode", "department", OverdueFilter, CompletedFilter, "project__department", "project__year", AsOfFilter]
    list_select_related = ["project", "department"]
    search_fields = ["name", "project__name", "project__code"]
    autocomplete_fields = ["project"]
    fields = ["project", "name", "department", "mode", "due_date", "completed_on", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_flags(request_as_of(request)[0])

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": as_of_title(self, request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="已逾期", ordering="is_overdue")
    def overdue(self, approval):
        return bad_flag(getattr(approval, "is_overdue", None))


def own_project(request):
    """The project a form was opened from (?project=ID), if the user may report on it."""
    project_id = request.GET.get("project", "")
    if not project_id.isdigit():
        return None
    return own_projects(request).filter(pk=int(project_id)).first()
