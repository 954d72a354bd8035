"""目标任务 in and out of the API, and the progress of each against the data."""

from rest_framework import serializers

from projects.api.serializers.base import PERIOD_MESSAGE, PERIOD_PATTERN, DisplayField, ModelSerializer, code_field
from projects.domain.choices import TargetMetric, TargetState
from projects.models import Target

TARGET_FIELDS = [
    "id", "year", "name", "metric", "metric_display", "scope", "value", "unit", "due_period", "due_date", "note",
]


class TargetSerializer(ModelSerializer):
    metric = code_field(TargetMetric, read_only=True)
    metric_display = DisplayField(TargetMetric, source="metric")
    unit = serializers.CharField(read_only=True, help_text="指标的单位：万元、%、个或㎡")

    class Meta:
        model = Target
        fields = [*TARGET_FIELDS, "created_at", "updated_at"]
        read_only_fields = fields


class TargetWriteSerializer(ModelSerializer):
    scope = serializers.CharField(
        required=False, allow_blank=True, max_length=500,
        help_text="项目筛选条件（项目列表的参数），如 level=provincial,municipal；留空为该年度全部项目",
    )
    due_period = serializers.RegexField(
        PERIOD_PATTERN, required=False, allow_blank=True, max_length=10,
        help_text="2023-Q2、2023-06 或 2023-06-30（2000–2099 年）；默认年底",
        error_messages={"invalid": PERIOD_MESSAGE},
    )

    class Meta:
        model = Target
        fields = ["year", "name", "metric", "scope", "value", "due_period", "note"]
        validators = []  # the service says which name is taken, keyed by `name`


class TargetProgressSerializer(serializers.Serializer):
    """A target with its figures as of `as_of`."""

    id = serializers.IntegerField(source="target.id")
    year = serializers.IntegerField(source="target.year")
    name = serializers.CharField(source="target.name")
    metric = code_field(TargetMetric, source="target.metric")
    metric_display = DisplayField(TargetMetric, source="target.metric")
    scope = serializers.CharField(source="target.scope")
    value = serializers.DecimalField(max_digits=16, decimal_places=2, source="target.value")
    unit = serializers.CharField(source="target.unit")
    due_period = serializers.CharField(source="target.due_period")
    due_date = serializers.DateField(source="target.due_date")
    note = serializers.CharField(source="target.note")
    actual = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True,
        help_text="实际完成值，单位同目标；增速在上年同期没有数据时为 null",
    )
    rate = serializers.FloatField(allow_null=True, help_text="100 × actual / value，四舍五入保留一位小数")
    time_progress = serializers.FloatField(help_text="从年初到截止日期的时序进度，四舍五入保留一位小数")
    state = code_field(TargetState)
    state_display = DisplayField(TargetState, source="state")


class TargetStatsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    year = serializers.IntegerField()
    targets = TargetProgressSerializer(many=True)
