"""Filtersets of the list endpoints; every parameter is declared and bad values are 400."""

from urllib.parse import parse_qs

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.http import QueryDict
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from projects.domain.choices import (
    ApprovalMode,
    BatchKind,
    EscalationLevel,
    LeadStage,
    MilestoneKind,
    MilestoneState,
    ProblemCategory,
    ProblemSource,
    ProblemState,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    TargetMetric,
    WarningLevel,
    WarningRule,
)
from projects.domain.dates import QUERY_DATES, parse_date, parse_query_datetime
from projects.domain.lights import RULES
from projects.domain.periods import parse_period
from projects.models import (
    ApprovalItem,
    Department,
    Lead,
    Milestone,
    Notification,
    Official,
    Problem,
    Project,
    ProjectBatch,
    StatusUpdate,
    Target,
    Visit,
)
from projects.querysets import done_on, open_on

TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}
# The largest id a BigAutoField holds; SQLite cannot even bind a larger integer.
MAX_ID = 2**63 - 1


def _split(data, name) -> list[str]:
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
    return [part.strip() for value in values if value for part in str(value).split(",") if part.strip()]


class CSVSelectMultiple(forms.SelectMultiple):
    """Takes `?x=a,b` as well as `?x=a&x=b`."""

    def value_from_datadict(self, data, files, name):
        return _split(data, name)


class CSVTextInput(forms.TextInput):
    def value_from_datadict(self, data, files, name):
        return _split(data, name)


class MultiChoiceFilter(filters.MultipleChoiceFilter):
    """A code filter taking several values; an unknown code is 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CSVSelectMultiple)
        # No code filter joins a to-many relation, so rows never repeat: DISTINCT would only make
        # the database evaluate every flag of every row to compare them.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class CSVListField(forms.Field):
    widget = CSVTextInput

    def __init__(self, *args, item_field: forms.Field, **kwargs):
        self.item_field = item_field
        super().__init__(*args, **kwargs)

    def clean(self, value):
        values = value or []
        if self.required and not values:
            raise ValidationError(self.error_messages["required"], code="required")
        return [self.item_field.clean(item) for item in values]


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IdListFilter(filters.Filter):
    """One or more integer ids: `?lead_official=3,4`."""

    field_class = CSVListField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("item_field", forms.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TextListFilter(IdListFilter):
    """One or more exact texts: `?zone=二七经开区,二七商圈`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("item_field", forms.CharField(max_length=200))
        super().__init__(*args, **kwargs)


class ReferenceListField(CSVListField):
    """Related objects named by integer id (or, where the model has one, by code); every one must exist."""

    def __init__(self, *args, model, by_code: bool = False, **kwargs):
        self.model, self.by_code = model, by_code
        kwargs.setdefault("item_field", forms.CharField(max_length=40))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        items = super().clean(value)
        if not items:
            return []
        # isdecimal, not isdigit: "²" is a digit that int() rejects.
        ids = {int(item) for item in items if item.isdecimal() and int(item) <= MAX_ID}
        codes = {item for item in items if not item.isdecimal()}
        if codes and not self.by_code:
            raise ValidationError("应为整数 id：%(values)s。", code="invalid", params={"values": "、".join(sorted(codes))})
        if self.by_code:
            rows = list(self.model.objects.filter(Q(pk__in=ids) | Q(code__in=codes)).values_list("pk", "code"))
        else:
            rows = [(pk, None) for pk in self.model.objects.filter(pk__in=ids).values_list("pk", flat=True)]
        known = {str(pk) for pk, _ in rows} | {code for _, code in rows}
        unknown = [item for item in items if (str(int(item)) if item.isdecimal() else item) not in known]
        if unknown:
            raise ValidationError(
                "没有这样的%(model)s：%(values)s。", code="unknown",
                params={"model": self.model._meta.verbose_name, "values": "、".join(unknown[:10])},
            )
        return sorted({pk for pk, _ in rows})


class ReferenceFilter(filters.Filter):
    """A filter on a related object: an unknown id or code is 400, never an empty answer."""

    field_class = ReferenceListField

    def __init__(self, *args, model, by_code: bool = False, **kwargs):
        kwargs.update(model=model, by_code=by_code)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


@extend_schema_field({"type": "array", "items": {"type": "integer", "minimum": 1}})
class IdReferenceFilter(ReferenceFilter):
    """One or more ids of existing rows: `?lead_official=3,4`."""


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class DepartmentFilter(ReferenceFilter):
    """A department by integer id or by code (codes contain a letter); several allowed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, model=Department, by_code=True, **kwargs)


class StrictBooleanField(forms.Field):
    widget = forms.TextInput

    def clean(self, value):
        if value in (None, ""):
            return None
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError("应为 true 或 false。", code="invalid_boolean")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(filters.Filter):
    """true/false/1/0; anything else is 400 rather than silently ignored."""

    field_class = StrictBooleanField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{self.field_name: value})


class PeriodField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        period = parse_period(value)
        QUERY_DATES.check(period.start)
        QUERY_DATES.check(period.end)
        return period


class QueryDateField(forms.CharField):
    """A date asked about: YYYY-MM-DD within 1900–2999, the impossible day named."""

    def clean(self, value):
        value = super().clean(value)
        return parse_date(value, QUERY_DATES) if value else None


class QueryDateTimeField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        return parse_query_datetime(value) if value else None


@extend_schema_field({"type": "string", "format": "date", "pattern": QUERY_DATES.pattern})
class DateFilter(filters.Filter):
    """`?x_before=` / `?x_after=`: a date, bounds included."""

    field_class = QueryDateField


@extend_schema_field({"type": "string", "format": "date-time"})
class DateTimeFilter(filters.Filter):
    """A moment for incremental sync; a date means its midnight, a naive time is Asia/Shanghai."""

    field_class = QueryDateTimeField


class OrderingFilter(filters.OrderingFilter):
    """Ordering with empty values last and the id as the final tie-breaker, so pages are stable."""

    def filter(self, qs, value):
        # Empty parts (`?ordering=name,,` or `?ordering=,`) are skipped, as in every CSV filter.
        value = [param for param in value or [] if param]
        if not value:
            return qs
        terms = []
        for param in value:
            descending = param.startswith("-")
            field = self.param_map[param.lstrip("-")]
            terms.append(F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True))
        return qs.order_by(*terms, "pk")


class AsOfFilterSet(filters.FilterSet):
    """A filterset whose date-dependent filters use the `as_of` the view resolved (or the one given)."""

    def __init__(self, *args, as_of=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._as_of = as_of

    @property
    def as_of(self):
        return self._as_of or self.request.portfolio_as_of


@extend_schema_field(OpenApiTypes.STR)
class PeriodFilter(filters.Filter):
    field_class = PeriodField


def _period_filter(label: str) -> PeriodFilter:
    return PeriodFilter(method="filter_due_period", label=label)


class ProjectFilterSet(AsOfFilterSet):
    category = MultiChoiceFilter(choices=ProjectCategory.choices)
    level = MultiChoiceFilter(choices=ProjectLevel.choices)
    sector = MultiChoiceFilter(choices=Sector.choices)
    status = MultiChoiceFilter(choices=ProjectStatus.choices)
    year = IdListFilter(field_name="year", item_field=forms.IntegerField(min_value=2000, max_value=2100))
    zone = TextListFilter(field_name="zone")
    batch = MultiChoiceFilter(choices=BatchKind.choices, method="filter_batch", label="“三个一批”批次类型")
    batch_period = IdListFilter(method="filter_batch_period", label="“三个一批”期数")
    department = DepartmentFilter(field_name="department")
    lead_official = IdReferenceFilter(field_name="lead_official", model=Official)
    is_overdue = StrictBooleanFilter(field_name="is_overdue")
    warning_level = MultiChoiceFilter(choices=WarningLevel.choices)
    warning_rule = MultiChoiceFilter(
        choices=WarningRule.choices, method="filter_warning_rule", label="亮灯原因：该规则亮黄灯或红灯（多个为任一）",
    )
    assessed_level = MultiChoiceFilter(choices=WarningLevel.choices, label="as_of 当日有效的人工研判亮灯")
    visit_overdue = StrictBooleanFilter(field_name="visit_overdue")
    due_before = DateFilter(field_name="next_due_date", lookup_expr="lte")
    due_after = DateFilter(field_name="next_due_date", lookup_expr="gte")
    due_period = _period_filter("有未完成节点在该期限内到期（2023-Q2、2023-06 或 2023-06-15）")
    search = filters.CharFilter(method="filter_search", label="名称、编号或建设单位包含")
    updated_after = DateTimeFilter(field_name="updated_at", lookup_expr="gte")
    ordering = OrderingFilter(fields=(
        "name", "code", "next_due_date", "updated_at", "total_investment", "completed_investment",
    ))

    class Meta:
        model = Project
        fields = []

    def filter_warning_rule(self, qs, name, value):
        if not value:
            return qs
        lit_by_any = Q()
        for rule in RULES:
            if rule.code in value:
                lit_by_any |= Q(**{f"{rule.level_name}__in": [WarningLevel.RED, WarningLevel.YELLOW]})
        return qs.filter(lit_by_any)

    def filter_batch(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(Exists(ProjectBatch.objects.filter(project=OuterRef("pk"), kind__in=value)))

    def filter_batch_period(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(Exists(ProjectBatch.objects.filter(project=OuterRef("pk"), period__in=value)))

    def filter_due_period(self, qs, name, period):
        if period is None:
            return qs
        due_in = Milestone.objects.filter(
            open_on(self.as_of), project=OuterRef("pk"), due_date__range=(period.start, period.end),
        )
        return qs.filter(Exists(due_in))

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(owner__icontains=value))


# Project filters a target's scope may not use: the target states its own year, and the
# order of a set does not change what it sums.
SCOPE_EXCLUDED_FILTERS = {"year", "ordering"}


def project_scope(scope: str, *, queryset, as_of):
    """The projects of `queryset` that a target's `scope` (a project filter query) selects.

    Raises ValidationError({"scope": [...]}) for anything the project filters refuse, an unknown
    parameter, or a parameter they ignore here.
    """
    text = (scope or "").strip().lstrip("?")
    try:
        parse_qs(text, strict_parsing=bool(text), max_num_fields=50)
    except ValueError:
        raise ValidationError({"scope": [f"“{text[:60]}”不是有效的筛选条件，应为 level=provincial,municipal 这样的格式。"]}) from None
    data = QueryDict(text)
    allowed = set(ProjectFilterSet.base_filters) - SCOPE_EXCLUDED_FILTERS
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({"scope": [
            f"不支持的筛选条件：{'、'.join(unknown)}。可用：{'、'.join(sorted(allowed))}。"
        ]})
    filterset = ProjectFilterSet(data, queryset=queryset, as_of=as_of)
    if not filterset.is_valid():
        raise ValidationError({"scope": [
            f"{name}：{message}" for name, messages in filterset.errors.items() for message in messages
        ]})
    return filterset.qs


class ProjectScopedFilterSet(AsOfFilterSet):
    """Filters shared by the records that belong to a project."""

    project = IdReferenceFilter(field_name="project", model=Project)
    department = DepartmentFilter(field_name="project__department")
    lead_official = IdReferenceFilter(field_name="project__lead_official", model=Official)


class DeadlineFilterSet(ProjectScopedFilterSet):
    is_overdue = StrictBooleanFilter(field_name="is_overdue")
    due_before = DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = DateFilter(field_name="due_date", lookup_expr="gte")
    due_period = _period_filter("截止日期在该期限内（2023-Q2、2023-06 或 2023-06-15）")
    completed = StrictBooleanFilter(method="filter_completed", label="截至 as_of 是否已完成")

    def filter_due_period(self, qs, name, period):
        if period is None:
            return qs
        return qs.filter(due_date__range=(period.start, period.end))

    def filter_completed(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(done_on(self.as_of) if value else open_on(self.as_of))


class MilestoneFilterSet(DeadlineFilterSet):
    kind = MultiChoiceFilter(choices=MilestoneKind.choices)
    state = MultiChoiceFilter(choices=MilestoneState.choices)

    class Meta:
        model = Milestone
        fields = []


class ApprovalItemFilterSet(DeadlineFilterSet):
    mode = MultiChoiceFilter(choices=ApprovalMode.choices)
    approving_department = DepartmentFilter(field_name="department", label="审批单位（id 或代码）")

    class Meta:
        model = ApprovalItem
        fields = []


class VisitFilterSet(ProjectScopedFilterSet):
    official = IdReferenceFilter(field_name="official", model=Official)
    kind = MultiChoiceFilter(choices=Visit._meta.get_field("kind").choices)
    visited_after = DateFilter(field_name="visited_on", lookup_expr="gte")
    visited_before = DateFilter(field_name="visited_on", lookup_expr="lte")

    class Meta:
        model = Visit
        fields = []


class StatusUpdateFilterSet(ProjectScopedFilterSet):
    reported_after = DateFilter(field_name="reported_on", lookup_expr="gte")
    reported_before = DateFilter(field_name="reported_on", lookup_expr="lte")

    class Meta:
        model = StatusUpdate
        fields = []


class OfficialFilterSet(filters.FilterSet):
    department = DepartmentFilter(field_name="department")
    is_active = StrictBooleanFilter(field_name="is_active")
    search = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Official
        fields = []


class LeadFilterSet(filters.FilterSet):
    stage = MultiChoiceFilter(choices=LeadStage.choices)
    sector = MultiChoiceFilter(choices=Sector.choices)
    department = DepartmentFilter(field_name="department")
    official = IdReferenceFilter(field_name="official", model=Official)
    source = TextListFilter(field_name="source")
    year = IdListFilter(
        field_name="received_on__year", item_field=forms.IntegerField(min_value=2000, max_value=2100),
        label="收集年度",
    )
    received_after = DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = DateFilter(field_name="received_on", lookup_expr="lte")
    signed_after = DateFilter(field_name="signed_on", lookup_expr="gte")
    signed_before = DateFilter(field_name="signed_on", lookup_expr="lte")
    search = filters.CharFilter(method="filter_search", label="名称或企业包含")

    class Meta:
        model = Lead
        fields = []

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(name__icontains=value) | Q(enterprise__icontains=value))


class TargetFilterSet(filters.FilterSet):
    year = IdListFilter(field_name="year", item_field=forms.IntegerField(min_value=2000, max_value=2100))
    metric = MultiChoiceFilter(choices=TargetMetric.choices)
    due_before = DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = DateFilter(field_name="due_date", lookup_expr="gte")
    search = filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Target
        fields = []


class NotificationFilterSet(filters.FilterSet):
    unread = StrictBooleanFilter(field_name="read_at__isnull", help_text="true：只列未读；false：只列已读")

    class Meta:
        model = Notification
        fields = []


class ProblemFilterSet(AsOfFilterSet):
    project = IdReferenceFilter(field_name="project", model=Project)
    department = DepartmentFilter(field_name="project__department", label="项目的责任单位（id 或代码）")
    responsible_department = DepartmentFilter(
        field_name="responsible_department", label="问题的责任单位（id 或代码）",
    )
    state = MultiChoiceFilter(choices=ProblemState.choices)
    category = MultiChoiceFilter(choices=ProblemCategory.choices)
    source = MultiChoiceFilter(choices=ProblemSource.choices)
    is_overdue = StrictBooleanFilter(field_name="is_overdue")
    escalation_level = MultiChoiceFilter(choices=EscalationLevel.choices, label="as_of 当日的督办等级（0–3）")
    due_before = DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = DateFilter(field_name="due_date", lookup_expr="gte")
    raised_after = DateFilter(field_name="raised_on", lookup_expr="gte")
    raised_before = DateFilter(field_name="raised_on", lookup_expr="lte")
    search = filters.CharFilter(method="filter_search", label="问题或具体情况包含")

    class Meta:
        model = Problem
        fields = []

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(title__icontains=value) | Q(description__icontains=value))
