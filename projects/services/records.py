"""Writes of a project's records: progress reports, milestones, visits, approvals."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.domain.choices import (
    FINISHED_STATUSES,
    MILESTONE_KIND_REACHED_BY_STATUS,
    ProblemSource,
    ProjectStatus,
    status_move_allowed,
    statuses_passed,
)
from projects.domain.dates import check_written_date, today
from projects.domain.periods import parse_period
from projects.models import (
    ApprovalItem,
    Milestone,
    Project,
    StatusUpdate,
    Visit,
)
from projects.models.portfolio import REPORTED_FIELDS
from projects.services.base import _UNSET, _assign, _fingerprint, _lock, _other_fields, _replay, _save
from projects.services.photos import photos_forbid_delete
from projects.services.problems import problems_raise
from projects.services.projects import _caches_refresh

# What a report changes on its project; the rest of the locked row is as stored and valid.
CHANGED_BY_REPORT = (*REPORTED_FIELDS, "suspended_from", "version")


def status_update_fingerprint(*, project: Project, body) -> str:
    """What identifies a report request for its Idempotency-Key: the project and the body as sent."""
    return _fingerprint({"project": project.pk}, body)


def status_update_create(
    *,
    project: Project,
    user,
    note: str,
    status: str | None = None,
    completed_investment: Decimal | None = None,
    progress_percent: int | None = None,
    problems: str = "",
    next_steps: str = "",
    reported_on: date | None = None,
    raise_problems: list[dict] | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> StatusUpdate:
    """Record a progress report and move the project with it; returns the report.

    `raise_problems` ({title, category?, description?} each) are raised on the project in the same
    transaction, from this report (source 进度填报), on its day. A retry with an Idempotency-Key already used by the same caller returns the first report with `replayed` set;
    `fingerprint` (status_update_fingerprint of the request) tells a retry from a reuse of the key.
    """
    try:
        with transaction.atomic():
            project = _lock(project)
            if idempotency_key is not None and StatusUpdate.objects.filter(
                reported_by=user, idempotency_key=idempotency_key,
            ).exists():
                return _replay(_first_report(user, idempotency_key), fingerprint)
            reported_on = reported_on or today()
            check_written_date("reported_on", reported_on, event=True)
            old_status = project.status
            _project_apply_report(
                project, status=status or old_status, completed_investment=completed_investment,
                progress_percent=progress_percent, reported_on=reported_on,
            )
            # The project was just read under lock and the reporter is the signed-in user: neither
            # needs a query to prove it exists (the idempotency key was checked above).
            report = _save(StatusUpdate(
                project=project, status_from=old_status, status_to=project.status,
                completed_investment=project.completed_investment, progress_percent=project.progress_percent,
                note=note, problems=problems, next_steps=next_steps, reported_on=reported_on, reported_by=user,
                idempotency_key=idempotency_key, request_fingerprint=fingerprint,
            ), exclude={"project", "reported_by"})
            if project.status != old_status:
                # Only a status move completes milestones, and so moves the cached deadline.
                _caches_refresh(project.pk)
            if raise_problems:
                problems_raise(user=user, project=project, raised_on=reported_on, problems=raise_problems,
                               source=ProblemSource.REPORT, source_status_update=report)
            report.replayed = False
            return report
    except IntegrityError:
        # A concurrent request with the same key (on another project) won the race: answer as its retry.
        if idempotency_key is None:
            raise
        return _replay(_first_report(user, idempotency_key), fingerprint)


def _first_report(user, idempotency_key: str) -> StatusUpdate:
    return StatusUpdate.objects.get(reported_by=user, idempotency_key=idempotency_key)


def _project_apply_report(
    project: Project, *, status: str, completed_investment: Decimal | None, progress_percent: int | None,
    reported_on: date,
) -> None:
    """Move a locked project's status and figures as a report says, completing the milestones it reaches."""
    old_status = project.status
    if not status_move_allowed(old_status, status, project.suspended_from):
        raise ValidationError({"status": [
            f"不允许从“{ProjectStatus(old_status).label}”变更为“{ProjectStatus(status).label}”。"
        ]})
    if completed_investment is not None:
        if completed_investment < project.completed_investment:
            raise ValidationError({"completed_investment": [
                f"累计完成投资不能减少（当前 {project.completed_investment} 万元）。"
            ]})
        project.completed_investment = completed_investment
    if status in FINISHED_STATUSES:
        # A finished project is built: its 形象进度 is 100%, said or not.
        if progress_percent is not None and progress_percent < 100:
            raise ValidationError({"progress_percent": [
                f"项目“{ProjectStatus(status).label}”时形象进度应为 100%，不能是 {progress_percent}%。"
            ]})
        progress_percent = 100
    if progress_percent is not None:
        project.progress_percent = progress_percent
    if status != old_status:
        if status == ProjectStatus.SUSPENDED:
            project.suspended_from = old_status
        elif old_status == ProjectStatus.SUSPENDED:
            project.suspended_from = ""
        for reached in statuses_passed(old_status, status):
            kind = MILESTONE_KIND_REACHED_BY_STATUS.get(reached)
            if kind:
                for milestone in project.milestones.filter(kind=kind, completed_on__isnull=True):
                    milestone.completed_on = reported_on
                    _save(milestone, exclude=_other_fields(Milestone, ["completed_on"]))
        project.status = status
    project.version += 1
    _save(project, exclude=_other_fields(Project, CHANGED_BY_REPORT))


def _deadline(due_period, due_date, current: Milestone | None) -> tuple[str, date | None]:
    """Resolve a written due_period and/or due_date to the stored (due_period, due_date)."""
    if due_period is _UNSET and due_date is _UNSET:
        return (current.due_period, current.due_date) if current else ("", None)
    if due_period not in (_UNSET, None, ""):
        try:
            period = parse_period(due_period)
        except ValidationError as exc:
            raise ValidationError({"due_period": exc.messages}) from exc
        check_written_date("due_period", period.end)
        if due_date not in (_UNSET, None) and due_date != period.end:
            raise ValidationError({"due_date": [
                f"与期限 {period.text} 不一致：该期限的截止日期是 {period.end.isoformat()}。"
            ]})
        return period.text, period.end
    if due_date not in (_UNSET, None):
        check_written_date("due_date", due_date)
        return due_date.isoformat(), due_date
    return "", None


@transaction.atomic
def milestone_create(*, project: Project, user, due_period=_UNSET, due_date=_UNSET, **data) -> Milestone:
    """Add a milestone to a project; its deadline is a period or a day, or none."""
    check_written_date("completed_on", data.get("completed_on"), event=True)
    milestone = Milestone(project=project, **data)
    milestone.due_period, milestone.due_date = _deadline(due_period, due_date, None)
    _save(milestone)
    _caches_refresh(project.pk)
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, user, due_period=_UNSET, due_date=_UNSET, **data) -> Milestone:
    """Change a milestone, e.g. complete it with `completed_on`."""
    check_written_date("completed_on", data.get("completed_on"), event=True)
    old_project_id = milestone.project_id
    _assign(milestone, data)
    milestone.due_period, milestone.due_date = _deadline(due_period, due_date, milestone)
    _save(milestone)
    _caches_refresh(milestone.project_id, old_project_id)
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone, user) -> None:
    """Delete a milestone."""
    project_id = milestone.project_id
    milestone.delete()
    _caches_refresh(project_id)


def _visit_write(visit: Visit, data: dict, user=None, raise_problems: list[dict] | None = None) -> Visit:
    check_written_date("visited_on", data.get("visited_on"), event=True)
    old_project_id = visit.project_id
    _assign(visit, data)
    if visit.official_id is None:
        visit.official_id = visit.project.lead_official_id if visit.project_id else None
        if visit.official_id is None:
            raise ValidationError({"official": ["该项目没有分包领导，请指定调研人。"]})
    _save(visit)
    _caches_refresh(visit.project_id, old_project_id)
    if raise_problems:
        problems_raise(user=user, project=visit.project, raised_on=visit.visited_on, problems=raise_problems,
                       source=ProblemSource.VISIT, source_visit=visit)
    return visit


@transaction.atomic
def visit_create(*, user, raise_problems: list[dict] | None = None, **data) -> Visit:
    """Record a lead official's visit or call; the official defaults to the project's lead.

    `raise_problems` ({title, category?, description?} each) are raised on the project in the same
    transaction, from this visit (source 调研督导), on its day.
    """
    return _visit_write(Visit(), data, user, raise_problems)


@transaction.atomic
def visit_update(*, visit: Visit, user, **data) -> Visit:
    """Change a visit record (the official again defaults to the project's lead if cleared)."""
    return _visit_write(visit, data)


@transaction.atomic
def visit_delete(*, visit: Visit, user) -> None:
    """Delete a visit record (not one with photos: they are its proof)."""
    photos_forbid_delete(visit)
    project_id = visit.project_id
    visit.delete()
    _caches_refresh(project_id)


@transaction.atomic
def approval_item_create(*, user, **data) -> ApprovalItem:
    """Create a joint-approval item (联审联批事项)."""
    check_written_date("completed_on", data.get("completed_on"), event=True)
    check_written_date("due_date", data.get("due_date"))
    return _save(ApprovalItem(**data))


@transaction.atomic
def approval_item_update(*, approval_item: ApprovalItem, user, **data) -> ApprovalItem:
    """Change a joint-approval item, e.g. complete it with `completed_on`."""
    check_written_date("completed_on", data.get("completed_on"), event=True)
    check_written_date("due_date", data.get("due_date"))
    _assign(approval_item, data)
    return _save(approval_item)


@transaction.atomic
def approval_item_delete(*, approval_item: ApprovalItem, user) -> None:
    """Delete a joint-approval item."""
    approval_item.delete()
