"""/stats/summary/, /reports/weekly/ (JSON, spreadsheets, PDF) and /stats/departments/ (考核 over weeks)."""

from datetime import date

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from projects import reports, selectors
from projects.api.base import (
    AS_OF_PARAMETER,
    EXPORT_FORMAT_PARAMETER,
    PDF_FORMAT_PARAMETER,
    AsOfMixin,
    TabularExportMixin,
    export_responses,
)
from projects.api.exports import (
    BATCH_COLUMNS,
    COUNT_COLUMNS,
    DEPARTMENT_TABLE_COLUMNS,
    HONOUR_ROLL_COLUMNS,
    ESCALATED_PROBLEM_COLUMNS,
    LEAD_MOVE_COLUMNS,
    LIGHTS_DIFFER_COLUMNS,
    MILESTONE_COLUMNS,
    PROBLEM_COLUMNS,
    PROJECT_BRIEF_COLUMNS,
    STATUS_UPDATE_COLUMNS,
    SUMMARY_FIGURE_COLUMNS,
    TARGET_PROGRESS_COLUMNS,
)
from projects.api.renderers import PDFRenderer, Sheet, Workbook
from projects.api.serializers.problems import ProblemSerializer
from projects.api.serializers.reports import (
    DepartmentStatsSerializer,
    StatsSummarySerializer,
    WeeklyBulletinSerializer,
)
from projects.api.serializers.targets import TargetProgressSerializer
from projects.domain import assessment, params
from projects.domain.choices import (
    MilestoneState,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    WarningLevel,
)
from projects.reports.departments import iso_week
from projects.reports.targets import target_progress
from projects.selectors.filters import ProjectFilterSet

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEK_PATTERN = r"^(19\d\d|2\d\d\d)-[Ww](0[1-9]|[1-4]\d|5[0-3])$"


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


def _ledger_rows(project_ids, as_of) -> list[dict]:
    """The 问题台账 sheet of a report over these projects."""
    ledger = reports.problem_ledger(problems=selectors.problem_list(as_of=as_of), project_ids=project_ids, as_of=as_of)
    return ProblemSerializer(ledger, many=True).data


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


def bulletin_data(*, projects, as_of: date, monday: date, context: dict) -> dict:
    """The bulletin of the week starting `monday` over `projects`, as the API answers it."""
    bulletin = reports.weekly_bulletin(projects=projects, as_of=as_of, monday=monday)
    bulletin["targets"] = _year_targets(as_of.year, as_of)
    return WeeklyBulletinSerializer(bulletin, context=context).data


def bulletin_workbook(data: dict, *, as_of: date, monday: date, ledger: list) -> Workbook:
    """The bulletin's download: one sheet (or PDF table) per part, headed by its title; `ledger` is the
    问题台账 of the bulletin's projects."""
    due = assessment.due_day(monday)
    subtitle = (f"截至{as_of.year}年{as_of.month}月{as_of.day}日 · "
                f"本周进度填报截止日：{due.month}月{due.day}日（{WEEKDAYS[due.weekday()]}）")
    return Workbook(f"weekly-{data['week']}", title=data["title"], subtitle=subtitle, sheets=[
        Sheet("各单位汇总", DEPARTMENT_TABLE_COLUMNS, data["departments"], note=assessment.formula_text()),
        Sheet("红黑榜", HONOUR_ROLL_COLUMNS, [{"roll": "红榜", **row} for row in data["top_three"]]
              + [{"roll": "黑榜", **row} for row in data["bottom_three"]]),
        Sheet("本周进度填报", STATUS_UPDATE_COLUMNS, data["status_updates"]),
        Sheet("本周完成节点", MILESTONE_COLUMNS, data["milestones_completed"]),
        Sheet("本周新增逾期节点", MILESTONE_COLUMNS, data["milestones_became_overdue"]),
        Sheet("本周未填报项目", PROJECT_BRIEF_COLUMNS, data["projects_without_update"]),
        Sheet("本周招商引资", LEAD_MOVE_COLUMNS, data["lead_moves"]),
        Sheet("目标任务", TARGET_PROGRESS_COLUMNS, data["targets"]),
        Sheet("本周督办问题", ESCALATED_PROBLEM_COLUMNS, data["problems"]["listed"]),
        Sheet("研判与亮灯不一致", LIGHTS_DIFFER_COLUMNS, data["lights_differ"]),
        Sheet("问题台账", PROBLEM_COLUMNS, ledger),
    ])


def bulletin_pdf(*, monday: date, as_of: date) -> bytes:
    """The whole district's bulletin of the week starting `monday` as the PDF `?format=pdf` gives, for
    the worker's Monday mail (projects.tasks.deliveries; registered by projects.apps)."""
    projects = selectors.project_list(as_of=as_of)
    data = bulletin_data(projects=projects, as_of=as_of, monday=monday, context={"as_of": as_of})
    ledger = _ledger_rows(projects.ids(), as_of)
    return PDFRenderer().render(bulletin_workbook(data, as_of=as_of, monday=monday, ledger=ledger))


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
        year = params.one_year(filterset.form.cleaned_data.get("year"), default=self.as_of.year,
                               message="汇总只针对一个年度，请只给一个 year。")
        projects = projects.filter(year=year)
        summary = reports.stats_summary(projects=projects, as_of=self.as_of, year=year)
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
            Sheet("问题台账", PROBLEM_COLUMNS, _ledger_rows(projects.ids(), self.as_of)),
        ], title=f"二七区重点项目汇总指标（{year}年，截至{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日）"))


@extend_schema(
    parameters=[
        AS_OF_PARAMETER,
        OpenApiParameter(
            "week", {"type": "string", "pattern": WEEK_PATTERN},
            description="ISO 周，如 2023-W19（1900–2999 年）；默认 as_of 所在周",
        ),
        PDF_FORMAT_PARAMETER,
    ],
    responses=export_responses(WeeklyBulletinSerializer, pdf=True),
    summary="每周通报",
)
class WeeklyBulletinView(TabularExportMixin, ProjectReportView):
    """The week's reports, completed and newly overdue milestones, silent projects, a table per department
    with its 考核 score and rank and the 红黑榜, the week's problems and the projects whose assessed light
    differs from the computed one.

    `?format=xlsx` (or csv) has a sheet per part; `?format=pdf` sets the same tables on A4 pages.
    """

    renderer_classes = [*TabularExportMixin.renderer_classes, PDFRenderer]

    def get(self, request):
        monday = self.week_start()
        _, projects = self.filtered_projects()
        data = bulletin_data(projects=projects, as_of=self.as_of, monday=monday,
                             context=self.get_serializer_context())
        if not self.is_export():
            return Response(data)
        return self.export_response(bulletin_workbook(data, as_of=self.as_of, monday=monday,
                                                      ledger=_ledger_rows(projects.ids(), self.as_of)))

    def week_start(self):
        return params.week(self.request.query_params.get("week"), as_of=self.as_of)


def _week_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "string", "pattern": WEEK_PATTERN}, description=description)


@extend_schema(
    parameters=[
        AS_OF_PARAMETER,
        _week_parameter("from_week", "第一周（ISO 周，如 2023-W10）；默认为 to_week 及其前 7 周共 8 周的第一周"),
        _week_parameter("to_week", "最后一周（ISO 周）；默认 as_of 所在周，不能晚于它。区间最多 53 周"),
    ],
    responses=DepartmentStatsSerializer,
    summary="各单位考核（多周）",
)
class DepartmentStatsView(ProjectReportView):
    """Each department's figures, reporting rate and score over a range of weeks, with its score and rank per week.

    Figures are summed over the weeks; `reported_on_time` is over all the range's project-weeks;
    `score` is the mean of the weekly scores and `rank` ranks it. Each week is read as it stood at
    its end (its Sunday, or `as_of` if earlier). Flag filters select the projects as of `as_of`.
    """

    def get(self, request):
        first, last = params.week_range(request.query_params.get("from_week"),
                                        request.query_params.get("to_week"), as_of=self.as_of)
        _, projects = self.filtered_projects()
        departments = reports.department_weeks(projects=projects, mondays=reports.week_mondays(first, last),
                                               as_of=self.as_of)
        return Response(DepartmentStatsSerializer({
            "from_week": iso_week(first), "to_week": iso_week(last), "departments": departments,
        }).data)
