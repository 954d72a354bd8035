"""Writes of 招商引资 leads: create, update, delete, moves, and the project a signed lead becomes."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.domain.choices import (
    FINAL_LEAD_STAGES,
    LEAD_CONVERTIBLE_STAGES,
    LEAD_STAGE_DATE_FIELD,
    LeadStage,
    ProjectCategory,
    ProjectStatus,
    lead_move_allowed,
    lead_stages_passed,
)
from projects.domain.dates import check_written_date, today
from projects.domain.exceptions import Conflict
from projects.models import (
    Lead,
    LeadMove,
    Project,
)
from projects.services.base import _fingerprint, _replay, _save
from projects.services.projects import project_create

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
) -> LeadMove:
    """Move a lead forward (skipping allowed) or drop it; returns the move.

    Every stage the move passes is dated by it. A retry with an Idempotency-Key already used by
    the same caller returns the first move with `replayed` set; `fingerprint` (lead_move_fingerprint of the request)
    tells a retry from a reuse of the key (422).
    """
    try:
        with transaction.atomic():
            lead = Lead.objects.select_for_update().get(pk=lead.pk)
            if idempotency_key is not None:
                first = LeadMove.objects.filter(moved_by=user, idempotency_key=idempotency_key).first()
                if first is not None:
                    return _replay(first, fingerprint)
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
            move = _save(LeadMove(
                lead=lead, stage_from=current, stage=stage, moved_on=moved_on, note=note, moved_by=user,
                idempotency_key=idempotency_key, request_fingerprint=fingerprint,
            ))
            move.replayed = False
            return move
    except IntegrityError:
        # A concurrent request with the same key won the race: answer as its retry.
        if idempotency_key is None:
            raise
        return _replay(LeadMove.objects.get(moved_by=user, idempotency_key=idempotency_key), fingerprint)


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
