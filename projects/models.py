"""Key projects (重点项目), their milestones, progress reports, visits and joint approvals."""

import functools
import operator
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from knox.models import AuthToken
from simple_history.models import HistoricalRecords

from projects.choices import (
    ApprovalMode,
    BatchKind,
    LeadStage,
    MilestoneKind,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Role,
    Sector,
    TARGET_METRIC_UNITS,
    TargetMetric,
    VisitKind,
)
from projects.history import HistoricalChannel
from projects.querysets import (
    ApprovalItemQuerySet,
    LeadQuerySet,
    MilestoneQuerySet,
    OfficialQuerySet,
    ProjectQuerySet,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class CodeManager(models.Manager):
    """Natural key `code`, so fixtures refer to rows by code and never overwrite by id."""

    def get_by_natural_key(self, code):
        return self.get(code=code)


def _choices_check(field: str, values: list[str], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": values}), name=name)


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
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, db_index=True)

    history = HistoricalRecords(
        excluded_fields=["cached_next_due_date", "cached_last_visit_on", "updated_at"], bases=[HistoricalChannel],
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


class UserProfile(models.Model):
    """The role of a user of the API, and the department or official that scopes its writes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="portfolio_profile",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.READER)
    department = models.ForeignKey(
        Department, verbose_name="所属单位", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
    )
    official = models.ForeignKey(
        Official, verbose_name="对应分包领导", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
    )

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"
        constraints = [
            _choices_check("role", Role.values, "profile_role_valid"),
            models.CheckConstraint(
                condition=~Q(role=Role.DEPARTMENT) | Q(department__isnull=False), name="profile_department_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.OFFICIAL) | Q(official__isnull=False), name="profile_official_has_official",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(AuthToken):
    """knox's hashed API tokens, under a Chinese name in the admin (deleting one revokes it)."""

    class Meta:
        proxy = True
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
