"""Events of the change feed, as the contract lists them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.api.serializers.base import ModelSerializer
from projects.domain.choices import EVENT_TYPES, Via
from projects.models import Event


class EventUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="用户 id（用户已删除时仍为当时的 id）")
    username = serializers.CharField(help_text="写入时的用户名")


@extend_schema_field({"type": "object", "additionalProperties": True})
class EventDataField(serializers.JSONField):
    """The object's representation: an object of its detail's fields."""


class EventSerializer(ModelSerializer):
    type = serializers.ChoiceField(choices=EVENT_TYPES, help_text="`<对象类型>.<created|changed|deleted>`")
    project = serializers.IntegerField(source="project_id", allow_null=True,
                                       help_text="所属项目 id（项目删除后仍保留）；不属于项目的对象为 null")
    user = EventUserSerializer(allow_null=True, help_text="写入者；管理命令等无用户的写入为 null")
    via = serializers.ChoiceField(choices=Via.choices, help_text="写入途径：api、admin、import、command")
    data = EventDataField(help_text="对象此刻的读取表示（与其详情接口返回一致）；删除事件为 {\"id\"}")

    class Meta:
        model = Event
        fields = ["id", "type", "at", "object_type", "object_id", "project", "user", "via", "data"]
        read_only_fields = fields


class EventPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="下一页（after=本页最后一个 id）；本页未满时为 null")
    results = EventSerializer(many=True)


def _messages(help_text: str):
    return serializers.ListField(child=serializers.CharField(), required=False, help_text=help_text)


class EventFeedErrorSerializer(serializers.Serializer):
    after = _messages("after 不是非负整数，或早于已清理的事件（需重新全量同步）")
    type = _messages("未知的事件类型")
    project = _messages("不是有效的项目 id")
