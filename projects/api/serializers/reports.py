"""The figures' serializers: the summary, the weekly bulletin and their project rows."""

from rest_framework import serializers

from projects.api.serializers import portfolio as s
from projects.api.serializers.base import DisplayField, ModelSerializer, ReadSerializer, code_field
from projects.api.serializers.leads import LeadMoveRowSerializer
from projects.api.serializers.problems import ProblemRowSerializer
from projects.api.serializers.targets import TargetProgressSerializer
from projects.domain.choices import (
    BatchKind,
    MilestoneState,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    WarningLevel,
)
from projects.models import Project


def _counts(choices) -> type[serializers.Serializer]:
    """A serializer of code → count for every code of `choices`, zeros included."""
    fields = {code: serializers.IntegerField() for code in choices.values}
    return type(f"CountsBy{choices.__name__}", (serializers.Serializer,), fields)


def _rate(help_text: str = "", **kwargs) -> serializers.FloatField:
    help_text = "；".join(filter(None, [help_text, "百分比，四舍五入保留一位小数；空集为 null"]))
    return serializers.FloatField(allow_null=True, help_text=help_text, **kwargs)


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
    kind = code_field(BatchKind)
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
class ProjectRowSerializer(ModelSerializer):
    status_display = DisplayField(ProjectStatus, source="status")
    department = s.DepartmentBriefSerializer(read_only=True)
    lead_official = s.OfficialBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = ["id", "code", "name", "status", "status_display", "department", "lead_official"]
        list_serializer_class = ProjectRowListSerializer


SCORE_HELP = "考核得分（0–100，四舍五入保留一位小数）；没有在推进项目的单位为 null"


def _score(help_text: str = SCORE_HELP) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, min_value=0, max_value=100, help_text=help_text)


def _rank() -> serializers.IntegerField:
    return serializers.IntegerField(
        allow_null=True, min_value=1, help_text="按得分排名，1 为最高；得分相同名次相同（1、2、2、4）；无得分为 null",
    )


class DepartmentWeekSerializer(serializers.Serializer):
    department = s.DepartmentBriefSerializer()
    projects = serializers.IntegerField()
    updated = serializers.IntegerField()
    overdue = serializers.IntegerField()
    red = serializers.IntegerField()
    reported_on_time = _rate(help_text="在推进项目中于截止日（REPORT_DUE_WEEKDAY，默认周五）前填报本周进度的比例（%）")
    score = _score()
    rank = _rank()


class DepartmentScoreSerializer(serializers.Serializer):
    department = s.DepartmentBriefSerializer()
    score = serializers.FloatField(min_value=0, max_value=100)
    rank = serializers.IntegerField(min_value=1)


class DepartmentWeekScoreSerializer(serializers.Serializer):
    week = serializers.CharField(help_text="ISO 周，如 2023-W19")
    score = _score()
    rank = _rank()


class DepartmentRangeSerializer(serializers.Serializer):
    department = s.DepartmentBriefSerializer()
    projects = serializers.IntegerField(help_text="各周项目数之和")
    updated = serializers.IntegerField(help_text="各周已填报项目数之和")
    overdue = serializers.IntegerField(help_text="各周末逾期项目数之和")
    red = serializers.IntegerField(help_text="各周末红灯项目数之和")
    reported_on_time = _rate(help_text="区间内全部“项目·周”中按时填报的比例（%）")
    score = _score(help_text="各周得分的平均值（四舍五入保留一位小数）；各周都无得分时为 null")
    rank = _rank()
    by_week = DepartmentWeekScoreSerializer(many=True)


class DepartmentStatsSerializer(serializers.Serializer):
    from_week = serializers.CharField()
    to_week = serializers.CharField()
    departments = DepartmentRangeSerializer(many=True)


class WeekProblemsSerializer(serializers.Serializer):
    raised = serializers.IntegerField(help_text="本周提出的问题")
    resolved = serializers.IntegerField(help_text="本周销号的问题")
    escalated = serializers.IntegerField(help_text="本周督办等级升高的问题")
    listed = ProblemRowSerializer(many=True, help_text="本周最后一天督办等级 ≥ 2 的问题，逾期最久的在前")


class LightsDifferSerializer(ReadSerializer):
    department = s.DepartmentBriefSerializer(read_only=True)
    warning_level = code_field(WarningLevel, read_only=True)
    warning_level_display = DisplayField(WarningLevel, source="warning_level")
    assessed_level = code_field(WarningLevel, read_only=True)
    assessed_level_display = DisplayField(WarningLevel, source="assessed_level")
    assessed_reason = serializers.CharField(read_only=True)
    assessed_until = serializers.DateField(read_only=True)

    class Meta:
        model = Project
        fields = ["id", "code", "name", "department", "warning_level", "warning_level_display", "assessed_level",
                  "assessed_level_display", "assessed_reason", "assessed_until"]


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
    top_three = DepartmentScoreSerializer(many=True, help_text="红榜：得分最高的三个单位，最好的在前")
    bottom_three = DepartmentScoreSerializer(
        many=True, help_text="黑榜：得分最低的三个单位（不含红榜单位及与其同分者），最差的在前",
    )
    lead_moves = LeadMoveRowSerializer(many=True, help_text="本周招商引资线索推进")
    targets = TargetProgressSerializer(many=True, help_text="as_of 所在年度的目标任务及其状态")
    problems = WeekProblemsSerializer(help_text="问题台账：本周提出、销号、升级督办的问题数，及督办等级 ≥ 2 的问题")
    lights_differ = LightsDifferSerializer(many=True, help_text="人工研判亮灯与计算亮灯不一致的项目")
