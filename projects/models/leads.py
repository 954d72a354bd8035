"""招商引资: leads (线索) and their append-only moves through the stages."""

import functools
import operator

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.domain.choices import (
    LeadStage,
    Sector,
)
from projects.models.base import MONEY, NON_NEGATIVE, _choices_check
from projects.models.history import HistoricalChannel
from projects.models.portfolio import Department, Official, Project
from projects.querysets import (
    LeadQuerySet,
)


class LeadManager(models.Manager.from_queryset(LeadQuerySet)):
    def get_by_natural_key(self, name, received_on):
        return self.get(name=name, received_on=received_on)


class Lead(models.Model):
    """招商引资线索: an enterprise's investment project from first lead to landing.

    `stage` and the stage dates move only with a LeadMove (lead_move_create).
    """

    name = models.CharField("项目名称", max_length=200)
    enterprise = models.CharField("企业", max_length=200, blank=True)
    sector = models.CharField("领域", max_length=30, choices=Sector.choices, default=Sector.OTHER)
    amount = models.DecimalField(
        "计划投资（万元）", null=True, blank=True, validators=NON_NEGATIVE, **MONEY,
    )
    source = models.CharField("线索来源", max_length=100, blank=True, help_text="如 豫粤合作交流会")
    stage = models.CharField("阶段", max_length=20, choices=LeadStage.choices, default=LeadStage.LEAD,
                             editable=False)
    department = models.ForeignKey(
        Department, verbose_name="责任单位", on_delete=models.PROTECT, related_name="leads",
    )
    official = models.ForeignKey(
        Official, verbose_name="对接领导", on_delete=models.PROTECT, null=True, blank=True, related_name="leads",
    )
    received_on = models.DateField("收集日期", db_index=True)
    contacted_on = models.DateField("对接日期", null=True, blank=True, editable=False)
    negotiating_on = models.DateField("在谈日期", null=True, blank=True, editable=False)
    signed_on = models.DateField("签约日期", null=True, blank=True, editable=False, db_index=True)
    landed_on = models.DateField("落地日期", null=True, blank=True, editable=False, db_index=True)
    dropped_on = models.DateField("终止日期", null=True, blank=True, editable=False)
    project = models.OneToOneField(
        Project, verbose_name="转化的重点项目", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="source_lead",
    )
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[HistoricalChannel])
    objects = LeadManager()

    class Meta:
        verbose_name = "招商线索"
        verbose_name_plural = "招商线索"
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["department", "stage"], name="lead_department_stage"),
            models.Index(fields=["stage"], name="lead_stage"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["name", "received_on"], name="lead_unique_name_day"),
            _choices_check("stage", LeadStage.values, "lead_stage_valid"),
            _choices_check("sector", Sector.values, "lead_sector_valid"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="lead_amount_non_negative",
            ),
            # Each stage is reached on or after the lead came in.
            models.CheckConstraint(
                condition=functools.reduce(operator.and_, [
                    Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": models.F("received_on")})
                    for field in ("contacted_on", "negotiating_on", "signed_on", "landed_on", "dropped_on")
                ]),
                name="lead_stages_after_received",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.name, self.received_on.isoformat())


class LeadMoveManager(models.Manager):
    def get_by_natural_key(self, name, received_on, stage):
        return self.get(lead__name=name, lead__received_on=received_on, stage=stage)


class LeadMove(models.Model):
    """An append-only move of a lead to a later stage (or to dropped)."""

    lead = models.ForeignKey(Lead, verbose_name="线索", on_delete=models.PROTECT, related_name="moves")
    stage_from = models.CharField("原阶段", max_length=20, choices=LeadStage.choices)
    stage = models.CharField("新阶段", max_length=20, choices=LeadStage.choices)
    moved_on = models.DateField("日期", db_index=True)
    note = models.TextField("说明", blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="lead_moves", help_text="空：随数据导入",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    idempotency_key = models.CharField("幂等键", max_length=255, null=True, blank=True, editable=False)
    request_fingerprint = models.CharField("请求摘要", max_length=64, blank=True, editable=False)

    objects = LeadMoveManager()

    class Meta:
        verbose_name = "线索推进"
        verbose_name_plural = "线索推进"
        ordering = ["-moved_on", "-id"]
        constraints = [
            # Forward only: a lead reaches each stage at most once.
            models.UniqueConstraint(fields=["lead", "stage"], name="lead_move_once_per_stage"),
            models.UniqueConstraint(
                fields=["moved_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="lead_move_idempotency_key",
            ),
            _choices_check("stage_from", LeadStage.values, "lead_move_from_valid"),
            _choices_check("stage", LeadStage.values, "lead_move_to_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.lead.name}：{self.get_stage_from_display()} → {self.get_stage_display()}"

    def natural_key(self):
        return (*self.lead.natural_key(), self.stage)

    natural_key.dependencies = ["projects.lead"]
