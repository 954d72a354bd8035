"""Output serializers (brief nesting, Chinese labels, annotated flags) and input serializers of the portfolio.

Input serializers only validate: the view hands their data to the entity's service; they never save.
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.api.serializers.base import (
    PERIOD_MESSAGE,
    PERIOD_PATTERN,
    DisplayField,
    ReadSerializer,
    WriteSerializer,
    WrittenDateField,
    _as_of,
    code_field,
)
from projects.domain.choices import (
    ApprovalMode,
    BatchKind,
    LeadStage,
    MilestoneKind,
    MilestoneState,
    ProblemCategory,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    VisitKind,
    WarningLevel,
    WarningRule,
)
from projects.domain.lights import warning_reasons
from projects.models import (
    DELIVERY_FIELDS,
    ApprovalItem,
    Department,
    Milestone,
    Official,
    Project,
    ProjectBatch,
    StatusUpdate,
    Visit,
)


class DepartmentBriefSerializer(ReadSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]


class OfficialBriefSerializer(ReadSerializer):
    class Meta:
        model = Official
        fields = ["id", "name", "title"]


class ProjectBriefSerializer(ReadSerializer):
    class Meta:
        model = Project
        fields = ["id", "code", "name"]


class UserBriefSerializer(ReadSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class MilestoneBriefSerializer(ReadSerializer):
    kind = code_field(MilestoneKind, read_only=True)
    kind_display = DisplayField(MilestoneKind, source="kind")
    state = code_field(MilestoneState, read_only=True)
    state_display = DisplayField(MilestoneState, source="state")

    class Meta:
        model = Milestone
        fields = ["id", "kind", "kind_display", "title", "due_period", "due_date", "completed_on", "state",
                  "state_display"]


class BatchSerializer(ReadSerializer):
    # Explicit bounds: the default ones come from the database backend (SQLite vs PostgreSQL
    # smallint), which made the schema and validation differ between them.
    period = serializers.IntegerField(label="期数", min_value=1, max_value=32767)
    kind = code_field(BatchKind)
    kind_display = DisplayField(BatchKind, source="kind")

    class Meta:
        model = ProjectBatch
        fields = ["period", "kind", "kind_display"]


class DepartmentSerializer(ReadSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]


class OfficialSerializer(ReadSerializer):
    department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    project_count = serializers.IntegerField(read_only=True)
    overdue_project_count = serializers.IntegerField(read_only=True)
    visit_overdue_project_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Official
        fields = ["id", "name", "title", "department", "phone", "is_active", "project_count",
                  "overdue_project_count", "visit_overdue_project_count"]


class OfficialWriteSerializer(WriteSerializer):
    class Meta:
        model = Official
        fields = ["name", "title", "department", "phone", "is_active"]


class WarningReasonSerializer(serializers.Serializer):
    rule = code_field(WarningRule)
    rule_display = serializers.CharField()
    level = code_field(WarningLevel)
    level_display = serializers.CharField()
    detail = serializers.CharField()


class DeliverySerializer(serializers.Serializer):
    """保交楼 "一楼一策一专班一银行" of a housing project."""

    plan = serializers.CharField(source="delivery_plan", required=False, allow_blank=True, max_length=20000,
                                 help_text="一楼一策")
    task_force = serializers.CharField(source="delivery_task_force", required=False, allow_blank=True,
                                       max_length=20000, help_text="专班：牵头人及成员")
    bank = serializers.CharField(source="delivery_bank", required=False, allow_blank=True, max_length=200,
                                 help_text="一银行：合作银行")
    stalled_since = WrittenDateField(source="delivery_stalled_since", required=False, allow_null=True,
                                          help_text="停工/窝工起始日；null 表示正常施工")


class LeadBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    stage = code_field(LeadStage)
    stage_display = DisplayField(LeadStage, source="stage")


class ProjectSerializer(ReadSerializer):
    category = code_field(ProjectCategory, read_only=True)
    category_display = DisplayField(ProjectCategory, source="category")
    level = code_field(ProjectLevel, read_only=True)
    level_display = DisplayField(ProjectLevel, source="level")
    sector = code_field(Sector, read_only=True)
    sector_display = DisplayField(Sector, source="sector")
    status = code_field(ProjectStatus, read_only=True)
    status_display = DisplayField(ProjectStatus, source="status")
    batches = BatchSerializer(many=True, read_only=True, source="batch_list")
    department = DepartmentBriefSerializer(read_only=True)
    lead_official = OfficialBriefSerializer(read_only=True, allow_null=True)
    milestones = MilestoneBriefSerializer(many=True, read_only=True, source="flagged_milestones")
    next_due_date = serializers.DateField(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)
    overdue_milestone_count = serializers.IntegerField(read_only=True)
    warning_level = code_field(WarningLevel, read_only=True)
    warning_level_display = DisplayField(WarningLevel, source="warning_level")
    warning_reasons = serializers.SerializerMethodField()
    last_visit_on = serializers.DateField(read_only=True, allow_null=True)
    visit_overdue = serializers.BooleanField(read_only=True)
    delivery = serializers.SerializerMethodField()
    source_lead = serializers.SerializerMethodField()
    assessed_level = serializers.ChoiceField(
        choices=WarningLevel.choices, read_only=True, allow_null=True,
        help_text="人工研判亮灯：as_of 当日有效的最新研判；没有则为 null",
    )
    assessed_level_display = DisplayField(WarningLevel, source="assessed_level", allow_null=True)
    assessed_reason = serializers.CharField(read_only=True, allow_null=True)
    assessed_until = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id", "code", "name", "year", "category", "category_display", "level", "level_display", "sector",
            "sector_display", "zone", "status", "status_display", "batches", "total_investment",
            "annual_plan_investment", "completed_investment", "progress_percent", "floor_area", "owner",
            "department", "lead_official", "description", "delivery", "source_lead", "milestones",
            "next_due_date", "is_overdue", "overdue_milestone_count", "warning_level", "warning_level_display",
            "warning_reasons", "assessed_level", "assessed_level_display", "assessed_reason", "assessed_until",
            "last_visit_on", "visit_overdue", "version", "created_at", "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(WarningReasonSerializer(many=True))
    def get_warning_reasons(self, project) -> list[dict]:
        return warning_reasons(project, _as_of(self))

    @extend_schema_field(DeliverySerializer(allow_null=True))
    def get_delivery(self, project) -> dict | None:
        """保交楼 of a housing project; null for the others."""
        return self._nested("delivery", DeliverySerializer).to_representation(project) \
            if project.sector == Sector.HOUSING else None

    @extend_schema_field(LeadBriefSerializer(allow_null=True, help_text="转化来源的招商线索"))
    def get_source_lead(self, project) -> dict | None:
        lead = getattr(project, "source_lead", None)
        return self._nested("source_lead", LeadBriefSerializer).to_representation(lead) if lead else None

    def _nested(self, name: str, serializer_class) -> serializers.Serializer:
        """One serializer per field for the whole page, not one per row."""
        nested = self.__dict__.setdefault("_nested_serializers", {})
        if name not in nested:
            nested[name] = serializer_class()
        return nested[name]


class ProjectWriteSerializer(WriteSerializer):
    batches = BatchSerializer(many=True, required=False)
    delivery = DeliverySerializer(required=False, allow_null=True,
                                  help_text="保交楼，仅安居保障项目；给出的键被修改，null 清空")

    class Meta:
        model = Project
        fields = [
            "code", "name", "year", "category", "level", "sector", "zone", "status", "batches",
            "total_investment", "annual_plan_investment", "completed_investment", "progress_percent",
            "floor_area", "owner", "department", "lead_official", "description", "delivery",
        ]

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if "delivery" in values:
            # The model's own columns; null clears all four.
            delivery = values.pop("delivery")
            if delivery is None:
                delivery = {field: None if field == "delivery_stalled_since" else "" for field in DELIVERY_FIELDS}
            values.update(delivery)
        return values


class MilestoneSerializer(ReadSerializer):
    project = ProjectBriefSerializer(read_only=True)
    kind = code_field(MilestoneKind, read_only=True)
    kind_display = DisplayField(MilestoneKind, source="kind")
    state = code_field(MilestoneState, read_only=True)
    state_display = DisplayField(MilestoneState, source="state")
    is_overdue = serializers.BooleanField(read_only=True)
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ["id", "project", "kind", "kind_display", "title", "due_period", "due_date", "completed_on",
                  "note", "state", "state_display", "is_overdue", "days_overdue", "created_at", "updated_at"]
        read_only_fields = fields

    def get_days_overdue(self, milestone) -> int:
        return (_as_of(self) - milestone.due_date).days if milestone.is_overdue else 0


class MilestoneWriteSerializer(WriteSerializer):
    due_period = serializers.RegexField(
        PERIOD_PATTERN, required=False, allow_blank=True, allow_null=True, max_length=10,
        help_text="2023-Q2、2023-06 或 2023-06-15（2000–2099 年）；与 due_date 二选一",
        error_messages={"invalid": PERIOD_MESSAGE},
    )

    class Meta:
        model = Milestone
        fields = ["project", "kind", "title", "due_period", "due_date", "completed_on", "note"]


class StatusUpdateSerializer(ReadSerializer):
    project = ProjectBriefSerializer(read_only=True)
    status_from = code_field(ProjectStatus, read_only=True)
    status_from_display = DisplayField(ProjectStatus, source="status_from")
    status_to = code_field(ProjectStatus, read_only=True)
    status_to_display = DisplayField(ProjectStatus, source="status_to")
    reported_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = StatusUpdate
        fields = ["id", "project", "status_from", "status_from_display", "status_to", "status_to_display",
                  "completed_investment", "progress_percent", "note", "problems", "next_steps", "reported_on",
                  "reported_by", "created_at"]
        read_only_fields = fields


# At most this many problems are raised with one report or visit.
RAISE_MAX = 20


class RaiseProblemSerializer(serializers.Serializer):
    """A problem raised with a progress report or a visit (问题台账)."""

    title = serializers.CharField(max_length=200)
    category = code_field(ProblemCategory, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)


def raise_problems_field() -> serializers.ListSerializer:
    return RaiseProblemSerializer(
        many=True, required=False, max_length=RAISE_MAX,
        help_text=f"同时提出的问题（最多 {RAISE_MAX} 个），在同一事务中记入问题台账",
    )


class StatusUpdateCreateSerializer(serializers.Serializer):
    status = code_field(ProjectStatus, required=False)
    completed_investment = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    progress_percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    note = serializers.CharField(max_length=5000)
    problems = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    next_steps = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    reported_on = WrittenDateField(required=False, help_text="默认今天；不能晚于今天")
    raise_problems = raise_problems_field()


class VisitSerializer(ReadSerializer):
    project = ProjectBriefSerializer(read_only=True)
    official = OfficialBriefSerializer(read_only=True)
    kind = code_field(VisitKind, read_only=True)
    kind_display = DisplayField(VisitKind, source="kind")

    class Meta:
        model = Visit
        fields = ["id", "project", "official", "visited_on", "kind", "kind_display", "note", "created_at"]
        read_only_fields = fields


class VisitWriteSerializer(WriteSerializer):
    official = serializers.PrimaryKeyRelatedField(
        queryset=Official.objects.all(), required=False, help_text="默认为项目的分包领导",
    )
    raise_problems = raise_problems_field()

    class Meta:
        model = Visit
        fields = ["project", "official", "visited_on", "kind", "note", "raise_problems"]

    def validate(self, attrs):
        if self.instance is not None and "raise_problems" in attrs:
            raise serializers.ValidationError({"raise_problems": ["只有新记录调研时可以同时提出问题。"]})
        return attrs


class ApprovalItemSerializer(ReadSerializer):
    project = ProjectBriefSerializer(read_only=True)
    department = DepartmentBriefSerializer(read_only=True)
    mode = code_field(ApprovalMode, read_only=True)
    mode_display = DisplayField(ApprovalMode, source="mode")
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApprovalItem
        fields = ["id", "project", "name", "department", "mode", "mode_display", "due_date", "completed_on",
                  "note", "is_overdue", "created_at", "updated_at"]
        read_only_fields = fields


class ApprovalItemWriteSerializer(WriteSerializer):
    class Meta:
        model = ApprovalItem
        fields = ["project", "name", "department", "mode", "due_date", "completed_on", "note"]
