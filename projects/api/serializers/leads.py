"""Serializers of investment-promotion leads (招商引资), their moves, and the figures over them."""

from rest_framework import serializers

from projects.api.serializers.base import DisplayField, ModelSerializer, WriteSerializer, WrittenDateField, code_field
from projects.api.serializers.portfolio import (
    DepartmentBriefSerializer,
    OfficialBriefSerializer,
    ProjectBriefSerializer,
    ProjectWriteSerializer,
    UserBriefSerializer,
)
from projects.domain.choices import LeadStage, Sector
from projects.models import Lead, LeadMove


class LeadMoveSerializer(ModelSerializer):
    stage_from = code_field(LeadStage, read_only=True)
    stage_from_display = DisplayField(LeadStage, source="stage_from")
    stage = code_field(LeadStage, read_only=True)
    stage_display = DisplayField(LeadStage, source="stage")
    moved_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = LeadMove
        fields = ["id", "stage_from", "stage_from_display", "stage", "stage_display", "moved_on", "note",
                  "moved_by", "created_at"]
        read_only_fields = fields


class LeadRowSerializer(ModelSerializer):
    department = DepartmentBriefSerializer(read_only=True)

    class Meta:
        model = Lead
        fields = ["id", "name", "enterprise", "amount", "department"]
        read_only_fields = fields


class LeadMoveRowSerializer(LeadMoveSerializer):
    """A move with its lead, for the weekly bulletin."""

    lead = LeadRowSerializer(read_only=True)

    class Meta(LeadMoveSerializer.Meta):
        fields = ["id", "lead", *LeadMoveSerializer.Meta.fields[1:]]
        read_only_fields = fields


class LeadMoveCreateSerializer(serializers.Serializer):
    stage = code_field(LeadStage, help_text="目标阶段：可跳过中间阶段；dropped 为终止")
    moved_on = WrittenDateField(required=False, help_text="默认今天；不得晚于今天")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class LeadSerializer(ModelSerializer):
    sector = code_field(Sector, read_only=True)
    sector_display = DisplayField(Sector, source="sector")
    stage = code_field(LeadStage, read_only=True)
    stage_display = DisplayField(LeadStage, source="stage")
    department = DepartmentBriefSerializer(read_only=True)
    official = OfficialBriefSerializer(read_only=True, allow_null=True)
    project = ProjectBriefSerializer(read_only=True, allow_null=True)
    moves = LeadMoveSerializer(many=True, read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id", "name", "enterprise", "sector", "sector_display", "amount", "source", "stage", "stage_display",
            "department", "official", "received_on", "contacted_on", "negotiating_on", "signed_on", "landed_on",
            "dropped_on", "project", "note", "moves", "created_at", "updated_at",
        ]
        read_only_fields = fields


class LeadWriteSerializer(WriteSerializer):
    received_on = WrittenDateField(required=False, help_text="默认今天；创建后不能修改")

    class Meta:
        model = Lead
        fields = ["name", "enterprise", "sector", "amount", "source", "department", "official", "received_on",
                  "project", "note"]


class LeadProjectSerializer(ProjectWriteSerializer):
    """The key project a lead becomes: only `code` and `year` are required, the rest defaults to the lead's."""

    class Meta(ProjectWriteSerializer.Meta):
        extra_kwargs = {
            name: {"required": False}
            for name in ProjectWriteSerializer.Meta.fields if name not in ("code", "year")
        }


class LeadSignedSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="签约项目计划投资合计（万元）")


class LeadFunnelSerializer(serializers.Serializer):
    leads = serializers.IntegerField(help_text="当年收集的线索")
    contacted = serializers.IntegerField(help_text="其中已对接（或更后阶段）的")
    negotiating = serializers.IntegerField(help_text="当日在谈")
    signed = LeadSignedSerializer(help_text="当年签约")
    landed = serializers.IntegerField(help_text="当年落地")
    dropped = serializers.IntegerField(help_text="当年终止")


class LeadSourceFunnelSerializer(LeadFunnelSerializer):
    source = serializers.CharField()


class LeadSectorFunnelSerializer(LeadFunnelSerializer):
    sector_display = serializers.CharField()


LeadsBySectorSerializer = type("LeadsBySector", (serializers.Serializer,), {
    code: LeadSectorFunnelSerializer() for code in Sector.values
})


class LeadStatsSerializer(LeadFunnelSerializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    by_source = LeadSourceFunnelSerializer(many=True)
    by_sector = LeadsBySectorSerializer()
