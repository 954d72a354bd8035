"""The 招商引资 pages: leads with filters like the API's, moves read-only inline and added through the
service, and the funnel of the year on the list page. Who may write is projects.domain.roles, as in the API."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline

from projects.admin.roles import PolicyAdminMixin
from projects.admin.writes import (
    AppendOnlyMixin,
    ReadOnlyHistoryMixin,
    ReadOnlyInlineMixin,
    ServiceErrorsMixin,
    ServiceWritesMixin,
    adopt,
    service_call,
)
from projects.domain import roles
from projects.domain.dates import default_as_of
from projects.models import Lead, LeadMove
from projects.reports import lead_stats
from projects.services import lead_move_create


class ReceivedYearFilter(admin.SimpleListFilter):
    """收集年度, like the API's `year`."""

    title = "收集年度"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Lead.objects.dates("received_on", "year", order="DESC")
        return [(str(day.year), f"{day.year}年") for day in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdecimal():
            return queryset.filter(received_on__year=int(self.value()))
        return queryset


class LeadMoveInline(ReadOnlyInlineMixin, TabularInline):
    """Moves are append-only: shown here, added with 推进线索."""

    model = LeadMove
    fields = ["moved_on", "stage_from", "stage", "note", "moved_by", "created_at"]
    ordering = ["moved_on", "id"]


@admin.register(Lead)
class LeadAdmin(PolicyAdminMixin, ServiceWritesMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = [
        "name", "enterprise", "stage", "sector", "amount", "department", "official", "received_on", "signed_on",
        "landed_on", "project",
    ]
    list_filter = [
        "stage", "sector", "department", "official", "source", ReceivedYearFilter, "received_on", "signed_on",
    ]
    list_select_related = ["department", "official", "project"]
    search_fields = ["name", "enterprise"]
    autocomplete_fields = ["project"]
    inlines = [LeadMoveInline]
    fields = [
        "name", "enterprise", "sector", "amount", "source", "department", "official", "received_on", "project",
        "note",
    ]
    stage_fields = [
        "stage", "contacted_on", "negotiating_on", "signed_on", "landed_on", "dropped_on", "record_move",
    ]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.stage_fields]

    def get_readonly_fields(self, request, obj=None):
        # The stage and its dates move only with a move; the day it came in stays.
        return ["received_on", *self.stage_fields] if obj else []

    @admin.display(description="推进")
    def record_move(self, lead):
        url = reverse("admin:projects_leadmove_add") + f"?lead={lead.pk}"
        return format_html('<a href="{}">推进线索</a>（阶段和日期只能这样变更）', url)

    def save_model(self, request, obj, form, change):
        # The lead as the write leaves it must be in the caller's scope (a clerk cannot file it elsewhere).
        if not self._may(request, roles.UPDATE if change else roles.CREATE, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            as_of = default_as_of()
            # The funnel of the leads the list shows, for the year of the day the admin reads as.
            context["lead_funnel"] = lead_stats(year=as_of.year, as_of=as_of, leads=context["cl"].queryset)
        return response


class LeadMoveForm(forms.ModelForm):
    class Meta:
        model = LeadMove
        fields = ["lead", "stage", "moved_on", "note"]
        help_texts = {"stage": "可跳过中间阶段（跳过的阶段记为同一日期）；已终止可从落地前任一阶段选择。",
                      "moved_on": "留空为今天；不得早于上一阶段日期，不得晚于今天。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "moved_on" in self.fields:
            self.fields["moved_on"].required = False


@admin.register(LeadMove)
class LeadMoveAdmin(AppendOnlyMixin, PolicyAdminMixin, ServiceErrorsMixin, ModelAdmin):
    """Append-only: moves are added through lead_move_create, never changed or deleted."""

    form = LeadMoveForm
    list_display = ["lead", "moved_on", "stage_from", "stage", "moved_by", "created_at"]
    list_filter = ["stage", "lead__department", "moved_on"]
    list_select_related = ["lead", "moved_by"]
    search_fields = ["lead__name", "lead__enterprise", "note"]
    date_hierarchy = "moved_on"
    autocomplete_fields = ["lead"]
    view_fields = ["lead", "moved_on", "stage_from", "stage", "note", "moved_by", "created_at"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not self._may(request, roles.CREATE, {"lead": data["lead"]}):
            raise PermissionDenied
        with service_call(LeadMove):
            move = lead_move_create(
                lead=data["lead"], user=request.user, stage=data["stage"], moved_on=data["moved_on"],
                note=data["note"],
            )
        adopt(obj, move)
