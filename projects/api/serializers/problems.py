"""Serializers of supervision: problems (问题台账) with their moves, the figures over them, and assessments (人工研判)."""

from rest_framework import serializers

from projects.api.serializers.base import (
    DisplayField,
    ReadSerializer,
    WriteSerializer,
    WrittenDateField,
    code_field,
)
from projects.api.serializers.portfolio import (
    DepartmentBriefSerializer,
    OfficialBriefSerializer,
    ProjectBriefSerializer,
    UserBriefSerializer,
)
from projects.domain.choices import (
    EscalationLevel,
    ProblemCategory,
    ProblemSource,
    ProblemState,
    WarningLevel,
)
from projects.models import Assessment, Department, Problem, ProblemMove

class ProblemMoveSerializer(ReadSerializer):
    state_from = code_field(ProblemState, read_only=True)
    state_from_display = DisplayField(ProblemState, source="state_from")
    state_to = code_field(ProblemState, read_only=True)
    state_to_display = DisplayField(ProblemState, source="state_to")
    responsible_department = DepartmentBriefSerializer(read_only=True, allow_null=True,
                                                       help_text="流转后的责任单位")
    due_date = serializers.DateField(read_only=True, allow_null=True, help_text="流转后的限时办结日期")
    moved_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ProblemMove
        fields = ["id", "state_from", "state_from_display", "state_to", "state_to_display", "moved_on", "note",
                  "responsible_department", "due_date", "moved_by", "created_at"]
        read_only_fields = fields


class ProblemSerializer(ReadSerializer):
    project = ProjectBriefSerializer(read_only=True)
    category = code_field(ProblemCategory, read_only=True)
    category_display = DisplayField(ProblemCategory, source="category")
    source = code_field(ProblemSource, read_only=True)
    source_display = DisplayField(ProblemSource, source="source")
    source_status_update = serializers.IntegerField(source="source_status_update_id", read_only=True, allow_null=True)
    source_visit = serializers.IntegerField(source="source_visit_id", read_only=True, allow_null=True)
    raised_by = UserBriefSerializer(read_only=True, allow_null=True)
    responsible_department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    coordinating_official = OfficialBriefSerializer(read_only=True, allow_null=True)
    state = code_field(ProblemState, read_only=True)
    state_display = DisplayField(ProblemState, source="state")
    moves = ProblemMoveSerializer(many=True, read_only=True, source="move_list")
    is_overdue = serializers.BooleanField(read_only=True, help_text="as_of 当日已交办且超过限时办结日期")
    days_overdue = serializers.IntegerField(read_only=True)
    escalation_level = serializers.ChoiceField(
        choices=EscalationLevel.choices, read_only=True,
        help_text="0 正常，1 催办（逾期 1–7 天），2 督办（8–30 天），3 通报（30 天以上）",
    )
    escalation_level_display = DisplayField(EscalationLevel, source="escalation_level")

    class Meta:
        model = Problem
        fields = [
            "id", "project", "title", "description", "category", "category_display", "source", "source_display",
            "source_status_update", "source_visit", "raised_by", "raised_on", "responsible_department",
            "coordinating_official", "due_date", "state", "state_display", "resolved_on", "moves", "is_overdue",
            "days_overdue", "escalation_level", "escalation_level_display", "created_at", "updated_at",
        ]
        read_only_fields = fields


class ProblemWriteSerializer(WriteSerializer):
    raised_on = WrittenDateField(required=False, help_text="默认今天；不能晚于今天；提出后不能修改")

    class Meta:
        model = Problem
        fields = ["project", "title", "description", "category", "source", "source_status_update", "source_visit",
                  "raised_on", "responsible_department", "coordinating_official"]
        extra_kwargs = {
            "source": {"required": False, "help_text": (
                "默认：关联的进度填报为 report，调研为 visit；"
                "否则按提出人，填报员 report、分包领导 visit、重点项目办 office"
            )},
            "responsible_department": {"help_text": "可先建议；交办时确定"},
        }


class ProblemMoveCreateSerializer(serializers.Serializer):
    state = code_field(
        ProblemState, help_text="assigned 交办（或从 answered 退回）、answered 反馈、resolved 销号、cancelled 撤销",
    )
    note = serializers.CharField(max_length=5000, help_text="办理情况、反馈内容或理由")
    moved_on = WrittenDateField(required=False, help_text="默认今天；不能晚于今天")
    responsible_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True,
        help_text="交办、退回时的责任单位；交办时默认为提出时建议的单位",
    )
    due_date = WrittenDateField(required=False, allow_null=True,
                                help_text="交办时必填的限时办结日期；退回时可给新的日期")


class ProblemRowSerializer(ReadSerializer):
    """A problem in a report: who must solve it and how late it is."""

    project = ProjectBriefSerializer(read_only=True)
    responsible_department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    days_overdue = serializers.IntegerField(read_only=True)
    escalation_level = serializers.ChoiceField(choices=EscalationLevel.choices, read_only=True)
    escalation_level_display = DisplayField(EscalationLevel, source="escalation_level")

    class Meta:
        model = Problem
        fields = ["id", "title", "project", "responsible_department", "due_date", "days_overdue", "escalation_level",
                  "escalation_level_display"]
        read_only_fields = fields


class ProblemDepartmentFiguresSerializer(serializers.Serializer):
    department = DepartmentBriefSerializer()
    open = serializers.IntegerField(help_text="未销号也未撤销的")
    overdue = serializers.IntegerField()
    resolved = serializers.IntegerField()
    resolved_on_time_rate = serializers.FloatField(allow_null=True, help_text="按期销号率（%）；无销号为 null")


def _counts(fields: list[str], name: str) -> serializers.Serializer:
    return type(name, (serializers.Serializer,), {code: serializers.IntegerField() for code in fields})()


class ProblemStatsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    year = serializers.IntegerField(allow_null=True, help_text="统计提出于该年度的问题；null 为不限年度")
    total = serializers.IntegerField()
    by_state = _counts(ProblemState.values, "ProblemCountsByState")
    by_category = _counts(ProblemCategory.values, "ProblemCountsByCategory")
    overdue = serializers.IntegerField()
    by_escalation_level = _counts([str(level) for level in EscalationLevel.values], "ProblemCountsByEscalationLevel")
    resolved_on_time_rate = serializers.FloatField(allow_null=True, help_text="销号日期不晚于限时办结日期的比例（%）")
    median_days_to_resolve = serializers.FloatField(allow_null=True, help_text="从提出到销号的天数中位数")
    by_responsible_department = ProblemDepartmentFiguresSerializer(many=True)


class AssessmentSerializer(ReadSerializer):
    level = code_field(WarningLevel, read_only=True)
    level_display = DisplayField(WarningLevel, source="level")
    assessed_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Assessment
        fields = ["id", "level", "level_display", "reason", "assessed_on", "valid_until", "assessed_by", "created_at"]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    level = code_field(WarningLevel)
    reason = serializers.CharField(max_length=5000)
    assessed_on = WrittenDateField(required=False, help_text="默认今天；不能晚于今天")
    valid_until = WrittenDateField(required=False, help_text="晚于研判日期，至多 90 天；默认研判日期后 30 天")
