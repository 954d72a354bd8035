"""Webhook subscriptions (推送订阅) of other systems, and every attempt to deliver an event to one.

A subscription receives the events appended after it was created (its `cursor` starts at the
newest event id then), of its `types` (none: every type). The worker turns each such event into
an attempt row, unique on (subscription, event, attempt) so that two workers or a restart cannot
double one, and sends them in event order: the next event waits until the one before it is
delivered or finally failed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.domain.choices import WebhookDeliveryState
from projects.models.base import _choices_check
from projects.models.history import HistoricalChannel


class WebhookSubscription(models.Model):
    """An outside system's address that receives the change feed's events as signed POSTs."""

    url = models.CharField(
        "推送地址", max_length=500, help_text="接收方的完整地址（https）；主机须在 WEBHOOK_ALLOWED_HOSTS 中",
    )
    types = models.JSONField(
        "事件类型", default=list, blank=True, help_text="完整事件类型的列表，如 project.changed；留空表示全部类型",
    )
    description = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    secret = models.CharField("签名密钥", max_length=100, editable=False)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", editable=False,
    )
    # The last event turned into attempts for it (at creation: the newest event then).
    cursor = models.BigIntegerField("已分发至事件", default=0, editable=False)
    # Since when every attempt has failed (None: the last one was delivered, or none failed yet).
    failing_since = models.DateTimeField("连续失败起始", null=True, blank=True, editable=False)
    disabled_reason = models.CharField("停用原因", max_length=300, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["secret", "cursor", "failing_since"], bases=[HistoricalChannel])

    class Meta:
        verbose_name = "推送订阅"
        verbose_name_plural = "推送订阅（Webhook）"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(models.Model):
    """One attempt to POST one event to one subscription (pending until a worker makes it)."""

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name="推送订阅", on_delete=models.CASCADE, related_name="deliveries",
    )
    # DO_NOTHING: retention (services.events_prune) deletes an event's attempts itself, so that the
    # events go in one DELETE (a cascade would make Django load every pruned event, data and all).
    event = models.ForeignKey("projects.Event", verbose_name="事件", on_delete=models.DO_NOTHING, related_name="+")
    attempt = models.PositiveSmallIntegerField("第几次")
    # The try within its run of retries (1 … 8): a redelivery starts a new run at 1.
    tries = models.PositiveSmallIntegerField("本轮第几次", default=1)
    state = models.CharField(
        "状态", max_length=20, choices=WebhookDeliveryState.choices, default=WebhookDeliveryState.PENDING,
    )
    due_at = models.DateTimeField("计划时间", default=timezone.now)
    started_at = models.DateTimeField("发送时间", null=True, blank=True)
    status_code = models.PositiveSmallIntegerField("应答状态码", null=True, blank=True)
    error = models.TextField("错误", blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event", "attempt"], name="webhook_delivery_attempt_once"),
            models.CheckConstraint(condition=Q(attempt__gte=1) & Q(tries__gte=1), name="webhook_delivery_attempt_positive"),
            _choices_check("state", WebhookDeliveryState.values, "webhook_delivery_state_valid"),
        ]
        indexes = [
            models.Index(fields=["subscription", "state", "event"], name="webhook_delivery_queue"),
            models.Index(fields=["subscription", "-id"], name="webhook_delivery_newest"),
        ]

    def __str__(self) -> str:
        return f"事件 {self.event_id} 第 {self.attempt} 次"

    @property
    def at(self):
        """When the attempt was made; for one not made yet, when it is due."""
        return self.started_at or self.due_at
