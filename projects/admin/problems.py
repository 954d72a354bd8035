"""问题台账 and 督办 in the admin: the ledger with the API's filters and each problem's 督办 level for
the page's day; the office's 交办, 退回, 销号 and 撤销 and the responsible unit's 反馈, each a move
through problem_move_create; the rows that raise problems with a report or a visit; the problems and
the office's assessments (人工研判) on the project page. Who may do what is projects.domain.roles,
as in the API, and the move service checks it again under the problem's row lock."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import RangeDateFilter

from projects.admin.filters import AsOfFilter, EscalationLevelFilter, OverdueFilter, PendingOnFilter
from projects.admin.params import request_as_of
from projects.admin.roles import SCOPED_ROLES, PolicyAdminMixin, PolicyInlineMixin, is_office, role
from projects.admin.widgets import as_of_title, escalation_mark, nowrap
from projects.admin.writes import (
    AppendOnlyMixin,
    ReadOnlyHistoryMixin,
    ReadOnlyInlineMixin,
    ServiceErrorsMixin,
    ServiceWritesMixin,
    adopt,
    form_data,
    fresh,
    service_call,
)
from projects.domain import roles
from projects.domain.choices import (
    PROBLEM_MOVES,
    ProblemAction,
    ProblemSource,
    ProblemState,
    problem_move_action,
)
from projects.domain.dates import default_as_of, is_live
from projects.domain.lights import thresholds
from projects.models import Assessment, Problem, ProblemMove
from projects.services import assessment_create, notices, problem_create, problem_move_create, problem_update

# Where each move leads (交办 and 退回 both lead to 已交办), and the states it starts from.
ACTION_TARGET = {action: state_to for (_, state_to), action in PROBLEM_MOVES.items()}
ACTION_SOURCES = {
    action: [state_from for (state_from, _), move in PROBLEM_MOVES.items() if move == action]
    for action in ProblemAction.values
}
# The page and the words of each move's form.
MOVE_TITLES = {
    ProblemAction.ASSIGN: "交办问题",
    ProblemAction.ANSWER: "反馈办理情况",
    ProblemAction.RETURN: "退回重办",
    ProblemAction.RESOLVE: "销号",
    ProblemAction.CANCEL: "撤销问题",
}
MOVE_LABELS = {
    ProblemAction.ASSIGN: {"moved_on": "交办日期", "note": "交办要求", "due_date": "限时办结日期"},
    ProblemAction.ANSWER: {"moved_on": "反馈日期", "note": "办理情况"},
    ProblemAction.RETURN: {"moved_on": "退回日期", "note": "退回理由", "due_date": "新的限时办结日期",
                           "responsible_department": "责任单位"},
    ProblemAction.RESOLVE: {"moved_on": "销号日期", "note": "销号意见"},
    ProblemAction.CANCEL: {"moved_on": "撤销日期", "note": "撤销理由"},
}
MOVE_HELP = {
    ProblemAction.RETURN: {"due_date": "留空则沿用原期限。", "responsible_department": "可改交其他单位。"},
}


def deadline_help() -> str:
    """What a deadline brings, with the escalation thresholds as set."""
    level2, level3 = (thresholds()[name] for name in ("PROBLEM_LEVEL2_AFTER_DAYS", "PROBLEM_LEVEL3_AFTER_DAYS"))
    return (f"责任单位须在此日期前办结并反馈；逾期 1–{level2} 天催办，{level2 + 1}–{level3} 天督办，"
            f"超过 {level3} 天通报。")

# The moves that name the unit and the deadline (交办, 退回); the others only say what was done.
HANDOVER_FIELDS = ["action", "problem", "responsible_department", "due_date", "moved_on", "note"]
NOTE_FIELDS = ["action", "problem", "moved_on", "note"]


def target_of(action: str) -> str:
    return ACTION_TARGET[ProblemAction(action)]


def actions_on(user, problem: Problem) -> list[str]:
    """The moves `user` may make on `problem` in its current state, in the order of the workflow."""
    return [
        action for action in ProblemAction.values
        if problem_move_action(problem.state, target_of(action)) == action and roles.can(user, "problem", action, problem)
    ]


def move_url(problem: Problem, action: str) -> str:
    return notices.problem_move_link(problem.pk, action)


def action_links(user, problem: Problem):
    """Links to the moves `user` may make on `problem` now (交办, 反馈 …), or "-"."""
    actions = actions_on(user, problem)
    if not actions:
        return "-"
    return format_html_join(
        "　", '<a class="problem-action problem-action-{} font-semibold text-primary-600 underline" href="{}">{}</a>',
        ((action, move_url(problem, action), ProblemAction(action).label) for action in actions),
    )


def flagged_problems(queryset, request):
    """`queryset` with the flags (逾期, 督办级别) and the state on the page's `?as_of=`."""
    as_of = request_as_of(request)[0]
    live = is_live(as_of)
    return queryset.with_flags(as_of, live=live).with_state_on(as_of, live=live)


class ProblemTodoFilter(admin.SimpleListFilter):
    """待办: a clerk's or an official's problems to answer (待我反馈: handed to its unit, or to it as the
    coordinating official), the office's to assign (待交办) and to close (待销号). Clerks and officials
    open the list on their own."""

    title = "待办"
    parameter_name = "todo"
    ANSWER, ASSIGN, RESOLVE, ALL = "answer", "assign", "resolve", "all"

    def lookups(self, request, model_admin):
        if is_office(request):
            return [(self.ASSIGN, "待交办"), (self.RESOLVE, "待销号（已反馈）"), (self.ALL, "全部问题")]
        if role(request) in SCOPED_ROLES:
            return [(self.ANSWER, "待我反馈"), (self.ALL, "全部问题")]
        return []

    def value(self):
        value = super().value()
        offered = [choice for choice, _ in self.lookup_choices]
        if value in offered:
            return value
        if self.ANSWER in offered:
            return self.ANSWER
        return self.ALL if offered else None

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ANSWER:
            return queryset.filter(state=ProblemState.ASSIGNED).filter(
                roles.scope_filter(request.user, "problem", ProblemAction.ANSWER),
            )
        if self.value() == self.ASSIGN:
            return queryset.filter(state=ProblemState.OPEN)
        if self.value() == self.RESOLVE:
            return queryset.filter(state=ProblemState.ANSWERED)
        return queryset


class ProblemMoveInline(ReadOnlyInlineMixin, TabularInline):
    """The problem's moves, to read; a move is made with the links of 办理."""

    model = ProblemMove
    fields = ["moved_on", "state_from", "state_to", "responsible_department", "due_date", "note", "moved_by"]
    ordering = ["moved_on", "id"]
    verbose_name_plural = "办理过程"


class ProblemForm(forms.ModelForm):
    """A new problem; the office also says where it came from (its own, or a meeting's)."""

    class Meta:
        model = Problem
        fields = [
            "project", "title", "category", "description", "source", "raised_on", "responsible_department",
            "coordinating_official",
        ]
        labels = {"responsible_department": "建议责任单位"}
        help_texts = {
            "raised_on": "留空为今天。",
            "responsible_department": "可先建议；由重点项目办交办时确定。",
            "source": "调度会上提出的问题选“调度会”。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "raised_on" in self.fields:
            self.fields["raised_on"].required = False
        if "source" in self.fields:
            # Reports and visits raise theirs on their own forms; here the office raises its own or a meeting's.
            self.fields["source"].choices = [
                (source.value, source.label) for source in (ProblemSource.OFFICE, ProblemSource.MEETING)
            ]


class ProblemChangeForm(forms.ModelForm):
    """A raised problem: the office corrects its words; the rest moves with 办理 or stays as raised."""

    class Meta:
        model = Problem
        fields = ["title", "category", "description", "coordinating_official"]
        help_texts = {
            "coordinating_official": "协调领导也可以反馈办理情况。",
            # Shown beside the read-only unit: it changes only with 交办 or 退回.
            "responsible_department": "由重点项目办交办或退回时确定。",
        }


@admin.register(Problem)
class ProblemAdmin(PolicyAdminMixin, ServiceWritesMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    form = ProblemForm
    list_display = [
        "title", "project_name", "category", "state_cell", "unit_cell", "due_cell", "escalation", "raised_cell",
        "handling",
    ]
    list_display_links = ["title"]
    list_filter = [
        ProblemTodoFilter, "state", "category", "source", "responsible_department", "project__department",
        OverdueFilter, EscalationLevelFilter, PendingOnFilter, ("raised_on", RangeDateFilter),
        ("due_date", RangeDateFilter), "project__year", AsOfFilter,
    ]
    list_filter_submit = True  # the date ranges are typed, then applied
    list_select_related = ["project", "responsible_department"]
    list_before_template = "admin/projects/project/list_before.html"
    search_fields = ["title", "description", "project__name", "project__code"]
    autocomplete_fields = ["project"]
    inlines = [ProblemMoveInline]
    add_fields = [
        "project", "title", "category", "description", "source", "raised_on", "responsible_department",
        "coordinating_official",
    ]
    handling_fieldset = ("办理", {"fields": [
        "state", "escalation", "responsible_department", "due_date", "resolved_on", "handling",
    ]})
    problem_fieldset = ("问题", {"fields": ["project", "title", "category", "description", "coordinating_official"]})
    origin_fieldset = ("来源", {"fields": ["source", "origin", "raised_on", "raised_by"]})

    def get_queryset(self, request):
        return flagged_problems(super().get_queryset(request), request)

    def get_form(self, request, obj=None, **kwargs):
        return super().get_form(request, obj, **{"form": ProblemForm if obj is None else ProblemChangeForm, **kwargs})

    def has_delete_permission(self, request, obj=None):
        # A problem that has moved is cancelled (撤销), never deleted (problem_delete).
        return super().has_delete_permission(request, obj) and (obj is None or not obj.moves.exists())

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            fields = [name for name in self.add_fields if name != "source" or is_office(request)]
            return [(None, {"fields": fields})]
        return [self.handling_fieldset, self.problem_fieldset, self.origin_fieldset]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        shown = [name for _, options in self.get_fieldsets(request, obj) for name in options["fields"]]
        if not self._may(request, roles.UPDATE, obj):
            return shown
        return [name for name in shown if name not in ProblemChangeForm.Meta.fields]

    def get_changeform_initial_data(self, request):
        """Opened from a project (提出问题, ?project=ID): that project, the default day, the office's own source."""
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("raised_on", default_as_of())
        initial.setdefault("source", ProblemSource.OFFICE)
        return initial

    def lookup_allowed(self, lookup, value, request=None):
        # The project page links to its problems (?project__id__exact=ID).
        return lookup == "project__id__exact" or super().lookup_allowed(lookup, value, request)

    def changelist_view(self, request, extra_context=None):
        title = as_of_title(self, request)
        todo = ProblemTodoFilter(request, request.GET.copy(), self.model, self)
        if todo.value() == ProblemTodoFilter.ANSWER:
            title = title.replace(str(self.model._meta.verbose_name_plural), "待我反馈的问题", 1)
        # The to-do choices as buttons above the list, as 我的项目 / 全部项目 on the project list.
        day = {"as_of": request.GET["as_of"]} if request.GET.get("as_of") else {}
        tabs = [
            {"label": label, "active": todo.value() == value,
             "url": "?" + urlencode({ProblemTodoFilter.parameter_name: value, **day})}
            for value, label in todo.lookup_choices
        ]
        extra_context = {"title": title, "scope_tabs": tabs, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_continue" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, f"已提出问题“{obj.title}”，待重点项目办交办。", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:projects_problem_change", args=[obj.pk]))

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        with service_call(Problem):
            if change:
                saved = problem_update(problem=fresh(obj), user=request.user, **form_data(form, form.changed_data))
            else:
                data = form_data(form)
                # The add page of a clerk or an official has no 来源: the service takes its channel.
                saved = problem_create(user=request.user, **{**data, "source": data.get("source") or None})
        adopt(obj, saved)

    @admin.display(description="督办", ordering="escalation_level")
    def escalation(self, problem):
        return escalation_mark(problem)

    # The list's short cells stay on one line at 1366 px.
    @admin.display(description="项目", ordering="project__name")
    def project_name(self, problem):
        return problem.project.name

    @admin.display(description="状态", ordering="state")
    def state_cell(self, problem):
        return nowrap(problem.get_state_display())

    @admin.display(description="责任单位", ordering="responsible_department__name")
    def unit_cell(self, problem):
        return nowrap(problem.responsible_department and problem.responsible_department.name)

    @admin.display(description="限时办结", ordering="due_date")
    def due_cell(self, problem):
        return nowrap(problem.due_date)

    @admin.display(description="提出日期", ordering="raised_on")
    def raised_cell(self, problem):
        return nowrap(problem.raised_on)

    @admin.display(description="可办理")
    def handling(self, problem):
        """The moves the signed-in user may make now (its `viewer`, set by get_object)."""
        return action_links(problem.viewer, problem)

    @admin.display(description="来源记录")
    def origin(self, problem):
        if problem.source_status_update_id:
            report = problem.source_status_update
            url = reverse("admin:projects_statusupdate_change", args=[report.pk])
            return format_html('<a href="{}">进度填报（{}）</a>', url, report.reported_on.isoformat())
        if problem.source_visit_id:
            visit = problem.source_visit
            url = reverse("admin:projects_visit_change", args=[visit.pk])
            return format_html('<a href="{}">调研（{} {}）</a>', url, visit.visited_on.isoformat(), visit.official)
        return "-"

    def get_list_display(self, request):
        # The 办理 column asks the policy about each row for the signed-in user.
        def handling(problem):
            return action_links(request.user, problem)

        handling.short_description = "可办理"
        return [handling if name == "handling" else name for name in super().get_list_display(request)]

    def get_object(self, request, object_id, from_field=None):
        problem = super().get_object(request, object_id, from_field)
        if problem is not None:
            problem.viewer = request.user
        return problem

    def save_related(self, request, form, formsets, change):
        """The moves inline is read only: nothing is written from it."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class ProblemMoveForm(forms.ModelForm):
    """One move of a problem; `action` (交办, 反馈 …) says which, and so which fields the page shows."""

    action = forms.ChoiceField(choices=ProblemAction.choices, widget=forms.HiddenInput)

    class Meta:
        model = ProblemMove
        fields = ["problem", "responsible_department", "due_date", "moved_on", "note"]
        help_texts = {"moved_on": "留空为今天；不得早于上一次办理的日期。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "moved_on" in self.fields:
            self.fields["moved_on"].required = False
        if "problem" in self.fields:
            self.fields["problem"].label_from_instance = lambda problem: f"{problem.project.name}：{problem.title}"


@admin.register(ProblemMove)
class ProblemMoveAdmin(AppendOnlyMixin, PolicyAdminMixin, ServiceErrorsMixin, ModelAdmin):
    """办理 (交办, 反馈, 退回, 销号, 撤销): append-only moves added through problem_move_create, one page per move."""

    policy_resource = "problem"
    form = ProblemMoveForm
    list_display = [
        "problem", "moved_on", "state_from", "state_to", "responsible_department", "due_date", "moved_by", "created_at",
    ]
    list_filter = ["state_to", "responsible_department", "problem__project__department", "moved_on"]
    list_select_related = ["problem", "responsible_department", "moved_by"]
    search_fields = ["problem__title", "problem__project__name", "note"]
    date_hierarchy = "moved_on"
    view_fields = [
        "problem", "moved_on", "state_from", "state_to", "responsible_department", "due_date", "note", "moved_by",
        "created_at",
    ]
    change_form_before_template = "admin/projects/problemmove/problem_summary.html"
    show_add_link = False  # a move is added from its problem (办理), never from an empty page

    @staticmethod
    def _action(request) -> str | None:
        """The move a page or a POST is about; None when it names none."""
        value = (request.POST if request.method == "POST" else request.GET).get("action")
        return value if value in ProblemAction.values else None

    def has_add_permission(self, request):
        """Only through a move's page (?action=…), for a role the policy lets make that move on some problem."""
        action = self._action(request)
        return action is not None and roles.allowed(request.user, "problem", action)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.view_fields
        return HANDOVER_FIELDS if self._action(request) in (ProblemAction.ASSIGN, ProblemAction.RETURN) else NOTE_FIELDS

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        action = self._action(request)
        if obj is None and action is not None:
            for name, label in MOVE_LABELS[action].items():
                if name in form.base_fields:
                    form.base_fields[name].label = label
            for name, text in MOVE_HELP.get(action, {}).items():
                if name in form.base_fields:
                    form.base_fields[name].help_text = text
            if action == ProblemAction.ASSIGN:
                for name in ("responsible_department", "due_date"):
                    form.base_fields[name].required = True
                form.base_fields["due_date"].help_text = deadline_help()
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        action = self._action(request)
        if db_field.name == "problem" and action is not None:
            # Only the problems the user may make this move on, in a state it starts from.
            field.queryset = (
                Problem.objects.writable_by(request.user, action)
                .filter(state__in=ACTION_SOURCES[action]).select_related("project")
            )
        return field

    def _problem(self, request) -> Problem | None:
        problem_id = request.GET.get("problem", "")
        if not problem_id.isdigit():
            return None
        return flagged_problems(Problem.objects.select_related("project", "responsible_department"), request).filter(
            pk=int(problem_id),
        ).first()

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial["action"] = self._action(request)
        initial.setdefault("moved_on", default_as_of())
        problem = self._problem(request)
        if problem is not None and initial["action"] == ProblemAction.ASSIGN:
            initial.setdefault("responsible_department", problem.responsible_department_id or problem.project.department_id)
        if problem is not None and initial["action"] == ProblemAction.RETURN:
            initial.setdefault("responsible_department", problem.responsible_department_id)
        return initial

    def add_view(self, request, form_url="", extra_context=None):
        action = self._action(request)
        problem = self._problem(request)
        context = {
            "title": MOVE_TITLES[action] if action else "办理问题",
            # One move per page: no "save and add another", no "save and continue".
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            "move_problem": problem,
            "move_problem_moves": list(problem.moves.select_related("moved_by", "responsible_department")) if problem else [],
            **(extra_context or {}),
        }
        return super().add_view(request, form_url, context)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        action, problem = data["action"], data["problem"]
        with service_call(ProblemMove):
            if problem_move_action(problem.state, target_of(action)) != action:
                raise ValidationError({"problem": [
                    f"该问题现为“{problem.get_state_display()}”，不能{ProblemAction(action).label}。",
                ]})
            move = problem_move_create(
                problem=problem, user=request.user, state=target_of(action), note=data["note"],
                moved_on=data.get("moved_on"), responsible_department=data.get("responsible_department"),
                due_date=data.get("due_date"),
            )
        adopt(obj, move)

    def response_add(self, request, obj, post_url_continue=None):
        problem = obj.problem
        action = ProblemAction(problem_move_action(obj.state_from, obj.state_to))
        self.message_user(
            request, f"{action.label}完成：“{problem.title}”，问题现为“{problem.get_state_display()}”。", messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:projects_problem_change", args=[problem.pk]))


# --- problems raised with a report or a visit -----------------------------------------------------------


class RaisedProblemFormSet(BaseInlineFormSet):
    """The problems a new report or visit raises, written by its service in the same transaction.

    Like ProjectBatchFormSet, the formset leaves itself on the record being added
    (`raised_formset`), so the page's save_model hands the rows to status_update_create or
    visit_create; afterwards it only records what the admin's change message reads.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.raised_formset = self

    def rows(self) -> list[dict]:
        """The filled rows as `raise_problems` ({title, category, description} each)."""
        deleted = self.deleted_forms if self.can_delete else []
        return [
            {name: form.cleaned_data[name] for name in ("title", "category", "description")}
            for form in self.forms
            if form not in deleted and form.has_changed() and form.cleaned_data
        ]

    def record_changes(self, raised: list[Problem]) -> None:
        self.new_objects, self.changed_objects, self.deleted_objects = raised, [], []


class RaisedProblemInline(PolicyInlineMixin, TabularInline):
    """新提出的问题: rows on a new report or visit; on a saved one, the problems it raised, to read."""

    model = Problem
    policy_resource = "problem"
    formset = RaisedProblemFormSet
    fields = ["title", "category", "description"]
    extra = 1
    verbose_name = "问题"
    verbose_name_plural = "本次提出的问题（进入问题台账，由重点项目办交办）"

    def has_add_permission(self, request, obj=None):
        # Raised only with a new record: the project's scope is checked by the record's own picker.
        return obj is None and roles.allowed(request.user, "problem", roles.CREATE)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["description"].widget.attrs["rows"] = 2
        return formset


class ReportProblemInline(RaisedProblemInline):
    fk_name = "source_status_update"


class VisitProblemInline(RaisedProblemInline):
    fk_name = "source_visit"


def raised_rows(obj) -> list[dict]:
    """The rows of the record's RaisedProblemFormSet (none when the page had none)."""
    formset = getattr(obj, "raised_formset", None)
    return formset.rows() if formset is not None else []


def record_raised(formsets, record, change: bool) -> None:
    """After the record's service raised its problems: tell the admin's change message about them
    (a saved record's rows are read only, so a change raises none)."""
    for formset in formsets:
        if isinstance(formset, RaisedProblemFormSet):
            formset.record_changes([] if change else list(record.raised_problems.all()))


# --- on the project page ------------------------------------------------------------------------------


class ProjectProblemInline(ReadOnlyInlineMixin, TabularInline):
    """The project's problems with their 督办 level for the page's day; each opens its own page."""

    model = Problem
    fk_name = "project"
    fields = ["problem", "category", "state", "responsible_department", "due_date", "escalation", "raised_on"]
    verbose_name_plural = "问题台账"

    def get_queryset(self, request):
        return flagged_problems(super().get_queryset(request), request).select_related("responsible_department")

    @admin.display(description="督办")
    def escalation(self, problem):
        return escalation_mark(problem)

    @admin.display(description="问题")
    def problem(self, problem):
        url = reverse("admin:projects_problem_change", args=[problem.pk])
        return format_html('<a class="problem-link font-semibold text-primary-600 underline" href="{}">{}</a>', url,
                           problem.title)


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["level", "reason", "assessed_on", "valid_until"]
        help_texts = {"assessed_on": "留空为今天。", "valid_until": "留空为研判日期后 30 天，最长 90 天。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("assessed_on", "valid_until"):
            self.fields[name].required = False
        self.fields["reason"].widget.attrs["rows"] = 2

    def _get_validation_exclusions(self):
        # assessment_create checks the two days and says what is wrong in words a user reads.
        return super()._get_validation_exclusions() | {"assessed_on", "valid_until"}


class AssessmentInline(PolicyInlineMixin, TabularInline):
    """人工研判: the office adds its own light for the project (append-only); everyone reads them."""

    model = Assessment
    form = AssessmentForm
    fields = ["level", "reason", "assessed_on", "valid_until", "assessed_by"]
    readonly_fields = ["assessed_by"]
    extra = 1
    verbose_name = "人工研判"
    verbose_name_plural = "人工研判（重点项目办）"

    def has_add_permission(self, request, obj=None):
        # Assessed once the project exists.
        return obj is not None and super().has_add_permission(request, obj)

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if self.has_add_permission(request, obj) else 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def save_assessments(formset, project, user) -> None:
    """The new rows of an AssessmentInline, each through assessment_create."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for number, form in enumerate(formset.extra_forms, 1):
        if not form.has_changed():
            continue
        with service_call(Assessment, f"人工研判第{number}行"):
            roles.check(user, "assessment", roles.CREATE, {"project": project})
            data = form.cleaned_data
            formset.new_objects.append(assessment_create(
                project=project, user=user, level=data["level"], reason=data["reason"],
                assessed_on=data.get("assessed_on"), valid_until=data.get("valid_until"),
            ))
