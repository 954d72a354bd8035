"""The admin of the 重点项目办 (/admin/), in Chinese.

Every write goes through projects.services; a service's refusal is shown on the form, never as a 500.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ExportMixin, ImportExportMixin
from knox.models import AuthToken
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from projects.admin_resources import ChineseExportForm, MilestoneResource, ProjectExportResource, ProjectResource
from projects.choices import MilestoneState, WarningLevel
from projects.dates import default_as_of, is_live
from projects.exceptions import ServiceError
from projects.models import (
    ApiToken,
    ApprovalItem,
    Department,
    Milestone,
    Official,
    Project,
    ProjectBatch,
    StatusUpdate,
    UserProfile,
    Visit,
)
from projects.services import (
    REPORTED_FIELDS,
    approval_item_delete,
    approval_item_save,
    department_save,
    milestone_create,
    milestone_delete,
    milestone_update,
    official_save,
    project_create,
    project_delete,
    project_update,
    reference_delete,
    status_update_create,
    user_role_assign,
    visit_delete,
    visit_save,
)

admin.site.site_header = "二七区重点项目管理"
admin.site.site_title = "二七区重点项目管理"
admin.site.index_title = "重点项目办工作台"

LIGHT_COLOURS = {WarningLevel.RED: "#d93025", WarningLevel.YELLOW: "#f2a600", WarningLevel.GREEN: "#1e8e3e"}
WARNING_RANK = Case(
    When(warning_level=WarningLevel.RED, then=Value(0)),
    When(warning_level=WarningLevel.YELLOW, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# --- service calls and their refusals -------------------------------------------------------


class ServiceRejected(Exception):
    """A service refused an admin write; `errors` are (field, label, message) triples."""

    def __init__(self, errors: list[tuple[str | None, str, str]]):
        super().__init__("; ".join(message for _, _, message in errors))
        self.errors = errors

    def text(self) -> str:
        return "；".join(f"{label}：{message}" if label else message for _, label, message in self.errors)


def _label(model: type[models.Model] | None, field: str | None) -> str:
    if model is None or field is None:
        return ""
    try:
        return str(model._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


@contextmanager
def service_call(model: type[models.Model] | None = None, row: str = ""):
    """Turn a service's ValidationError or ServiceError into ServiceRejected; `row` names an inline row."""
    try:
        yield
    except ServiceError as exc:
        raise ServiceRejected([(None, row, exc.detail)]) from exc
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            pairs = [
                (None if field == NON_FIELD_ERRORS else field, message)
                for field, field_messages in exc.message_dict.items()
                for message in field_messages
            ]
        else:
            pairs = [(None, message) for message in exc.messages]
        if row:
            errors = [(None, " ".join(filter(None, [row, _label(model, field)])), message) for field, message in pairs]
        else:
            errors = [(field, _label(model, field), message) for field, message in pairs]
        raise ServiceRejected(errors) from exc


def _form_with_errors(form_class: type[forms.Form], rejected: ServiceRejected) -> type[forms.Form]:
    class RejectedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            for field, label, message in rejected.errors:
                if field in self.fields:
                    self.add_error(field, message)
                else:
                    self.add_error(None, f"{label}：{message}" if label else message)
            return cleaned

    return RejectedForm


def _adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's instance the row a service wrote: the admin logs and redirects with it."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj.refresh_from_db()


def _fresh(obj: models.Model) -> models.Model:
    """The row as stored: a bound form has already written its input onto `obj`."""
    return type(obj)._base_manager.get(pk=obj.pk)


def _form_data(form: forms.ModelForm, names=None, skip: tuple[str, ...] = ()) -> dict:
    """The model fields a form carries (all of them, or `names`), as service arguments."""
    skip = {"id", "DELETE", *skip}
    names = form.cleaned_data if names is None else names
    return {name: form.cleaned_data[name] for name in names if name not in skip and name in form.cleaned_data}


@dataclass(frozen=True)
class Writes:
    """The services that create, change and delete one model."""

    create: Callable[..., models.Model]
    update: Callable[..., models.Model]
    delete: Callable[[models.Model], None]


WRITES = {
    Milestone: Writes(
        create=milestone_create,
        update=lambda obj, **data: milestone_update(milestone=obj, **data),
        delete=lambda obj: milestone_delete(milestone=obj),
    ),
    Visit: Writes(
        create=visit_save,
        update=lambda obj, **data: visit_save(visit=obj, **data),
        delete=lambda obj: visit_delete(visit=obj),
    ),
    ApprovalItem: Writes(
        create=approval_item_save,
        update=lambda obj, **data: approval_item_save(approval=obj, **data),
        delete=lambda obj: approval_item_delete(approval=obj),
    ),
    Department: Writes(
        create=department_save,
        update=lambda obj, **data: department_save(department=obj, **data),
        delete=lambda obj: reference_delete(instance=obj),
    ),
    Official: Writes(
        create=official_save,
        update=lambda obj, **data: official_save(official=obj, **data),
        delete=lambda obj: reference_delete(instance=obj),
    ),
}


def save_inline(formset, parent_field: str, parent: models.Model) -> None:
    """Write an inline's rows through the model's services, recording what the change message needs."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    writes = WRITES[formset.model]
    deleted = formset.deleted_forms if formset.can_delete else []
    for number, form in enumerate(formset.forms, 1):
        row = f"{formset.model._meta.verbose_name}第{number}行"
        with service_call(formset.model, row):
            if form in deleted:
                if form.instance.pk:
                    writes.delete(_fresh(form.instance))
                    formset.deleted_objects.append(form.instance)
            elif not form.has_changed():
                continue
            elif form.instance.pk:
                saved = writes.update(_fresh(form.instance), **_form_data(form, form.changed_data, (parent_field,)))
                formset.changed_objects.append((saved, form.changed_data))
            else:
                saved = writes.create(**{parent_field: parent}, **_form_data(form, skip=(parent_field,)))
                formset.new_objects.append(saved)


class ServiceErrorsMixin:
    """A service's refusal rolls the admin's write back and shows the form again with the messages."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRejected as rejected:
            # The admin's atomic block has rolled everything back; render the same input with the errors.
            request.service_rejected = rejected
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        rejected = getattr(request, "service_rejected", None)
        return _form_with_errors(form, rejected) if rejected else form

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRejected as rejected:
            self.message_user(request, rejected.text(), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ServiceRejected as rejected:
            self.message_user(request, rejected.text(), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ServiceWritesMixin(ServiceErrorsMixin):
    """Saves and deletes of a model listed in WRITES, and of its inlines, through their services."""

    def save_model(self, request, obj, form, change):
        writes = WRITES[self.model]
        if change and not form.has_changed():
            return
        with service_call(self.model):
            if change:
                saved = writes.update(_fresh(obj), **_form_data(form, form.changed_data))
            else:
                saved = writes.create(**_form_data(form))
        _adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        save_inline(formset, formset.fk.name, form.instance)

    def delete_model(self, request, obj):
        with service_call(self.model):
            WRITES[self.model].delete(_fresh(obj))

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyHistoryMixin:
    """History is for reading: a revert would write past the services (and the status-update rule)."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


# --- list filters over the date-dependent annotations -----------------------------------------


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
    title = "是否完成"
    parameter_name = "completed"

    def lookups(self, request, model_admin):
        return [("1", "已完成"), ("0", "未完成")]

    def queryset(self, request, queryset):
        if self.value() in ("1", "0"):
            return queryset.filter(completed_on__isnull=self.value() == "0")
        return queryset


def light(level: str | None):
    if not level:
        return "-"
    return format_html(
        '<span style="display:inline-block;width:.8em;height:.8em;border-radius:50%;'
        'background:{};vertical-align:-.05em;margin-right:.3em"></span>{}',
        LIGHT_COLOURS[level], WarningLevel(level).label,
    )


def _as_of_title(model_admin) -> str:
    return f"{model_admin.model._meta.verbose_name_plural}（评价日 {default_as_of().isoformat()}）"


# --- departments, officials, users ----------------------------------------------------------


@admin.register(Department)
class DepartmentAdmin(ServiceWritesMixin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Official)
class OfficialAdmin(ServiceWritesMixin, admin.ModelAdmin):
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


def _assign_role(user, profile_data: dict) -> None:
    with service_call(UserProfile):
        user_role_assign(
            username=user.username, role=profile_data["role"],
            department=profile_data.get("department"), official=profile_data.get("official"),
        )


@admin.register(UserProfile)
class UserProfileAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    """Who may do what through the API; roles are set with user_role_assign. To revoke, set 只读系统."""

    list_display = ["user", "role", "department", "official"]
    list_filter = ["role", "department"]
    list_select_related = ["user", "department", "official"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "official"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        _assign_role(obj.user, {name: getattr(obj, name) for name in ("role", "department", "official")})
        _adopt(obj, UserProfile.objects.get(user=obj.user))


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    can_delete = False
    max_num = 1
    fields = ["role", "department", "official"]
    autocomplete_fields = ["official"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortfolioUserAdmin(ServiceErrorsMixin, UserAdmin):
    inlines = [UserProfileInline]
    list_display = [*UserAdmin.list_display, "role"]
    list_filter = [*UserAdmin.list_filter, "portfolio_profile__role"]
    list_select_related = ["portfolio_profile"]

    @admin.display(description="角色", ordering="portfolio_profile__role")
    def role(self, user):
        profile = getattr(user, "portfolio_profile", None)
        return profile.get_role_display() if profile else "-"

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for profile_form in formset.forms:
            if profile_form.has_changed():
                _assign_role(form.instance, profile_form.cleaned_data)
                formset.changed_objects.append((profile_form.instance, profile_form.changed_data))


# --- projects -------------------------------------------------------------------------------


class OfficialOptionalMixin:
    """A visit's official may be left blank: the service then takes the project's lead official."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "official":
            field.required = False
            field.help_text = "留空则为项目的分包领导。"
        return field


class ProjectBatchInline(admin.TabularInline):
    model = ProjectBatch
    extra = 0
    fields = ["period", "kind"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 1
    fields = ["kind", "title", "due_period", "due_date", "completed_on", "note"]
    readonly_fields = ["due_date"]
    show_change_link = True


class StatusUpdateInline(admin.TabularInline):
    model = StatusUpdate
    extra = 0
    fields = [
        "reported_on", "status_from", "status_to", "completed_investment", "progress_percent",
        "note", "reported_by",
    ]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VisitInline(OfficialOptionalMixin, admin.TabularInline):
    model = Visit
    extra = 0
    fields = ["visited_on", "kind", "official", "note"]


class ApprovalItemInline(admin.TabularInline):
    model = ApprovalItem
    fk_name = "project"
    extra = 0
    fields = ["name", "department", "mode", "due_date", "completed_on", "note"]


class FlaggedProjectsMixin:
    """Projects annotated with the flags of the contract, as of the default day."""

    def get_queryset(self, request):
        as_of = default_as_of()
        return Project.objects.with_flags(as_of, live=is_live(as_of))


@admin.register(Project)
class ProjectAdmin(
    ServiceErrorsMixin, ReadOnlyHistoryMixin, FlaggedProjectsMixin, ImportExportMixin, SimpleHistoryAdmin,
):
    list_display = [
        "code", "name", "category", "level", "status", "department", "lead_official",
        "next_due_date", "warning_light",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        "category", "level", "sector", "status", "year", "zone", "department", "lead_official",
        "batches__kind", "batches__period", WarningLevelFilter, ProjectOverdueFilter, VisitOverdueFilter,
    ]
    list_select_related = ["department", "lead_official"]
    search_fields = ["name", "code", "owner"]
    inlines = [ProjectBatchInline, MilestoneInline, StatusUpdateInline, VisitInline, ApprovalItemInline]
    resource_classes = [ProjectResource]
    import_formats = [CSV, XLSX]
    export_formats = [XLSX, CSV]
    export_form_class = ChineseExportForm
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
    flag_fieldset = ("亮灯情况", {"fields": [
        "warning_light", "next_due_date", "overdue_milestone_count", "last_visit_on", "visit_overdue_flag",
        "investment_lag", "record_status_update",
    ]})
    record_fieldset = ("记录", {"classes": ["collapse"], "fields": ["version", "created_at", "updated_at"]})
    flag_fields = [
        "warning_light", "next_due_date", "overdue_milestone_count", "last_visit_on", "visit_overdue_flag",
        "investment_lag", "record_status_update", "version", "created_at", "updated_at",
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.base_fieldsets
        return [*self.base_fieldsets, self.flag_fieldset, self.record_fieldset]

    def get_readonly_fields(self, request, obj=None):
        # Once a project exists its status and figures move only with a status update.
        return [*REPORTED_FIELDS, *self.flag_fields] if obj else []

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": _as_of_title(self), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="亮灯", ordering=WARNING_RANK)
    def warning_light(self, project):
        return light(getattr(project, "warning_level", None))

    @admin.display(description="最近节点期限", ordering="next_due_date")
    def next_due_date(self, project):
        return getattr(project, "next_due_date", None) or "-"

    @admin.display(description="逾期节点数")
    def overdue_milestone_count(self, project):
        return getattr(project, "overdue_milestone_count", "-")

    @admin.display(description="最近调研日期")
    def last_visit_on(self, project):
        return getattr(project, "last_visit_on", None) or "-"

    @admin.display(description="超期未调研", boolean=True)
    def visit_overdue_flag(self, project):
        return getattr(project, "visit_overdue", None)

    @admin.display(description="投资滞后（百分点）")
    def investment_lag(self, project):
        lag = getattr(project, "investment_lag", None)
        return "-" if lag is None else f"{lag:.1f}"

    @admin.display(description="进度填报")
    def record_status_update(self, project):
        url = reverse("admin:projects_statusupdate_add") + f"?project={project.pk}"
        return format_html('<a href="{}">新增进度填报</a>（状态、累计投资和形象进度只能这样变更）', url)

    def save_model(self, request, obj, form, change):
        """Nothing here: save_related writes the project together with its batches."""

    def save_related(self, request, form, formsets, change):
        by_model = {formset.model: formset for formset in formsets}
        batch_formset = by_model.get(ProjectBatch)
        batches = _batches(batch_formset) if batch_formset and (batch_formset.has_changed() or not change) else None
        with service_call(Project):
            if not change:
                _adopt(form.instance, project_create(batches=batches or [], **_form_data(form)))
            elif form.has_changed() or batches is not None:
                project_update(project=form.instance, batches=batches, **_form_data(form, form.changed_data))
                form.instance.refresh_from_db()
        for formset in formsets:
            if formset.model in WRITES:
                save_inline(formset, "project", form.instance)
            else:
                _record_batch_changes(formset)

    def delete_model(self, request, obj):
        with service_call(Project):
            project_delete(project=obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for project in queryset:
            self.delete_model(request, project)

    def get_export_resource_classes(self, request):
        return [ProjectExportResource]

    def get_export_filename(self, request, queryset, file_format):
        return f"projects-{default_as_of().isoformat()}.{file_format.get_extension()}"

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        # The confirmed import also rolls back entirely if any row fails.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(request, "导入失败：文件中有错误的行，未导入任何项目。请修正后重新上传。", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:projects_project_import"))
        return super().process_result(result, request)


def _batches(formset) -> list[dict]:
    deleted = formset.deleted_forms
    return [
        {"period": form.cleaned_data["period"], "kind": form.cleaned_data["kind"]}
        for form in formset.forms
        if form not in deleted and form.cleaned_data and (form.instance.pk or form.has_changed())
    ]


def _record_batch_changes(formset) -> None:
    """Batches are written with the project; this only fills in what the change message reads."""
    deleted = formset.deleted_forms if formset.can_delete else []
    formset.deleted_objects = [form.instance for form in deleted if form.instance.pk]
    formset.new_objects = [
        form.instance for form in formset.extra_forms if form.has_changed() and form not in deleted
    ]
    formset.changed_objects = [
        (form.instance, form.changed_data) for form in formset.initial_forms
        if form.has_changed() and form not in deleted
    ]


# --- milestones, status updates, visits, approvals ------------------------------------------


@admin.register(Milestone)
class MilestoneAdmin(ServiceWritesMixin, ReadOnlyHistoryMixin, ExportMixin, SimpleHistoryAdmin):
    list_display = [
        "title", "project", "kind", "due_period", "due_date", "completed_on", "state_display",
    ]
    list_filter = [
        "kind", MilestoneStateFilter, OverdueFilter, CompletedFilter,
        "project__department", "project__lead_official",
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
        return super().get_queryset(request).with_flags(default_as_of())

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": _as_of_title(self), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="状态", ordering="state")
    def state_display(self, milestone):
        state = getattr(milestone, "state", None)
        return MilestoneState(state).label if state else "-"

    def get_export_filename(self, request, queryset, file_format):
        return f"milestones-{default_as_of().isoformat()}.{file_format.get_extension()}"

    def has_export_permission(self, request):
        return self.has_view_permission(request)


class StatusUpdateForm(forms.ModelForm):
    """A new progress report; what is left blank stays as it is."""

    class Meta:
        model = StatusUpdate
        fields = [
            "project", "status_to", "completed_investment", "progress_percent",
            "note", "problems", "next_steps", "reported_on",
        ]
        labels = {"status_to": "变更状态为"}
        help_texts = {
            "status_to": "留空表示状态不变。",
            "completed_investment": "留空表示不变；累计投资不能减少。",
            "progress_percent": "留空表示不变。",
            "reported_on": "留空为今天。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("status_to", "completed_investment", "progress_percent", "reported_on"):
            if name in self.fields:  # absent on the read-only view of a report
                self.fields[name].required = False


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    """Append-only: reports are added through status_update_create, never changed or deleted."""

    form = StatusUpdateForm
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
        "note", "problems", "next_steps", "reported_by", "created_at",
    ]

    def get_fields(self, request, obj=None):
        return self.view_fields if obj else StatusUpdateForm.Meta.fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        with service_call(StatusUpdate):
            report, _ = status_update_create(
                project=data["project"], user=request.user, note=data["note"],
                status=data["status_to"] or None, completed_investment=data["completed_investment"],
                progress_percent=data["progress_percent"], problems=data["problems"],
                next_steps=data["next_steps"], reported_on=data["reported_on"],
            )
        _adopt(obj, report)


@admin.register(Visit)
class VisitAdmin(ServiceWritesMixin, OfficialOptionalMixin, admin.ModelAdmin):
    list_display = ["project", "visited_on", "kind", "official"]
    list_filter = ["kind", "official", "project__department"]
    list_select_related = ["project", "official"]
    search_fields = ["project__name", "project__code", "note"]
    date_hierarchy = "visited_on"
    autocomplete_fields = ["project"]
    fields = ["project", "visited_on", "kind", "official", "note"]


@admin.register(ApprovalItem)
class ApprovalItemAdmin(ServiceWritesMixin, admin.ModelAdmin):
    list_display = ["name", "project", "department", "mode", "due_date", "completed_on", "overdue"]
    list_filter = ["mode", "department", OverdueFilter, CompletedFilter, "project__department"]
    list_select_related = ["project", "department"]
    search_fields = ["name", "project__name", "project__code"]
    autocomplete_fields = ["project"]
    fields = ["project", "name", "department", "mode", "due_date", "completed_on", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_flags(default_as_of())

    @admin.display(description="已逾期", boolean=True, ordering="is_overdue")
    def overdue(self, approval):
        return getattr(approval, "is_overdue", None)


# --- API tokens -----------------------------------------------------------------------------

admin.site.unregister(AuthToken)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with `manage.py issue_token` (the key is shown once); here they are revoked."""

    list_display = ["key_prefix", "owner", "created_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "token_key"]
    fields = list_display
    readonly_fields = list_display

    @admin.display(description="令牌前缀", ordering="token_key")
    def key_prefix(self, token):
        return f"{token.token_key}…"

    @admin.display(description="用户", ordering="user__username")
    def owner(self, token):
        return token.user

    @admin.display(description="签发时间", ordering="created")
    def created_at(self, token):
        return token.created

    @admin.display(description="过期时间", ordering="expiry")
    def expires_at(self, token):
        return token.expiry or "永不过期"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
