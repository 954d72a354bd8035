"""Reads: querysets with their joins, prefetches and flags for an explicit `as_of`."""

from datetime import date
from functools import lru_cache

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from projects.domain.dates import is_live
from projects.models import (
    ApprovalItem,
    Assessment,
    Department,
    Lead,
    LeadMove,
    Milestone,
    Official,
    Photo,
    Problem,
    ProblemMove,
    Project,
    StatusUpdate,
    Target,
    Visit,
)


def project_list(*, as_of: date) -> QuerySet[Project]:
    """Projects with every flag as of `as_of`, their brief milestones and batches prefetched
    (as the lists `flagged_milestones` and `batch_list`).

    The flag expressions are thousands of nodes to build and resolve; they depend only on the
    day, the plan and the warning thresholds, so the queryset is built once per such plan and
    each caller gets a clone (as DRF does with a view's class-level queryset).
    """
    rules = tuple(sorted(settings.PORTFOLIO_WARNING.items()))
    return _flagged_projects(as_of, is_live(as_of), rules).all()


@lru_cache(maxsize=64)
def _flagged_projects(as_of: date, live: bool, rules: tuple) -> QuerySet[Project]:
    # `rules` (the warning thresholds the expressions read) is only part of the cache key.
    return (
        Project.objects.with_flags(as_of, live=live)
        .select_related("department", "lead_official")
        # Into lists (`to_attr`): a related manager per row would clone a queryset per project.
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.with_flags(as_of), to_attr="flagged_milestones"),
            Prefetch("batches", to_attr="batch_list"),
        )
        .select_related("source_lead")
    )


def milestone_list(*, as_of: date) -> QuerySet[Milestone]:
    """Milestones with `state` and `is_overdue` as of `as_of`."""
    return Milestone.objects.with_flags(as_of).select_related("project")


def approval_item_list(*, as_of: date) -> QuerySet[ApprovalItem]:
    """Joint-approval items with `is_overdue` as of `as_of`."""
    return ApprovalItem.objects.with_flags(as_of).select_related("project", "department")


def visit_list() -> QuerySet[Visit]:
    """Visits, newest first."""
    return Visit.objects.select_related("project", "official")


def status_update_list() -> QuerySet[StatusUpdate]:
    """Status updates, newest first."""
    return StatusUpdate.objects.select_related("project", "reported_by")


def official_list(*, as_of: date) -> QuerySet[Official]:
    """Officials with their project counts as of `as_of`."""
    return Official.objects.with_counts(as_of, live=is_live(as_of)).select_related("department")


def department_list() -> QuerySet[Department]:
    """Departments by code."""
    return Department.objects.all()


def lead_move_list() -> QuerySet[LeadMove]:
    """Lead moves, newest first, with their lead and recorder."""
    return LeadMove.objects.select_related("lead", "lead__department", "moved_by")


def lead_list() -> QuerySet[Lead]:
    """Leads, newest received first, with their references and moves."""
    return Lead.objects.select_related("department", "official", "project").prefetch_related(
        Prefetch("moves", queryset=LeadMove.objects.select_related("moved_by").order_by("moved_on", "id")),
    )


def target_list() -> QuerySet[Target]:
    """Targets, by year (latest first) and deadline."""
    return Target.objects.all()


def problem_move_list() -> QuerySet[ProblemMove]:
    """Problem moves, oldest first, with the unit they name and their recorder."""
    return ProblemMove.objects.select_related("problem", "responsible_department", "moved_by").order_by("moved_on", "id")


def problem_list(*, as_of: date) -> QuerySet[Problem]:
    """Problems with `is_overdue`, `days_overdue` and `escalation_level` as of `as_of`, newest raised first,
    with their references and moves (as the list `move_list`)."""
    return (
        Problem.objects.with_flags(as_of, live=is_live(as_of))
        .select_related("project", "raised_by", "responsible_department", "coordinating_official")
        .prefetch_related(Prefetch(
            "moves", queryset=ProblemMove.objects.select_related("responsible_department", "moved_by")
            .order_by("moved_on", "id"), to_attr="move_list",
        ))
    )


def assessment_list() -> QuerySet[Assessment]:
    """Assessments, newest first, with their author."""
    return Assessment.objects.select_related("project", "assessed_by").order_by("-assessed_on", "-id")


def photo_list() -> QuerySet[Photo]:
    """Photos with `photo_check` against PHOTO_AREA, newest taken first, with their uploader."""
    return Photo.objects.with_check(settings.PHOTO_AREA).select_related("uploaded_by")
