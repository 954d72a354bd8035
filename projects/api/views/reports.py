"""/stats/summary/ and /reports/weekly/, as JSON or spreadsheets."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from projects import reports, selectors
from projects.api.base import AS_OF_PARAMETER, EXPORT_FORMAT_PARAMETER, AsOfMixin, TabularExportMixin, export_responses
from projects.api.exports import (
    BATCH_COLUMNS,
    COUNT_COLUMNS,
    DEPARTMENT_TABLE_COLUMNS,
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
from projects.api.renderers import Sheet, Workbook
from projects.api.serializers.problems import ProblemSerializer
from projects.api.serializers.reports import StatsSummarySerializer, WeeklyBulletinSerializer
from projects.api.serializers.targets import TargetProgressSerializer
from projects.domain import params
from projects.domain.choices import (
    MilestoneState,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    WarningLevel,
)
from projects.reports.targets import target_progress
from projects.selectors.filters import ProjectFilterSet


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
            "week", {"type": "string", "pattern": r"^(19\d\d|2\d\d\d)-[Ww](0[1-9]|[1-4]\d|5[0-3])$"},
            description="ISO 周，如 2023-W19（1900–2999 年）；默认 as_of 所在周",
        ),
        EXPORT_FORMAT_PARAMETER,
    ],
    responses=export_responses(WeeklyBulletinSerializer),
    summary="每周通报",
)
class WeeklyBulletinView(TabularExportMixin, ProjectReportView):
    """The week's reports, completed and newly overdue milestones, silent projects, a table per department,
    the week's problems and the projects whose assessed light differs from the computed one."""

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
            Sheet("本周督办问题", ESCALATED_PROBLEM_COLUMNS, data["problems"]["listed"]),
            Sheet("研判与亮灯不一致", LIGHTS_DIFFER_COLUMNS, data["lights_differ"]),
            Sheet("问题台账", PROBLEM_COLUMNS, _ledger_rows(projects.ids(), self.as_of)),
        ]))

    def week_start(self):
        return params.week(self.request.query_params.get("week"), as_of=self.as_of)
