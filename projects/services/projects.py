"""Writes of projects: create, update, delete, batches, the cached figures."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, OuterRef, QuerySet
from django.utils import timezone

from projects.domain.choices import (
    ProblemState,
    ProjectStatus,
    Sector,
)
from projects.domain.dates import check_written_date
from projects.domain.exceptions import Conflict
from projects.models import (
    Milestone,
    Problem,
    Project,
    ProjectBatch,
    Visit,
)
from projects.models.events import events_record_changed
from projects.models.portfolio import DELIVERY_FIELDS, REPORTED_FIELDS
from projects.querysets import date_subquery
from projects.services.base import _assign, _check_version, _lock, _save


def project_caches_refresh(*, projects: QuerySet[Project], events: bool = True) -> int:
    """Recompute the cached earliest open deadline, latest visit and earliest deadline of an assigned
    problem of `projects` in one UPDATE; each project's detail changes with them, so each has a
    `project.changed` event, unless `events` is False (a generated portfolio, written in bulk)."""
    if not events:
        return _refresh(projects)
    ids = list(projects.values_list("pk", flat=True))
    refreshed = _refresh(Project.objects.filter(pk__in=ids))
    for pk in ids:
        events_record_changed("project", pk, project_id=pk)
    return refreshed


def _refresh(projects: QuerySet[Project]) -> int:
    # Nothing is dated after today, so "open", "visited" and "assigned" need no as_of here.
    open_milestones = Milestone.objects.filter(project=OuterRef("pk"), completed_on__isnull=True)
    visits = Visit.objects.filter(project=OuterRef("pk"))
    assigned_problems = Problem.objects.filter(project=OuterRef("pk"), state=ProblemState.ASSIGNED)
    return projects.update(
        cached_next_due_date=date_subquery(open_milestones, Min("due_date")),
        cached_last_visit_on=date_subquery(visits, Max("visited_on")),
        cached_problem_due_date=date_subquery(assigned_problems, Min("due_date")),
        updated_at=timezone.now(),
    )


def _caches_refresh(*project_ids: int | None) -> None:
    """Refresh the caches of the projects a milestone, visit or problem was or is on.

    Their detail changes with them (the next deadline, the last visit, the light, `updated_at`), so
    each appends a `project.changed` to the change feed, as a write of the project itself would.
    """
    ids = sorted({pk for pk in project_ids if pk})
    _refresh(Project.objects.filter(pk__in=ids))
    for pk in ids:
        events_record_changed("project", pk, project_id=pk)


def _check_delivery(project: Project) -> None:
    if project.sector != Sector.HOUSING and any(getattr(project, field) for field in DELIVERY_FIELDS):
        raise ValidationError({"delivery": ["保交楼（一楼一策一专班一银行）只适用于安居保障（housing）项目。"]})
    try:
        check_written_date("delivery_stalled_since", project.delivery_stalled_since, event=True)
    except ValidationError as exc:
        raise ValidationError({"delivery": [f"停工/窝工起始日：{message}" for message in exc.messages]}) from exc


def _set_batches(project: Project, batches: list[dict]) -> None:
    seen = set()
    for batch in batches:
        key = (batch["period"], batch["kind"])
        if key in seen:
            raise ValidationError({"batches": [f"批次重复：第{key[0]}期 {key[1]}。"]})
        seen.add(key)
    project.batches.all().delete()
    for period, kind in sorted(seen):
        _save(ProjectBatch(project=project, period=period, kind=kind), exclude=["project"])


@transaction.atomic
def project_create(*, user, batches: list[dict] | None = None, **data) -> Project:
    """Create a project of the annual list, with its "三个一批" rounds."""
    project = Project(**data)
    if project.status == ProjectStatus.SUSPENDED:
        raise ValidationError({"status": ["新建项目不能直接为停缓建状态。"]})
    _check_delivery(project)
    _save(project)
    _set_batches(project, batches or [])
    return project


@transaction.atomic
def project_update(
    *, project: Project, user, expected_version: int | None = None, batches: list[dict] | None = None, **data,
) -> Project:
    """Edit a project's own fields; status and figures change only through status updates."""
    project = _lock(project)
    _check_version(project, expected_version)
    for field in REPORTED_FIELDS:
        if field in data and data.pop(field) != getattr(project, field):
            raise ValidationError({field: ["该字段只能通过进度填报（status-updates）修改。"]})
    _assign(project, data)
    _check_delivery(project)
    project.version += 1
    _save(project)
    if batches is not None:
        _set_batches(project, batches)
    return project


@transaction.atomic
def project_delete(*, project: Project, user, expected_version: int | None = None) -> None:
    """Delete a project that has no status updates (one with reports is cancelled instead)."""
    project = _lock(project)
    _check_version(project, expected_version)
    if project.status_updates.exists():
        raise Conflict("该项目已有进度填报，不能删除；请通过进度填报将其改为“已取消”。")
    project.delete()
