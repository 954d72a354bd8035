"""What happens to a project: progress reports (进度填报), visits (调研) and joint approvals (联审联批)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.domain.choices import (
    ApprovalMode,
    ProjectStatus,
    VisitKind,
)
from projects.models.base import MONEY, _choices_check
from projects.models.history import HistoricalChannel
from projects.models.portfolio import Department, Official, Project
from projects.querysets import (
    ApprovalItemQuerySet,
)


class StatusUpdate(models.Model):
    """进度填报: an append-only progress report that moved the project's figures."""

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.PROTECT, related_name="status_updates",
    )
    status_from = models.CharField("原状态", max_length=20, choices=ProjectStatus.choices)
    status_to = models.CharField("新状态", max_length=20, choices=ProjectStatus.choices)
    completed_investment = models.DecimalField("年度累计完成投资（万元）", **MONEY)
    progress_percent = models.PositiveSmallIntegerField("形象进度（%）")
    note = models.TextField("进展情况")
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步计划", blank=True)
    reported_on = models.DateField("填报日期", db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT, related_name="status_updates",
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    idempotency_key = models.CharField("幂等键", max_length=255, null=True, blank=True, editable=False)
    request_fingerprint = models.CharField("请求摘要", max_length=64, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["idempotency_key", "request_fingerprint"], bases=[HistoricalChannel])

    class Meta:
        verbose_name = "进度填报"
        verbose_name_plural = "进度填报"
        ordering = ["-reported_on", "-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-reported_on"], name="status_update_project_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["reported_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="status_update_idempotency_key",
            ),
            _choices_check("status_from", ProjectStatus.values, "status_update_from_valid"),
            _choices_check("status_to", ProjectStatus.values, "status_update_to_valid"),
            models.CheckConstraint(
                condition=Q(progress_percent__gte=0, progress_percent__lte=100), name="status_update_progress_0_100",
            ),
            models.CheckConstraint(condition=Q(completed_investment__gte=0), name="status_update_money_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.project.name} {self.reported_on}"


class Visit(models.Model):
    """首席服务官调研、现场督导 or 电话联系 of a project."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="visits")
    official = models.ForeignKey(Official, verbose_name="分包领导", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("日期", db_index=True)
    kind = models.CharField("方式", max_length=20, choices=VisitKind.choices, default=VisitKind.SURVEY)
    note = models.TextField("情况记录", blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    history = HistoricalRecords(bases=[HistoricalChannel])

    class Meta:
        verbose_name = "调研督导"
        verbose_name_plural = "调研督导"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["project", "-visited_on"], name="visit_project_day")]
        constraints = [_choices_check("kind", VisitKind.values, "visit_kind_valid")]

    def __str__(self) -> str:
        return f"{self.project.name} {self.visited_on}"


class ApprovalItem(models.Model):
    """联审联批事项: a permit a department must issue for a project."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="approvals")
    name = models.CharField("事项名称", max_length=200)
    department = models.ForeignKey(
        Department, verbose_name="审批单位", on_delete=models.PROTECT, related_name="approval_items",
    )
    mode = models.CharField("办理模式", max_length=20, choices=ApprovalMode.choices, default=ApprovalMode.NORMAL)
    due_date = models.DateField("办结期限", null=True, blank=True, db_index=True)
    completed_on = models.DateField("办结日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[HistoricalChannel])
    objects = ApprovalItemQuerySet.as_manager()

    class Meta:
        verbose_name = "联审联批事项"
        verbose_name_plural = "联审联批事项"
        ordering = [models.F("due_date").asc(nulls_last=True), "project_id", "id"]
        constraints = [_choices_check("mode", ApprovalMode.values, "approval_mode_valid")]

    def __str__(self) -> str:
        return f"{self.project.name}：{self.name}"
