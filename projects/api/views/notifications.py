"""`/api/v1/notifications/`: the caller's own notifications, and marking one read."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from projects import selectors, services
from projects.api.serializers.notifications import NotificationSerializer
from projects.models import Notification
from projects.selectors.filters import NotificationFilterSet


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """我的通知：本人的通知（最新在前）；`unread=true` 只列未读。每个角色都可读、可标记已读，只限本人的。"""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = NotificationFilterSet
    queryset = Notification.objects.none()  # the model, for the schema; requests read get_queryset()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.notification_list(user=self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer, summary="标记通知为已读")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """标记本人的一条通知为已读（已读的再标记不变，保留第一次的时间），返回该通知。"""
        notification = services.notification_mark_read(notification=self.get_object(), user=request.user)
        return Response(self.get_serializer(notification).data)
