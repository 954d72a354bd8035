"""Webhook subscriptions and their delivery log, as the contract lists them; the secret only in the creation's answer."""

from rest_framework import serializers

from projects.api.serializers.base import DisplayField, ModelSerializer
from projects.domain.choices import EVENT_TYPES, WebhookDeliveryState
from projects.domain.webhooks import unknown_types
from projects.models import WebhookDelivery, WebhookSubscription
from projects.outbound.guard import Refused
from projects.outbound.webhooks import webhook_url_check

SUBSCRIPTION_FIELDS = ["id", "url", "types", "description", "is_active", "created_at", "disabled_reason"]


class WebhookSerializer(ModelSerializer):
    types = serializers.ListField(child=serializers.CharField(), read_only=True,
                                  help_text="接收的完整事件类型；空列表表示全部类型")
    disabled_reason = serializers.CharField(read_only=True, help_text="自动停用的原因（410 或连续 5 天失败）；启用时为空")

    class Meta:
        model = WebhookSubscription
        fields = SUBSCRIPTION_FIELDS
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="签名密钥（whsec_ + base64），只在创建时返回这一次，请妥善保存",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*SUBSCRIPTION_FIELDS, "secret"]
        read_only_fields = fields


class WebhookWriteSerializer(ModelSerializer):
    url = serializers.CharField(
        max_length=500, help_text="接收方地址：https，不含用户名密码，主机须在 WEBHOOK_ALLOWED_HOSTS 中",
    )
    types = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=len(EVENT_TYPES),
        help_text="完整事件类型（如 project.changed、problem.created）；空列表或不传表示全部类型",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["url", "types", "description", "is_active"]

    def validate_url(self, value: str) -> str:
        try:
            webhook_url_check(value.strip())
        except Refused as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value.strip()

    def validate_types(self, value: list[str]) -> list[str]:
        unknown = unknown_types(value)
        if unknown:
            raise serializers.ValidationError(
                f"未知的事件类型：{'、'.join(unknown)}。应为完整类型，如 project.changed、milestone.created。")
        return list(dict.fromkeys(value))


class WebhookDeliverySerializer(ModelSerializer):
    event = serializers.IntegerField(source="event_id", read_only=True, help_text="事件 id（即 webhook-id）")
    at = serializers.DateTimeField(read_only=True, help_text="这次尝试的发送时间；尚未发送的为计划时间")
    state_display = DisplayField(WebhookDeliveryState, source="state")
    error = serializers.CharField(read_only=True, help_text="失败原因（含接收方应答的前 1 KB）；2xx 时为空")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "attempt", "at", "status_code", "error", "duration_ms", "state", "state_display"]
        read_only_fields = fields
