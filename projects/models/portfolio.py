"""The portfolio: departments, officials, key projects (重点项目), their batches and milestones."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from projects.domain.choices import (
    BatchKind,
    MilestoneKind,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
)
from projects.models.base import MONEY, NON_NEGATIVE, CodeManager, _choices_check
from projects.models.history import HistoricalChannel
from projects.querysets import (
    MilestoneQuerySet,
    OfficialQuerySet,
    ProjectQuerySet,
)

# Fields of a project that only status updates may change once it exists.
REPORTED_FIELDS = ("status", "completed_investment", "progress_percent")

# 保交楼 "一楼一策一专班一银行", kept on housing projects only.
DELIVERY_FIELDS = ("delivery_plan", "delivery_task_force", "delivery_bank", "delivery_stalled_since")


class Department(models.Model):
    """责任单位 or approving department (委局)."""

    code = models.SlugField("代码", max_length=40, unique=True, validators=[
        RegexValidator(r"[A-Za-z]", "代码至少包含一个字母，以便与数字 id 区分。"),
    ])
    name = models.CharField("名称", max_length=100)

    objects = CodeManager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.code,)


class Official(models.Model):
    """分包领导: the lead official (首席服务官) of one or more projects."""

    name = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=100, blank=True)
    department = models.ForeignKey(
        Department, verbose_name="所在单位", on_delete=models.PROTECT, null=True, blank=True,
        related_name="officials",
    )
    phone = models.CharField("电话", max_length=30, blank=True)
    is_active = models.BooleanField("在职", default=True)

    objects = OfficialQuerySet.as_manager()

    class Meta:
        verbose_name = "分包领导"
        verbose_name_plural = "分包领导"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["name", "title"], name="official_unique_name_title")]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name

    def natural_key(self):
        return (self.name, self.title)


class Project(models.Model):
    """A key project of a year's list (年度重点项目)."""

    code = models.CharField("项目编号", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    category = models.CharField("类别", max_length=20, choices=ProjectCategory.choices)
    level = models.CharField("级别", max_length=20, choices=ProjectLevel.choices, default=ProjectLevel.DISTRICT)
    sector = models.CharField("领域", max_length=30, choices=Sector.choices, default=Sector.OTHER)
    zone = models.CharField("所在区域", max_length=100, blank=True)
    status = models.CharField("状态", max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    # The status a suspension left; the only one (besides cancelled) it may return to.
    suspended_from = models.CharField(
        "停缓建前状态", max_length=20, choices=ProjectStatus.choices, blank=True, editable=False,
    )
    total_investment = models.DecimalField("总投资（万元）", default=Decimal("0"), validators=NON_NEGATIVE, **MONEY)
    annual_plan_investment = models.DecimalField(
        "年度计划投资（万元）", default=Decimal("0"), validators=NON_NEGATIVE, **MONEY,
    )
    completed_investment = models.DecimalField(
        "年度累计完成投资（万元）", default=Decimal("0"), validators=NON_NEGATIVE, **MONEY,
    )
    progress_percent = models.PositiveSmallIntegerField(
        "形象进度（%）", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    floor_area = models.DecimalField(
        "建筑面积（㎡）", max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE,
    )
    owner = models.CharField("建设单位", max_length=200, blank=True)
    department = models.ForeignKey(
        Department, verbose_name="责任单位", on_delete=models.PROTECT, related_name="projects",
    )
    lead_official = models.ForeignKey(
        Official, verbose_name="分包领导", on_delete=models.PROTECT, null=True, blank=True,
        related_name="projects",
    )
    description = models.TextField("项目简介", blank=True)
    # 保交楼 "一楼一策一专班一银行": housing projects only (the services refuse it elsewhere).
    delivery_plan = models.TextField("一楼一策", blank=True)
    delivery_task_force = models.TextField("专班（牵头人及成员）", blank=True)
    delivery_bank = models.CharField("合作银行", max_length=200, blank=True)
    delivery_stalled_since = models.DateField("停工/窝工起始日", null=True, blank=True)
    # Kept by the services in the same transaction as the change they follow.
    cached_next_due_date = models.DateField("最近节点期限", null=True, blank=True, editable=False, db_index=True)
    cached_last_visit_on = models.DateField("最近调研日期", null=True, blank=True, editable=False, db_index=True)
    # The earliest deadline among its problems now assigned (已交办), for the light of today.
    cached_problem_due_date = models.DateField(
        "最早问题办结期限", null=True, blank=True, editable=False, db_index=True,
    )
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    history = HistoricalRecords(
        excluded_fields=["cached_next_due_date", "cached_last_visit_on", "cached_problem_due_date", "updated_at"],
        bases=[HistoricalChannel],
    )
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "重点项目"
        verbose_name_plural = "重点项目"
        ordering = ["code", "id"]
        indexes = [
            models.Index(fields=["year", "category"], name="project_year_category"),
            models.Index(fields=["status"], name="project_status"),
            models.Index(fields=["department", "status"], name="project_department_status"),
            models.Index(fields=["lead_official", "status"], name="project_official_status"),
        ]
        constraints = [
            _choices_check("category", ProjectCategory.values, "project_category_valid"),
            _choices_check("level", ProjectLevel.values, "project_level_valid"),
            _choices_check("sector", Sector.values, "project_sector_valid"),
            _choices_check("status", ProjectStatus.values, "project_status_valid"),
            models.CheckConstraint(
                condition=Q(suspended_from="") | Q(suspended_from__in=[
                    ProjectStatus.PLANNED, ProjectStatus.SIGNED, ProjectStatus.UNDER_CONSTRUCTION,
                    ProjectStatus.COMPLETED,
                ]),
                name="project_suspended_from_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__gte=0, progress_percent__lte=100), name="project_progress_0_100",
            ),
            models.CheckConstraint(
                condition=Q(total_investment__gte=0, annual_plan_investment__gte=0, completed_investment__gte=0)
                & (Q(floor_area__isnull=True) | Q(floor_area__gte=0)),
                name="project_money_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def natural_key(self):
        return (self.code,)


class ProjectBatchManager(models.Manager):
    def get_by_natural_key(self, project_code, period, kind):
        return self.get(project__code=project_code, period=period, kind=kind)


class ProjectBatch(models.Model):
    """A "三个一批" round the project belongs to (第七期开工一批)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="batches")
    period = models.PositiveSmallIntegerField("期数", validators=[MinValueValidator(1)])
    kind = models.CharField("批次类型", max_length=20, choices=BatchKind.choices)

    objects = ProjectBatchManager()

    class Meta:
        verbose_name = "“三个一批”批次"
        verbose_name_plural = "“三个一批”批次"
        ordering = ["period", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period", "kind"], name="batch_unique_per_project"),
            _choices_check("kind", BatchKind.values, "batch_kind_valid"),
            models.CheckConstraint(condition=Q(period__gte=1), name="batch_period_positive"),
        ]

    def __str__(self) -> str:
        return f"第{self.period}期{self.get_kind_display()}"

    def natural_key(self):
        return (*self.project.natural_key(), self.period, self.kind)

    natural_key.dependencies = ["projects.project"]


class Milestone(models.Model):
    """节点: a dated commitment of a project, e.g. 二季度实质性开工."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField("节点类型", max_length=20, choices=MilestoneKind.choices)
    title = models.CharField("节点名称", max_length=200)
    due_period = models.CharField("期限", max_length=10, blank=True, help_text="2023-Q2、2023-06 或 2023-06-15")
    due_date = models.DateField("截止日期", null=True, blank=True, db_index=True)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[HistoricalChannel])
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = "节点"
        verbose_name_plural = "节点"
        ordering = [models.F("due_date").asc(nulls_last=True), "project_id", "id"]
        indexes = [models.Index(fields=["project", "completed_on", "due_date"], name="milestone_project_open")]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "title"], name="milestone_unique_title"),
            _choices_check("kind", MilestoneKind.values, "milestone_kind_valid"),
            models.CheckConstraint(
                condition=Q(due_period="") | Q(due_date__isnull=False), name="milestone_period_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.name}：{self.title}"

    def natural_key(self):
        return (*self.project.natural_key(), self.kind, self.title)

    natural_key.dependencies = ["projects.project"]
