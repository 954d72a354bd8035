"""`/api/v1/events/`: the change feed, in id order, resumable from the last id a client read."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from projects import selectors
from projects.api.pagination import StandardPagination
from projects.api.serializers.events import EventFeedErrorSerializer, EventPageSerializer, EventSerializer
from projects.domain import params
from projects.domain.choices import EVENT_TYPES
from projects.models.events import FEED_COLUMNS, event_representation


class EventFeedView(generics.GenericAPIView):
    """变更事件流：每次写入都记一条事件（同一事务内）。按 id 递增列出 `after` 之后的事件；客户端保存读到的最后一个 id，下次从它继续，不会漏掉任何事件（较小的 id 尚未提交时，较大的 id 暂不列出）。事件至少保留 EVENTS_RETENTION_DAYS 天。所有角色可读。"""

    permission_classes = [IsAuthenticated]
    serializer_class = EventSerializer
    pagination_class = StandardPagination
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("after", {"type": "integer", "minimum": 0}, description="上次读到的最后一个事件 id（默认 0：从头读）"),
            OpenApiParameter("type", str, description="事件类型，可多个逗号分隔，如 project.changed,milestone.created"),
            OpenApiParameter("project", {"type": "integer", "minimum": 1}, description="只列该项目的事件（项目已删除也可）"),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 500},
                             description="每页条数（默认 50，最多 500）"),
        ],
        responses={
            200: EventPageSerializer,
            400: OpenApiResponse(EventFeedErrorSerializer, description="参数无效，或 after 早于已清理的事件（需重新全量同步）"),
        },
        summary="变更事件流",
    )
    def get(self, request):
        query = request.query_params
        after = params.event_after(query.get("after"))
        types = params.event_types(query.get("type"), EVENT_TYPES)
        project = params.event_project(query.get("project"))
        pruned = selectors.events_pruned_through()
        if after < pruned:
            raise ValidationError({"after": [
                f"事件已按保留期（{settings.EVENTS_RETENTION_DAYS} 天）清理至 #{pruned}，after={after} 之后的部分事件已不可读："
                f"请先通过各列表接口重新全量同步本地数据，再从 after={pruned} 继续读取事件流。"
            ]})
        page_size = self.paginator.get_page_size(request)
        events = selectors.events_visible(after)
        if types:
            events = events.filter(type__in=types)
        if project is not None:
            events = events.filter(project_id=project)
        rows = [event_representation(*row) for row in events.values_list(*FEED_COLUMNS)[:page_size]]
        following = None
        if len(rows) == page_size:
            following = replace_query_param(request.build_absolute_uri(), "after", rows[-1]["id"])
        return Response({"next": following, "results": rows})

