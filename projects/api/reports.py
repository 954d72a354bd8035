"""GET /stats/summary/ and GET /reports/weekly/ (每周通报), with spreadsheet downloads of the bulletin."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from projects import reports, selectors
from projects.api import serializers as s
from projects.api.exports import (
    BATCH_COLUMNS,
    COUNT_COLUMNS,
    DEPARTMENT_TABLE_COLUMNS,
    LEAD_MOVE_COLUMNS,
    MILESTONE_COLUMNS,
    PROJECT_BRIEF_COLUMNS,
    STATUS_UPDATE_COLUMNS,
    SUMMARY_FIGURE_COLUMNS,
    TARGET_PROGRESS_COLUMNS,
)
from projects.api.lead_serializers import LeadMoveRowSerializer
from projects.api.renderers import Sheet, Workbook
from projects.api.targets import TargetProgressSerializer
from projects.api.views import (
    AS_OF_PARAMETER,
    EXPORT_FORMAT_PARAMETER,
    AsOfMixin,
    TabularExportMixin,
    export_responses,
)
from projects.choices import (
    BatchKind,
    MilestoneState,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    WarningLevel,
)
from projects.filters import ProjectFilterSet
from projects.models import Project
from projects.periods import parse_iso_week
from projects.targets import target_progress


def _counts(choices) -> type[serializers.Serializer]:
    """A serializer of code → count for every code of `choices`, zeros included."""
    fields = {code: serializers.IntegerField() for code in choices.values}
    return type(f"CountsBy{choices.__name__}", (serializers.Serializer,), fields)


def _rate(**kwargs) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text="百分比，四舍五入保留一位小数；空集为 null", **kwargs)


class InvestmentSummarySerializer(serializers.Serializer):
    annual_plan = serializers.DecimalField(max_digits=18, decimal_places=2)
    completed = serializers.DecimalField(max_digits=18, decimal_places=2)
    completion_rate = _rate()
    time_progress = serializers.FloatField()
    ahead_of_time = serializers.BooleanField(allow_null=True)


class StartRateSerializer(serializers.Serializer):
    target = serializers.IntegerField()
    started = serializers.IntegerField()
    rate = _rate()


class ApprovalSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    rate = _rate()


class VisitSummarySerializer(serializers.Serializer):
    active_projects = serializers.IntegerField()
    overdue = serializers.IntegerField()
    compliance_rate = _rate()


class BatchRoundSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    kind = s.code_field(BatchKind)
    kind_display = serializers.CharField()
    count = serializers.IntegerField()
    achieved = serializers.IntegerField()


class StatsSummarySerializer(serializers.Serializer):
    as_of = serializers.DateField()
    year = serializers.IntegerField()
    project_count = serializers.IntegerField()
    by_category = _counts(ProjectCategory)()
    by_level = _counts(ProjectLevel)()
    by_status = _counts(ProjectStatus)()
    by_sector = _counts(Sector)()
    by_warning_level = _counts(WarningLevel)()
    investment = InvestmentSummarySerializer()
    start_rate = StartRateSerializer()
    milestones = _counts(MilestoneState)()
    approvals = ApprovalSummarySerializer()
    visits = VisitSummarySerializer()
    batches = BatchRoundSerializer(many=True)


class ProjectRowListSerializer(serializers.ListSerializer):
    """A list of brief rows built from one `.values()` query: a report's list can be long, and
    building the same dicts without model instances or per-field calls is about five times faster."""

    VALUES = ("id", "code", "name", "status", "department_id", "department__code", "department__name",
              "lead_official_id", "lead_official__name", "lead_official__title")

    def to_representation(self, projects):
        labels = dict(ProjectStatus.choices)
        return [
            {
                "id": row["id"], "code": row["code"], "name": row["name"], "status": row["status"],
                "status_display": labels[row["status"]],
                "department": {"id": row["department_id"], "code": row["department__code"],
                               "name": row["department__name"]},
                "lead_official": None if row["lead_official_id"] is None else {
                    "id": row["lead_official_id"], "name": row["lead_official__name"],
                    "title": row["lead_official__title"]},
            }
            for row in projects.values(*self.VALUES)
        ]


# The brief project row of the reports; many=True reads a queryset through ProjectRowListSerializer.
# (No docstring: it would become the schema's description.)
class ProjectRowSerializer(s.ModelSerializer):
    status_display = s.DisplayField(ProjectStatus, source="status")
    department = s.DepartmentBriefSerializer(read_only=True)
    lead_official = s.OfficialBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = ["id", "code", "name", "status", "status_display", "department", "lead_official"]
        list_serializer_class = ProjectRowListSerializer


class DepartmentWeekSerializer(serializers.Serializer):
    department = s.DepartmentBriefSerializer()
    projects = serializers.IntegerField()
    updated = serializers.IntegerField()
    overdue = serializers.IntegerField()
    red = serializers.IntegerField()


class WeeklyBulletinSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="二七区重点项目每周通报 2023年第19周（5月8日—5月14日）")
    week = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    as_of = serializers.DateField()
    status_updates = s.StatusUpdateSerializer(many=True)
    milestones_completed = s.MilestoneSerializer(many=True)
    milestones_became_overdue = s.MilestoneSerializer(many=True)
    projects_without_update = ProjectRowSerializer(many=True, read_only=True)
    departments = DepartmentWeekSerializer(many=True)
    lead_moves = LeadMoveRowSerializer(many=True, help_text="本周招商引资线索推进")
    targets = TargetProgressSerializer(many=True, help_text="as_of 所在年度的目标任务及其状态")


class ProjectReportView(AsOfMixin, generics.GenericAPIView):
    """A report over the projects that the project filters select, flagged as of `as_of`."""

    filterset_class = ProjectFilterSet
    pagination_class = None

    def get_queryset(self):
        return selectors.project_list(as_of=self.as_of)

    def filtered_projects(self):
        filterset = ProjectFilterSet(self.request.query_params, queryset=self.get_queryset(), request=self.request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset, filterset.qs


def _year_targets(year: int, as_of) -> list:
    return target_progress(targets=selectors.target_list().filter(year=year), as_of=as_of)


def _figure_rows(summary: dict) -> list[dict]:
    """The summary's single figures as (label, value) rows, in the order a meeting reads them."""
    investment, start, approvals, visits = (
        summary["investment"], summary["start_rate"], summary["approvals"], summary["visits"],
    )
    return [{"label": label, "value": value} for label, value in [
        ("评价日", summary["as_of"].isoformat()),
        ("年度", summary["year"]),
        ("项目数", summary["project_count"]),
        ("年度计划投资（万元）", investment["annual_plan"]),
        ("累计完成投资（万元）", investment["completed"]),
        ("投资完成率（%）", investment["completion_rate"]),
        ("时序进度（%）", investment["time_progress"]),
        ("开工类项目数", start["target"]),
        ("已开工", start["started"]),
        ("开工率（%）", start["rate"]),
        ("联审联批事项", approvals["total"]),
        ("已办结", approvals["done"]),
        ("办结率（%）", approvals["rate"]),
        ("在建推进项目（需每月调研）", visits["active_projects"]),
        ("超期未调研", visits["overdue"]),
        ("调研合规率（%）", visits["compliance_rate"]),
    ]]


def _count_rows(counts: dict, choices) -> list[dict]:
    return [{"label": label, "count": counts[code]} for code, label in choices.choices]


@extend_schema(
    parameters=[AS_OF_PARAMETER, EXPORT_FORMAT_PARAMETER],
    responses=export_responses(StatsSummarySerializer),
    summary="汇总指标",
)
class StatsSummaryView(TabularExportMixin, ProjectReportView):
    """Counts, investment, start rate, milestones, approvals, visits and "三个一批" rounds.

    `?format=xlsx` (or csv) is the meeting pack: one sheet per section, and the year's targets.
    """

    def get(self, request):
        filterset, projects = self.filtered_projects()
        years = filterset.form.cleaned_data.get("year") or []
        if len(years) > 1:
            raise ValidationError({"year": ["汇总只针对一个年度，请只给一个 year。"]})
        year = years[0] if years else self.as_of.year
        summary = reports.stats_summary(projects=projects.filter(year=year), as_of=self.as_of, year=year)
        if not self.is_export():
            return Response(StatsSummarySerializer(summary).data)
        targets = TargetProgressSerializer(_year_targets(year, self.as_of), many=True).data
        return self.export_response(Workbook(f"summary-{year}-{self.as_of.isoformat()}", [
            Sheet("汇总指标", SUMMARY_FIGURE_COLUMNS, _figure_rows(summary)),
            Sheet("按类别", COUNT_COLUMNS, _count_rows(summary["by_category"], ProjectCategory)),
            Sheet("按级别", COUNT_COLUMNS, _count_rows(summary["by_level"], ProjectLevel)),
            Sheet("按状态", COUNT_COLUMNS, _count_rows(summary["by_status"], ProjectStatus)),
            Sheet("按领域", COUNT_COLUMNS, _count_rows(summary["by_sector"], Sector)),
            Sheet("按亮灯", COUNT_COLUMNS, _count_rows(summary["by_warning_level"], WarningLevel)),
            Sheet("节点状态", COUNT_COLUMNS, _count_rows(summary["milestones"], MilestoneState)),
            Sheet("三个一批", BATCH_COLUMNS, summary["batches"]),
            Sheet("目标任务", TARGET_PROGRESS_COLUMNS, targets),
        ], title=f"二七区重点项目汇总指标（{year}年，截至{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日）"))


@extend_schema(
    parameters=[
        AS_OF_PARAMETER,
        OpenApiParameter(
            "week", {"type": "string", "pattern": r"^(19\d\d|2\d\d\d)-[Ww](0[1-9]|[1-4]\d|5[0-3])$"},
            description="ISO 周，如 2023-W19（1900–2999 年）；默认 as_of 所在周",
        ),
        EXPORT_FORMAT_PARAMETER,
    ],
    responses=export_responses(WeeklyBulletinSerializer),
    summary="每周通报",
)
class WeeklyBulletinView(TabularExportMixin, ProjectReportView):
    """The week's reports, completed and newly overdue milestones, silent projects, and a table per department."""

    def get(self, request):
        monday = self.week_start()
        _, projects = self.filtered_projects()
        bulletin = reports.weekly_bulletin(projects=projects, as_of=self.as_of, monday=monday)
        bulletin["targets"] = _year_targets(self.as_of.year, self.as_of)
        data = WeeklyBulletinSerializer(bulletin, context=self.get_serializer_context()).data
        if not self.is_export():
            return Response(data)
        return self.export_response(Workbook(f"weekly-{data['week']}", title=data["title"], sheets=[
            Sheet("各单位汇总", DEPARTMENT_TABLE_COLUMNS, data["departments"]),
            Sheet("本周进度填报", STATUS_UPDATE_COLUMNS, data["status_updates"]),
            Sheet("本周完成节点", MILESTONE_COLUMNS, data["milestones_completed"]),
            Sheet("本周新增逾期节点", MILESTONE_COLUMNS, data["milestones_became_overdue"]),
            Sheet("本周未填报项目", PROJECT_BRIEF_COLUMNS, data["projects_without_update"]),
            Sheet("本周招商引资", LEAD_MOVE_COLUMNS, data["lead_moves"]),
            Sheet("目标任务", TARGET_PROGRESS_COLUMNS, data["targets"]),
        ]))

    def week_start(self):
        raw = self.request.query_params.get("week")
        if not raw:
            year, week, _ = self.as_of.isocalendar()
            raw = f"{year}-W{week:02d}"
        try:
            monday, _ = parse_iso_week(raw)
        except DjangoValidationError as exc:
            raise ValidationError({"week": exc.messages}) from None
        return monday
