"""Notifications (站内通知) and what carries them out of the server: group robots and the delivery outbox.

A notification is made once per user, kind, subject and period: the unique constraint decides,
so two workers or a restart cannot make it twice. Each way out (a mail to the user, a message to
a group robot) is a `Delivery` row per attempt, unique per attempt, claimed by one worker at a
time; a failed attempt leaves its error on its row and a later attempt on a new row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.domain.choices import DeliveryChannel, DeliveryState, NotificationKind, RobotKind, Role
from projects.models.base import _choices_check
from projects.models.history import HistoricalChannel
from projects.models.portfolio import Department


class Notification(models.Model):
    """One message to one user, shown in the admin and the API whatever happens to its mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications",
    )
    kind = models.CharField("类型", max_length=30, choices=NotificationKind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    link = models.CharField("办理页面", max_length=500, blank=True)
    # What it is about (`department:3`, `official:7`, `office`) and the period it is for (`2023-W19`,
    # `2023-05-11`): with the user and the kind, the notification's identity.
    subject = models.CharField("事由", max_length=100)
    period = models.CharField("周期", max_length=20)
    created_at = models.DateTimeField("时间", default=timezone.now, editable=False)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "我的通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "subject", "period"], name="notification_once"),
            _choices_check("kind", NotificationKind.values, "notification_kind_valid"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_newest")]

    def __str__(self) -> str:
        return self.title


class Robot(models.Model):
    """A 企业微信 or 钉钉 group robot that receives the messages of one department or one role."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=RobotKind.choices)
    webhook_url = models.CharField(
        "Webhook 地址", max_length=500, help_text="群机器人的完整地址（含 key 或 access_token）；主机须在 OUTBOUND_ALLOWED_HOSTS 中",
    )
    secret = models.CharField(
        "加签密钥", max_length=200, blank=True, help_text="钉钉机器人“加签”安全设置的密钥（SEC 开头）；企业微信留空",
    )
    department = models.ForeignKey(
        Department, verbose_name="责任单位", on_delete=models.PROTECT, null=True, blank=True, related_name="robots",
        help_text="接收该单位项目的提醒；与“角色”二选一",
    )
    role = models.CharField(
        "角色", max_length=20, choices=Role.choices, blank=True,
        help_text="接收发给该角色的提醒和通报（如 分包领导、重点项目办）；与“责任单位”二选一",
    )
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    history = HistoricalRecords(excluded_fields=["secret"], bases=[HistoricalChannel])

    class Meta:
        verbose_name = "群机器人"
        verbose_name_plural = "群机器人"
        ordering = ["kind", "name", "id"]
        constraints = [
            _choices_check("kind", RobotKind.values, "robot_kind_valid"),
            models.CheckConstraint(
                condition=(Q(department__isnull=False) & Q(role="")) | (Q(department__isnull=True) & ~Q(role="")),
                name="robot_department_or_role",
            ),
            models.CheckConstraint(condition=Q(role="") | Q(role__in=Role.values), name="robot_role_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class RobotMessage(models.Model):
    """One markdown message to one robot; a long one is stored in parts that each fit the robot's limit."""

    robot = models.ForeignKey(Robot, verbose_name="群机器人", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField("类型", max_length=30, choices=NotificationKind.choices)
    subject = models.CharField("事由", max_length=100)
    period = models.CharField("周期", max_length=20)
    part = models.PositiveSmallIntegerField("分段", default=1)
    title = models.CharField("标题", max_length=200)
    text = models.TextField("内容（markdown）")
    created_at = models.DateTimeField("时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "群消息"
        verbose_name_plural = "群消息"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["robot", "kind", "subject", "period", "part"], name="robot_message_once"),
            _choices_check("kind", NotificationKind.values, "robot_message_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One attempt to carry a notification (by mail) or a robot message out of the server."""

    notification = models.ForeignKey(
        Notification, verbose_name="通知", on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries",
    )
    message = models.ForeignKey(
        RobotMessage, verbose_name="群消息", on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries",
    )
    robot = models.ForeignKey(
        Robot, verbose_name="群机器人", on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries",
    )
    channel = models.CharField("渠道", max_length=20, choices=DeliveryChannel.choices)
    attempt = models.PositiveSmallIntegerField("第几次", default=1)
    state = models.CharField("状态", max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    due_at = models.DateTimeField("计划时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "发送记录"
        verbose_name_plural = "发送记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel", "attempt"], condition=Q(notification__isnull=False),
                name="delivery_notification_attempt_once",
            ),
            models.UniqueConstraint(
                fields=["message", "attempt"], condition=Q(message__isnull=False), name="delivery_message_attempt_once",
            ),
            models.CheckConstraint(
                condition=(Q(notification__isnull=False) & Q(message__isnull=True))
                | (Q(notification__isnull=True) & Q(message__isnull=False) & Q(robot__isnull=False)),
                name="delivery_of_one_thing",
            ),
            _choices_check("channel", DeliveryChannel.values, "delivery_channel_valid"),
            _choices_check("state", DeliveryState.values, "delivery_state_valid"),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="delivery_due"),
            models.Index(fields=["robot", "started_at"], name="delivery_robot_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.attempt}"
