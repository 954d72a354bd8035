"""Writes of supervision: problems (raise, edit, delete), their moves through the workflow, and assessments."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.domain import roles
from projects.domain.choices import (
    FINAL_PROBLEM_STATES,
    PROBLEM_ACTIONS_SETTING_DEADLINE,
    NotificationKind,
    ProblemAction,
    ProblemSource,
    ProblemState,
    Role,
    problem_move_action,
)
from projects.domain.dates import check_written_date, today
from projects.domain.exceptions import Conflict
from projects.models import (
    Assessment,
    Department,
    Official,
    Problem,
    ProblemMove,
    Project,
    StatusUpdate,
    Visit,
)
from projects.services import notices
from projects.services.base import _fingerprint, _replay, _save
from projects.services.notifications import Notice, notices_record, recipients
from projects.services.projects import _caches_refresh

# Fields of a problem that only its moves change once it is raised.
MOVED_FIELDS = ("state", "responsible_department", "due_date", "resolved_on")
# Fields that say where a problem came from: fixed once it is raised.
ORIGIN_FIELDS = ("project", "source", "source_status_update", "source_visit", "raised_on")
# An assessment holds for at most this many days, and for this many when no end is given.
ASSESSMENT_MAX_DAYS = 90
ASSESSMENT_DEFAULT_DAYS = 30

# Where a problem comes from when the caller does not say: a clerk raises it with a report, an
# official on a visit, the office on its own.
DEFAULT_SOURCE = {Role.DEPARTMENT: ProblemSource.REPORT, Role.OFFICIAL: ProblemSource.VISIT}


def _check_origin(problem: Problem) -> None:
    """The record a problem was raised from belongs to the same project, and its source says so."""
    errors = {}
    linked = ((problem.source_status_update, ProblemSource.REPORT, "source_status_update", "进度填报"),
              (problem.source_visit, ProblemSource.VISIT, "source_visit", "调研"))
    for record, source, field, name in linked:
        if record is None:
            continue
        if record.project_id != problem.project_id:
            errors[field] = [f"该{name}不属于问题所在的项目。"]
        elif problem.source != source:
            errors[field] = [f"来源为“{ProblemSource(source).label}”的问题才能关联{name}。"]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def problem_create(
    *,
    user,
    project: Project,
    title: str,
    category: str | None = None,
    source: str | None = None,
    description: str = "",
    raised_on: date | None = None,
    source_status_update: StatusUpdate | None = None,
    source_visit: Visit | None = None,
    responsible_department: Department | None = None,
    coordinating_official: Official | None = None,
) -> Problem:
    """Raise a problem on a project (待交办), raised on `raised_on` (default today).

    `source` defaults to what the linked record says (a report, a visit), else to the raiser's
    channel: a clerk's 进度填报, an official's 调研督导, the office's own. `responsible_department`
    may be proposed now; the office names it when it assigns the problem.
    """
    if source is None:
        if source_status_update is not None:
            source = ProblemSource.REPORT
        elif source_visit is not None:
            source = ProblemSource.VISIT
        else:
            source = DEFAULT_SOURCE.get(roles.role_of(user)[0], ProblemSource.OFFICE)
    problem = Problem(
        project=project, title=title, description=description, source=source,
        source_status_update=source_status_update, source_visit=source_visit, raised_by=user,
        raised_on=check_written_date("raised_on", raised_on or today(), event=True),
        responsible_department=responsible_department, coordinating_official=coordinating_official,
    )
    if category:
        problem.category = category
    _check_origin(problem)
    return _save(problem)


def problems_raise(*, user, project: Project, raised_on: date, problems: list[dict], **origin) -> list[Problem]:
    """Raise the problems a report or a visit names (`origin`: its source and record), in the caller's transaction."""
    raised = []
    for number, fields in enumerate(problems, 1):
        try:
            raised.append(problem_create(user=user, project=project, raised_on=raised_on, **origin, **fields))
        except ValidationError as exc:
            raise ValidationError({"raise_problems": [
                f"第{number}个问题：{message}" for message in exc.messages
            ]}) from exc
    return raised


@transaction.atomic
def problem_update(*, problem: Problem, user, **data) -> Problem:
    """Edit a problem's own words (title, description, category, coordinating official).

    Its state, unit, deadline and closing day change only with a move; where it came from never.
    """
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    for field in (*MOVED_FIELDS, *ORIGIN_FIELDS):
        if field not in data:
            continue
        value = data.pop(field)
        current = getattr(problem, field)
        if value != current:
            message = ("状态、责任单位、限时办结和销号日期只能通过流转（moves）变更。" if field in MOVED_FIELDS
                       else "问题的项目、来源和提出日期提出后不能修改。")
            raise ValidationError({field: [message]})
    for field, value in data.items():
        setattr(problem, field, value)
    return _save(problem)


@transaction.atomic
def problem_delete(*, problem: Problem, user) -> None:
    """Delete a problem raised by mistake; one that has moved is cancelled (撤销) instead."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.moves.exists():
        raise Conflict("该问题已有流转记录，不能删除；如不再办理，请将其撤销（cancelled）。")
    project_id = problem.project_id
    problem.delete()
    _caches_refresh(project_id)


def _refusal(current: str, target: str) -> str:
    if current in FINAL_PROBLEM_STATES:
        return f"问题{ProblemState(current).label}，不能再流转。"
    if target == current:
        return f"问题已处于“{ProblemState(current).label}”状态。"
    return f"问题不能从“{ProblemState(current).label}”变为“{ProblemState(target).label}”。"


def problem_move_fingerprint(*, problem: Problem, body) -> str:
    """What identifies a move request for its Idempotency-Key: the problem and the body as sent."""
    return _fingerprint({"problem": problem.pk}, body)


def _handover(problem: Problem, action: str, moved_on: date, department, due_date) -> None:
    """Set the unit and deadline a 交办 or 退回 names; other moves may name neither."""
    if action not in PROBLEM_ACTIONS_SETTING_DEADLINE:
        named = {field: value for field, value in
                 (("responsible_department", department), ("due_date", due_date)) if value is not None}
        if named:
            raise ValidationError({field: ["只有交办和退回可以指定责任单位和限时办结日期。"] for field in named})
        return
    if department is not None:
        problem.responsible_department = department
    if problem.responsible_department is None:
        raise ValidationError({"responsible_department": ["交办须指定责任单位。"]})
    if due_date is not None:
        check_written_date("due_date", due_date)
        if due_date < moved_on:
            raise ValidationError({"due_date": [f"限时办结日期不能早于交办日期（{moved_on.isoformat()}）。"]})
        problem.due_date = due_date
    elif action == ProblemAction.ASSIGN:
        raise ValidationError({"due_date": ["交办须给出限时办结日期。"]})


def problem_move_create(
    *,
    problem: Problem,
    user,
    state: str,
    note: str,
    moved_on: date | None = None,
    responsible_department: Department | None = None,
    due_date: date | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> ProblemMove:
    """Move a problem through its workflow (交办, 反馈, 退回, 销号, 撤销); returns the move.

    The move's action is decided by the problem's state under its row lock, and checked against
    the policy there (a `user` of None is a management command). A 交办 names the responsible unit
    (default: the one proposed) and the deadline; a 退回 may name new ones. A retry with an
    Idempotency-Key already used by the same caller returns the first move with `replayed` set;
    `fingerprint` (problem_move_fingerprint of the request) tells a retry from a reuse of the key (422).
    """
    try:
        with transaction.atomic():
            problem = Problem.objects.select_for_update().get(pk=problem.pk)
            if idempotency_key is not None:
                first = ProblemMove.objects.filter(moved_by=user, idempotency_key=idempotency_key).first()
                if first is not None:
                    return _replay(first, fingerprint)
            if state not in ProblemState.values:
                raise ValidationError({"state": [f"“{state}”不是有效的问题状态。"]})
            current = problem.state
            action = problem_move_action(current, state)
            if action is None:
                raise ValidationError({"state": [_refusal(current, state)]})
            if user is not None:
                roles.check(user, "problem", action, problem)
            if not (note or "").strip():
                raise ValidationError({"note": ["请写明办理情况或理由。"]})
            moved_on = check_written_date("moved_on", moved_on or today(), event=True)
            latest = max([problem.raised_on, *problem.moves.values_list("moved_on", flat=True)])
            if moved_on < latest:
                raise ValidationError({"moved_on": [f"不能早于该问题上一次提出或流转的日期（{latest.isoformat()}）。"]})
            _handover(problem, action, moved_on, responsible_department, due_date)
            problem.state = state
            if action == ProblemAction.RESOLVE:
                problem.resolved_on = moved_on
            _save(problem)
            move = _save(ProblemMove(
                problem=problem, state_from=current, state_to=state, moved_on=moved_on, note=note,
                responsible_department=problem.responsible_department, due_date=problem.due_date, moved_by=user,
                idempotency_key=idempotency_key, request_fingerprint=fingerprint,
            ), exclude={"problem", "moved_by"})
            _caches_refresh(problem.project_id)
            if action in PROBLEM_ACTIONS_SETTING_DEADLINE:
                _notify_handed_over(problem, moved_on)
            move.replayed = False
            return move
    except IntegrityError:
        # A concurrent request with the same key won the race: answer as its retry.
        if idempotency_key is None:
            raise
        return _replay(ProblemMove.objects.get(moved_by=user, idempotency_key=idempotency_key), fingerprint)


def _notify_handed_over(problem: Problem, moved_on: date) -> None:
    """问题交办 (and 退回): the responsible department's clerks and the coordinating official get a
    notification, once per problem and day (the worker mails it; this only writes rows)."""
    department, official = problem.responsible_department_id, problem.coordinating_official_id
    users = (*recipients(Role.DEPARTMENT, "department", [department])[department],
             *(recipients(Role.OFFICIAL, "official", [official])[official] if official else ()))
    if not users:
        return
    title, body = notices.problem_text(kind_label=NotificationKind.PROBLEM_ASSIGNED.label, title=problem.title,
                                       project=problem.project, due_date=problem.due_date, escalation_level=0)
    notices_record(notices=[Notice(NotificationKind.PROBLEM_ASSIGNED, f"problem:{problem.pk}", moved_on.isoformat(),
                                   title, body, notices.problem_move_link(problem.pk, ProblemAction.ANSWER), tuple(users))])


@transaction.atomic
def assessment_create(
    *,
    project: Project,
    user,
    level: str,
    reason: str,
    assessed_on: date | None = None,
    valid_until: date | None = None,
) -> Assessment:
    """Record the office's own light for a project (人工研判), valid from `assessed_on` (default today)
    to `valid_until` (default 30 days later, at most 90)."""
    assessed_on = check_written_date("assessed_on", assessed_on or today(), event=True)
    if valid_until is None:
        valid_until = assessed_on + timedelta(days=ASSESSMENT_DEFAULT_DAYS)
    check_written_date("valid_until", valid_until)
    if valid_until <= assessed_on:
        raise ValidationError({"valid_until": [f"有效期应晚于研判日期（{assessed_on.isoformat()}）。"]})
    if valid_until > assessed_on + timedelta(days=ASSESSMENT_MAX_DAYS):
        raise ValidationError({"valid_until": [f"有效期最长为研判日期后 {ASSESSMENT_MAX_DAYS} 天。"]})
    if not (reason or "").strip():
        raise ValidationError({"reason": ["请写明研判理由。"]})
    return _save(Assessment(
        project=project, level=level, reason=reason, assessed_on=assessed_on, valid_until=valid_until,
        assessed_by=user,
    ), exclude={"project", "assessed_by"})
