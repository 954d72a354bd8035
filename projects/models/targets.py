"""目标任务: the year's targets the office sets against the data."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.domain.choices import (
    TARGET_METRIC_UNITS,
    TargetMetric,
)
from projects.models.base import _choices_check
from projects.models.history import HistoricalChannel


class TargetManager(models.Manager):
    def get_by_natural_key(self, year, name):
        return self.get(year=year, name=name)


class Target(models.Model):
    """目标任务: a goal a meeting sets for the year (省市重点项目完成投资185.8亿元), tracked against the data."""

    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    name = models.CharField("目标名称", max_length=200)
    metric = models.CharField("指标", max_length=40, choices=TargetMetric.choices)
    scope = models.CharField(
        "范围", max_length=500, blank=True,
        help_text="项目筛选条件，与项目列表的参数相同，如 level=provincial,municipal；留空为该年度全部项目",
    )
    value = models.DecimalField("目标值", max_digits=16, decimal_places=2)
    due_period = models.CharField("期限", max_length=10, help_text="2023-Q2、2023-06 或 2023-06-30；默认年底")
    due_date = models.DateField("截止日期")
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[HistoricalChannel])
    objects = TargetManager()

    class Meta:
        verbose_name = "目标任务"
        verbose_name_plural = "目标任务"
        ordering = ["-year", "due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="target_unique_name_per_year"),
            _choices_check("metric", TargetMetric.values, "target_metric_valid"),
            models.CheckConstraint(condition=Q(value__gt=0), name="target_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    def natural_key(self):
        return (self.year, self.name)

    @property
    def unit(self) -> str:
        return TARGET_METRIC_UNITS[self.metric]
