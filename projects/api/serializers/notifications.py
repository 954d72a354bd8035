"""Notifications as the contract lists them."""

from rest_framework import serializers

from projects.api.serializers.base import DisplayField, ModelSerializer
from projects.domain.choices import NotificationKind
from projects.models import Notification


class NotificationSerializer(ModelSerializer):
    kind_display = DisplayField(NotificationKind, source="kind")
    link = serializers.CharField(read_only=True, help_text="办理该事项的后台页面（站内路径）")

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_display", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields
