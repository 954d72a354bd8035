"""`GET /api/v1/projects/{id}/history/`: every change to a project and its records, newest first."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound

from projects.api.serializers.base import ERROR_RESPONSE
from projects.domain.choices import Via
from projects.models import Project
from projects.selectors.history import project_has_history, project_history_entries, project_history_index


class HistoryUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="API 字段名；外键为其 id")
    old = serializers.JSONField(allow_null=True, help_text="原值（代码、id、ISO 日期，金额为两位小数字符串）")
    new = serializers.JSONField(allow_null=True, help_text="新值；删除时为 null")


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = HistoryUserSerializer(allow_null=True, help_text="操作人；管理命令等无用户时为 null")
    via = serializers.ChoiceField(
        choices=Via.choices, allow_null=True, help_text="写入途径；早于记录途径的历史为 null",
    )
    object_type = serializers.ChoiceField(choices=[
        "project", "milestone", "visit", "approval", "status_update", "problem", "assessment", "photo",
    ])
    object_id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    changes = HistoryChangeSerializer(many=True)

    def to_representation(self, instance):
        return instance  # built by projects.models.history in the API's own terms


class ProjectHistoryView(generics.ListAPIView):
    """项目及其节点、调研、联审联批事项、进度填报、问题和人工研判的变更历史（最新在前）。"""

    serializer_class = HistoryEntrySerializer
    filter_backends = []

    def get_queryset(self):
        try:
            project_id = int(self.kwargs["pk"])
        except ValueError:
            raise NotFound("未找到该项目。") from None
        # A deleted project still has its history (its last entry says so).
        if not (Project.objects.filter(pk=project_id).exists() or project_has_history(project_id)):
            raise NotFound("未找到该项目。")
        return project_history_index(project_id)

    @extend_schema(summary="项目变更历史", parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)], responses={
        200: HistoryEntrySerializer(many=True), 404: OpenApiResponse(ERROR_RESPONSE, description="无此项目"),
    })
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(project_history_entries(page), many=True).data)
