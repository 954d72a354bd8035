"""Supervision (督办): the problem ledger (问题台账) with its append-only moves, and the office's assessed light (人工研判)."""

import functools
import operator

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from projects.domain.choices import (
    PROBLEM_MOVES,
    ProblemCategory,
    ProblemSource,
    ProblemState,
    WarningLevel,
)
from projects.models.base import _choices_check
from projects.models.history import HistoricalChannel
from projects.models.portfolio import Department, Official, Project
from projects.models.records import StatusUpdate, Visit
from projects.querysets import AssessmentQuerySet, ProblemQuerySet

# States in which a problem has been handed to a unit with a deadline.
_HANDED_OVER = [ProblemState.ASSIGNED, ProblemState.ANSWERED, ProblemState.RESOLVED]


class Problem(models.Model):
    """问题: what blocks a project, handed to the unit that must solve it (交办) and closed by the office (销号).

    `state`, `responsible_department`, `due_date` and `resolved_on` change only with a ProblemMove
    (problem_move_create).
    """

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="problems")
    title = models.CharField("问题", max_length=200)
    description = models.TextField("具体情况", blank=True)
    category = models.CharField("类别", max_length=20, choices=ProblemCategory.choices, default=ProblemCategory.OTHER)
    source = models.CharField("来源", max_length=20, choices=ProblemSource.choices)
    source_status_update = models.ForeignKey(
        StatusUpdate, verbose_name="来源进度填报", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="raised_problems",
    )
    source_visit = models.ForeignKey(
        Visit, verbose_name="来源调研", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="raised_problems",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="raised_problems", help_text="空：由管理命令写入",
    )
    raised_on = models.DateField("提出日期", db_index=True)
    responsible_department = models.ForeignKey(
        Department, verbose_name="责任单位", on_delete=models.PROTECT, null=True, blank=True,
        related_name="problems", help_text="交办时确定；提出时可先建议",
    )
    coordinating_official = models.ForeignKey(
        Official, verbose_name="协调领导", on_delete=models.PROTECT, null=True, blank=True,
        related_name="coordinated_problems",
    )
    due_date = models.DateField("限时办结", null=True, blank=True, editable=False)
    state = models.CharField(
        "状态", max_length=20, choices=ProblemState.choices, default=ProblemState.OPEN, editable=False,
    )
    resolved_on = models.DateField("销号日期", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], bases=[HistoricalChannel])
    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题台账"
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["project", "state", "due_date"], name="problem_project_state_due"),
            models.Index(fields=["responsible_department", "state"], name="problem_department_state"),
            models.Index(fields=["state", "due_date"], name="problem_state_due"),
        ]
        constraints = [
            _choices_check("category", ProblemCategory.values, "problem_category_valid"),
            _choices_check("source", ProblemSource.values, "problem_source_valid"),
            _choices_check("state", ProblemState.values, "problem_state_valid"),
            # Handed over (交办) means a unit and a deadline.
            models.CheckConstraint(
                condition=~Q(state__in=_HANDED_OVER)
                | Q(responsible_department__isnull=False, due_date__isnull=False),
                name="problem_handed_over_has_unit_and_deadline",
            ),
            # Closed (销号) exactly when it has a closing day, never before it was raised.
            models.CheckConstraint(
                condition=Q(state=ProblemState.RESOLVED, resolved_on__isnull=False)
                | (~Q(state=ProblemState.RESOLVED) & Q(resolved_on__isnull=True)),
                name="problem_resolved_on_iff_resolved",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("raised_on")),
                name="problem_resolved_after_raised",
            ),
            models.CheckConstraint(
                condition=Q(source_status_update__isnull=True) | Q(source=ProblemSource.REPORT),
                name="problem_report_source",
            ),
            models.CheckConstraint(
                condition=Q(source_visit__isnull=True) | Q(source=ProblemSource.VISIT),
                name="problem_visit_source",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProblemMove(models.Model):
    """An append-only move of a problem through its workflow (交办, 反馈, 退回, 销号, 撤销).

    `responsible_department` and `due_date` are the problem's after the move, so the state and
    deadline a problem had on any day are read from its moves dated up to that day.
    """

    problem = models.ForeignKey(Problem, verbose_name="问题", on_delete=models.CASCADE, related_name="moves")
    state_from = models.CharField("原状态", max_length=20, choices=ProblemState.choices)
    state_to = models.CharField("新状态", max_length=20, choices=ProblemState.choices)
    moved_on = models.DateField("日期", db_index=True)
    note = models.TextField("说明")
    responsible_department = models.ForeignKey(
        Department, verbose_name="责任单位", on_delete=models.PROTECT, null=True, blank=True,
        related_name="problem_moves",
    )
    due_date = models.DateField("限时办结", null=True, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="problem_moves", help_text="空：由管理命令写入",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    idempotency_key = models.CharField("幂等键", max_length=255, null=True, blank=True, editable=False)
    request_fingerprint = models.CharField("请求摘要", max_length=64, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["idempotency_key", "request_fingerprint"], bases=[HistoricalChannel])

    class Meta:
        verbose_name = "问题流转"
        verbose_name_plural = "问题流转"
        ordering = ["moved_on", "id"]
        indexes = [models.Index(fields=["problem", "moved_on"], name="problem_move_problem_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["moved_by", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="problem_move_idempotency_key",
            ),
            _choices_check("state_from", ProblemState.values, "problem_move_from_valid"),
            _choices_check("state_to", ProblemState.values, "problem_move_to_valid"),
            # Only the moves of the workflow (projects.domain.choices.PROBLEM_MOVES).
            models.CheckConstraint(
                condition=functools.reduce(operator.or_, [
                    Q(state_from=state_from, state_to=state_to) for state_from, state_to in PROBLEM_MOVES
                ]),
                name="problem_move_in_workflow",
            ),
            models.CheckConstraint(
                condition=~Q(state_to__in=_HANDED_OVER)
                | Q(responsible_department__isnull=False, due_date__isnull=False),
                name="problem_move_handed_over_has_unit_and_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem.title}：{self.get_state_from_display()} → {self.get_state_to_display()}"


class Assessment(models.Model):
    """人工研判: the office's own light for a project, valid from `assessed_on` to `valid_until`; append-only."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="assessments")
    level = models.CharField("研判亮灯", max_length=10, choices=WarningLevel.choices)
    reason = models.TextField("研判理由")
    assessed_on = models.DateField("研判日期")
    valid_until = models.DateField("有效期至")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="研判人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="assessments", help_text="空：由管理命令写入",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    history = HistoricalRecords(bases=[HistoricalChannel])
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = "人工研判"
        verbose_name_plural = "人工研判"
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["project", "-assessed_on"], name="assessment_project_day")]
        constraints = [
            _choices_check("level", WarningLevel.values, "assessment_level_valid"),
            models.CheckConstraint(condition=Q(valid_until__gt=F("assessed_on")), name="assessment_valid_after_day"),
        ]

    def __str__(self) -> str:
        return f"{self.project.name} {self.assessed_on} {self.get_level_display()}"
