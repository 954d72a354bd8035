"""Every write of the service: atomic, validated with full_clean(), row-locked where it moves state."""

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Min, OuterRef, QuerySet
from django.utils import timezone

from projects import validation
from projects.choices import (
    FINAL_LEAD_STAGES,
    FINISHED_STATUSES,
    LEAD_CONVERTIBLE_STAGES,
    LEAD_METRICS,
    LEAD_STAGE_DATE_FIELD,
    MILESTONE_KIND_REACHED_BY_STATUS,
    LeadStage,
    ProjectCategory,
    ProjectStatus,
    Sector,
    lead_move_allowed,
    lead_stages_passed,
    status_move_allowed,
    statuses_passed,
)
from projects.dates import check_written_date, today
from projects.exceptions import Conflict, IdempotencyKeyReused, PreconditionFailed
from projects.models import (
    ApprovalItem,
    Department,
    Lead,
    LeadMove,
    Milestone,
    Official,
    Project,
    ProjectBatch,
    StatusUpdate,
    Target,
    Visit,
)
from projects.periods import parse_period
from projects.querysets import date_subquery
from projects.roles import WRITE_ACTIONS

# Fields of a project that only status updates may change once it exists.
REPORTED_FIELDS = ("status", "completed_investment", "progress_percent")
# 保交楼 "一楼一策一专班一银行", kept on housing projects only.
DELIVERY_FIELDS = ("delivery_plan", "delivery_task_force", "delivery_bank", "delivery_stalled_since")
# What a report changes on its project; the rest of the locked row is as stored and valid.
CHANGED_BY_REPORT = (*REPORTED_FIELDS, "suspended_from", "version")


def _save(instance: models.Model, *, exclude=None) -> models.Model:
    """Validate (check constraints judged in Python, see projects/validation.py) and save."""
    validation.full_clean(instance, exclude=exclude)
    instance.save()
    return instance


def _other_fields(model, fields) -> set[str]:
    """Every field of `model` but `fields`: what a write that changes only `fields` need not validate again."""
    return {f.name for f in model._meta.concrete_fields} - set(fields)


def _assign(instance: models.Model, data: dict[str, Any]) -> None:
    for field, value in data.items():
        setattr(instance, field, value)


def _check_version(project: Project, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != project.version:
        raise PreconditionFailed()


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def project_caches_refresh(*, projects: QuerySet[Project]) -> int:
    """Recompute the cached earliest open deadline and latest visit of `projects` in one UPDATE."""
    # Nothing is dated after today, so "open" and "visited" need no as_of here.
    open_milestones = Milestone.objects.filter(project=OuterRef("pk"), completed_on__isnull=True)
    visits = Visit.objects.filter(project=OuterRef("pk"))
    return projects.update(
        cached_next_due_date=date_subquery(open_milestones, Min("due_date")),
        cached_last_visit_on=date_subquery(visits, Max("visited_on")),
        updated_at=timezone.now(),
    )


def _caches_refresh(*project_ids: int | None) -> None:
    """Refresh the caches of the projects a milestone or visit was or is on."""
    project_caches_refresh(projects=Project.objects.filter(pk__in={pk for pk in project_ids if pk}))


def write(entity: str, action: str, *, user, record=None, **data):
    """Call the service `<entity>_<action>`, for callers that write any entity (the API, the admin).

    Every entity's writes share one shape: `<entity>_create(*, user, **fields)`,
    `<entity>_update(*, <entity>, user, **fields)` and `<entity>_delete(*, <entity>, user)`;
    `record` is the `<entity>` argument of an update or a delete.
    """
    if action not in WRITE_ACTIONS:
        raise ValueError(action)
    service = globals()[f"{entity}_{action}"]
    return service(user=user, **data) if record is None else service(**{entity: record}, user=user, **data)


# --- departments and officials ------------------------------------------------------------


def _delete_unreferenced(instance: Department | Official) -> None:
    try:
        instance.delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        raise Conflict(f"“{instance}”仍被项目或其他记录引用，不能删除。") from exc


@transaction.atomic
def department_create(*, user, **data) -> Department:
    """Create a department (责任单位 or approving department)."""
    return _save(Department(**data))


@transaction.atomic
def department_update(*, department: Department, user, **data) -> Department:
    """Change a department."""
    _assign(department, data)
    return _save(department)


@transaction.atomic
def department_delete(*, department: Department, user) -> None:
    """Delete a department that nothing refers to any more."""
    _delete_unreferenced(department)


@transaction.atomic
def official_create(*, user, **data) -> Official:
    """Create a lead official."""
    return _save(Official(**data))


@transaction.atomic
def official_update(*, official: Official, user, **data) -> Official:
    """Change a lead official."""
    _assign(official, data)
    return _save(official)


@transaction.atomic
def official_delete(*, official: Official, user) -> None:
    """Delete an official that nothing refers to any more."""
    _delete_unreferenced(official)


# --- projects -------------------------------------------------------------------------------


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


# --- status updates -------------------------------------------------------------------------


def _fingerprint(identity: dict, body) -> str:
    return hashlib.sha256(json.dumps({**identity, "body": body}, sort_keys=True, default=str).encode()).hexdigest()


def _replay(first: StatusUpdate | LeadMove, fingerprint: str) -> StatusUpdate | LeadMove:
    """The record a request with the same Idempotency-Key wrote first; 422 if the request differs."""
    if first.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return first


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
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> tuple[StatusUpdate, bool]:
    """Record a progress report and move the project with it; returns (report, created).

    A retry with an Idempotency-Key already used by the same caller returns the first report;
    `fingerprint` (status_update_fingerprint of the request) tells a retry from a reuse of the key.
    """
    try:
        with transaction.atomic():
            project = _lock(project)
            if idempotency_key is not None and StatusUpdate.objects.filter(
                reported_by=user, idempotency_key=idempotency_key,
            ).exists():
                return _replay(_first_report(user, idempotency_key), fingerprint), False
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
            return report, True
    except IntegrityError:
        # A concurrent request with the same key (on another project) won the race: answer as its retry.
        if idempotency_key is None:
            raise
        return _replay(_first_report(user, idempotency_key), fingerprint), False


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


# --- milestones -----------------------------------------------------------------------------

_UNSET = object()


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


# --- visits ---------------------------------------------------------------------------------


def _visit_write(visit: Visit, data: dict) -> Visit:
    check_written_date("visited_on", data.get("visited_on"), event=True)
    old_project_id = visit.project_id
    _assign(visit, data)
    if visit.official_id is None:
        visit.official_id = visit.project.lead_official_id if visit.project_id else None
        if visit.official_id is None:
            raise ValidationError({"official": ["该项目没有分包领导，请指定调研人。"]})
    _save(visit)
    _caches_refresh(visit.project_id, old_project_id)
    return visit


@transaction.atomic
def visit_create(*, user, **data) -> Visit:
    """Record a lead official's visit or call; the official defaults to the project's lead."""
    return _visit_write(Visit(), data)


@transaction.atomic
def visit_update(*, visit: Visit, user, **data) -> Visit:
    """Change a visit record (the official again defaults to the project's lead if cleared)."""
    return _visit_write(visit, data)


@transaction.atomic
def visit_delete(*, visit: Visit, user) -> None:
    """Delete a visit record."""
    project_id = visit.project_id
    visit.delete()
    _caches_refresh(project_id)


# --- approval items -------------------------------------------------------------------------


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


# --- investment-promotion leads (招商引资) ------------------------------------------------------

# Fields a lead's moves own; an edit may not change them.
MOVED_FIELDS = ("stage", *LEAD_STAGE_DATE_FIELD.values())


@transaction.atomic
def lead_create(*, user, received_on: date | None = None, **data) -> Lead:
    """Record a new lead (stage 线索), received on `received_on` (default today)."""
    for field in MOVED_FIELDS:
        if data.get(field) not in (None, "", LeadStage.LEAD):
            raise ValidationError({field: ["新线索从“线索”阶段开始；后续阶段请通过推进记录（moves）登记。"]})
        data.pop(field, None)
    lead = Lead(received_on=check_written_date("received_on", received_on or today(), event=True), **data)
    return _save(lead)


@transaction.atomic
def lead_update(*, lead: Lead, user, **data) -> Lead:
    """Edit a lead's own fields; its stage and stage dates change only with a move."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    for field in MOVED_FIELDS:
        if field in data and data.pop(field) != getattr(lead, field):
            raise ValidationError({field: ["阶段和各阶段日期只能通过推进记录（moves）变更。"]})
    for field, value in data.items():
        setattr(lead, field, value)
    return _save(lead)


@transaction.atomic
def lead_delete(*, lead: Lead, user) -> None:
    """Delete a lead that has no moves (one with moves is dropped instead)."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.moves.exists():
        raise Conflict("该线索已有推进记录，不能删除；如不再跟进，请将其推进为“已终止”。")
    lead.delete()


def _refusal(current: str, target: str) -> str:
    if current in FINAL_LEAD_STAGES:
        return f"线索已{LeadStage(current).label.removeprefix('已')}，不能再推进。"
    if target == current:
        return f"线索已处于“{LeadStage(current).label}”阶段。"
    return f"线索只能向后推进，不能从“{LeadStage(current).label}”退回“{LeadStage(target).label}”。"


def lead_move_fingerprint(*, lead: Lead, body) -> str:
    """What identifies a move request for its Idempotency-Key: the lead and the body as sent."""
    return _fingerprint({"lead": lead.pk}, body)


def lead_move_create(
    *,
    lead: Lead,
    user,
    stage: str,
    moved_on: date | None = None,
    note: str = "",
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> tuple[LeadMove, bool]:
    """Move a lead forward (skipping allowed) or drop it; returns (move, created).

    Every stage the move passes is dated by it. A retry with an Idempotency-Key already used by
    the same caller returns the first move; `fingerprint` (lead_move_fingerprint of the request)
    tells a retry from a reuse of the key (422).
    """
    try:
        with transaction.atomic():
            lead = Lead.objects.select_for_update().get(pk=lead.pk)
            if idempotency_key is not None:
                first = LeadMove.objects.filter(moved_by=user, idempotency_key=idempotency_key).first()
                if first is not None:
                    return _replay(first, fingerprint), False
            if stage not in LeadStage.values:
                raise ValidationError({"stage": [f"“{stage}”不是有效的阶段。"]})
            moved_on = check_written_date("moved_on", moved_on or today(), event=True)
            current = lead.stage
            if not lead_move_allowed(current, stage):
                raise ValidationError({"stage": [_refusal(current, stage)]})
            latest = max(d for d in (getattr(lead, f) for f in LEAD_STAGE_DATE_FIELD.values()) if d)
            if moved_on < latest:
                raise ValidationError({"moved_on": [f"不能早于该线索上一阶段的日期（{latest.isoformat()}）。"]})
            for reached in lead_stages_passed(current, stage):
                setattr(lead, LEAD_STAGE_DATE_FIELD[reached], moved_on)
            lead.stage = stage
            _save(lead)
            return _save(LeadMove(
                lead=lead, stage_from=current, stage=stage, moved_on=moved_on, note=note, moved_by=user,
                idempotency_key=idempotency_key, request_fingerprint=fingerprint,
            )), True
    except IntegrityError:
        # A concurrent request with the same key won the race: answer as its retry.
        if idempotency_key is None:
            raise
        return _replay(LeadMove.objects.get(moved_by=user, idempotency_key=idempotency_key), fingerprint), False


@transaction.atomic
def lead_project_create(*, lead: Lead, user, **project_data) -> Project:
    """Turn a signed (or landed) lead into a key project, created by project_create, and link it.

    The project's fields default to the lead's: name, sector, department, owner (the enterprise),
    lead official, total investment; category 前期类 and status 已签约 unless given.
    """
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.stage not in LEAD_CONVERTIBLE_STAGES:
        raise Conflict(f"线索处于“{lead.get_stage_display()}”阶段；签约或落地后才能转为重点项目。")
    if lead.project_id is not None:
        raise Conflict(f"该线索已转为重点项目 {lead.project}。")
    defaults = {
        "name": lead.name,
        "sector": lead.sector,
        "department": lead.department,
        "owner": lead.enterprise,
        "lead_official": lead.official,
        "category": ProjectCategory.PREPARATION,
        "status": ProjectStatus.SIGNED,
    }
    if lead.amount is not None:
        defaults["total_investment"] = lead.amount
    project = project_create(user=user, **{**defaults, **project_data})
    lead.project = project
    _save(lead)
    return project


# --- targets -------------------------------------------------------------------------------


def _target_check(target: Target) -> None:
    """Derive the deadline from `due_period` (default: the year's end) and validate the scope."""
    from projects.filters import project_scope

    errors = {}
    if Target.objects.filter(year=target.year, name=target.name).exclude(pk=target.pk).exists():
        errors["name"] = [f"{target.year}年已有名为“{target.name}”的目标任务。"]
    if target.value is not None and target.value <= 0:
        errors["value"] = ["目标值应大于 0。"]
    if not target.due_period and target.year:
        target.due_period = f"{target.year:04d}-12-31"
    try:
        period = parse_period(target.due_period)
    except ValidationError as exc:
        errors["due_period"] = exc.messages
    else:
        target.due_period, target.due_date = period.text, period.end
        try:
            check_written_date("due_period", period.end)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if target.year and period.end.year != target.year:
            errors["due_period"] = [f"期限应在目标年度（{target.year}年）之内。"]
    target.scope = (target.scope or "").strip().lstrip("?")
    if target.metric in LEAD_METRICS and target.scope:
        errors["scope"] = ["招商引资指标按全部线索统计，不按项目范围：范围应留空。"]
    try:
        project_scope(target.scope, queryset=Project.objects.with_flags(today()), as_of=today())
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def target_create(*, user, **data) -> Target:
    """Set a target of the year; its deadline is a period (default the year's end), its scope a project filter."""
    target = Target(**data)
    _target_check(target)
    return _save(target)


@transaction.atomic
def target_update(*, target: Target, user, **data) -> Target:
    """Change a target; the deadline and scope are checked again."""
    target = Target.objects.select_for_update().get(pk=target.pk)
    _assign(target, data)
    _target_check(target)
    return _save(target)


@transaction.atomic
def target_delete(*, target: Target, user) -> None:
    """Delete a target."""
    target.delete()


# --- users and tokens -----------------------------------------------------------------------


@transaction.atomic
def user_role_assign(
    *, username: str, role: str, department: Department | None = None, official: Official | None = None,
):
    """Create the user if needed and give it a role (admins become superusers, for /admin/ too)."""
    from django.contrib.auth import get_user_model

    from projects.choices import Role
    from projects.models import UserProfile

    if role == Role.DEPARTMENT and department is None:
        raise ValidationError({"department": ["department 角色必须指定 --department。"]})
    if role == Role.OFFICIAL and official is None:
        raise ValidationError({"official": ["official 角色必须指定 --official。"]})
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
    # 重点项目办 reads and writes everything, in the admin too.
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
    user.save()
    profile = UserProfile.objects.filter(user=user).first() or UserProfile(user=user)
    profile.role = role
    profile.department = department
    profile.official = official
    _save(profile)
    return user


@transaction.atomic
def user_password_set(*, user, password: str):
    """Set the password `user` logs in with at /admin/, checked by AUTH_PASSWORD_VALIDATORS first."""
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def token_issue(*, user, days: int | None = None) -> str:
    """Create an API token for `user`; only its hash is stored, so the key is shown this once."""
    from datetime import timedelta

    from knox.models import AuthToken

    if days is None:
        _, key = AuthToken.objects.create(user)
    else:
        _, key = AuthToken.objects.create(user, expiry=timedelta(days=days) if days > 0 else None)
    return key


def token_revoke_all(*, user) -> int:
    """Revoke every token of `user`; returns how many there were."""
    from knox.models import AuthToken

    count, _ = AuthToken.objects.filter(user=user).delete()
    return count
