"""`/api/v1/webhooks/`: the office's subscriptions, their delivery log and redelivery. Sending is the worker's."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from projects import selectors, services
from projects.api.base import WritableViewSet
from projects.api.pagination import StandardPagination
from projects.api.serializers import webhooks as ws
from projects.api.serializers.base import ERROR_RESPONSE
from projects.domain import roles
from projects.models import WebhookDelivery
from projects.services import registry
from projects.tasks.jobs import webhook_send

DELIVERY_ID = OpenApiParameter("delivery_id", int, OpenApiParameter.PATH, description="推送记录 id")


def _queue_send(subscription_id: int) -> None:
    """After the commit, the worker sends the subscription's attempts."""
    transaction.on_commit(lambda: webhook_send(subscription_id))


@extend_schema_view(
    list=extend_schema(summary="推送订阅列表（重点项目办）"),
    retrieve=extend_schema(summary="推送订阅详情（不含签名密钥）"),
    create=extend_schema(summary="新建推送订阅：签名密钥只在此返回一次", responses={201: ws.WebhookCreatedSerializer}),
    update=extend_schema(responses={200: ws.WebhookSerializer}),
    partial_update=extend_schema(responses={200: ws.WebhookSerializer}),
    destroy=extend_schema(responses={204: None}),
)
class WebhookViewSet(WritableViewSet):
    """推送订阅 (webhooks): other systems receive the change feed's events as signed POSTs. The office only,
    reading included; the signing secret is shown once, in the creation's answer."""

    serializer_class = ws.WebhookSerializer
    write_serializer_class = ws.WebhookWriteSerializer
    writes = registry.WEBHOOK
    filter_backends = []

    def get_queryset(self):
        return selectors.webhook_subscription_list()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_scope(roles.CREATE, serializer.validated_data)
        subscription = self.writes.create(user=request.user, **serializer.validated_data)
        return Response(ws.WebhookCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ws.WebhookDeliverySerializer(many=True), summary="推送记录（最新在前）")
    @action(detail=True, methods=["get"], url_path="deliveries",
            pagination_class=StandardPagination)
    def deliveries(self, request, pk=None):
        """每次推送尝试一条：事件、第几次、时间、应答状态码、错误（2xx 时为空）、耗时。"""
        subscription = self.get_object()
        page = self.paginate_queryset(selectors.webhook_delivery_list(subscription_id=subscription.pk))
        return self.get_paginated_response(ws.WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        request=None, parameters=[DELIVERY_ID], summary="重新推送该记录的事件",
        responses={202: ws.WebhookDeliverySerializer,
                   404: OpenApiResponse(ERROR_RESPONSE, description="无此订阅或推送记录"),
                   409: OpenApiResponse(ERROR_RESPONSE, description="订阅已停用")},
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[^/.]+)/redeliver",
            policy_actions=(roles.REDELIVER,))
    def redeliver(self, request, pk=None, delivery_id=None):
        """再推送一次该记录的事件（新的一次尝试，由后台进程发送），返回 202 和这次尝试。"""
        subscription = self.get_object()
        roles.check(request.user, "webhook", roles.REDELIVER, subscription)
        try:
            delivery = WebhookDelivery.objects.get(pk=int(delivery_id), subscription=subscription)
        except (ValueError, OverflowError, WebhookDelivery.DoesNotExist):
            raise NotFound("未找到该推送记录。") from None
        with transaction.atomic():
            again = services.webhook_redeliver(delivery=delivery, user=request.user)
            _queue_send(subscription.pk)
        return Response(ws.WebhookDeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)
