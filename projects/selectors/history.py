"""The change history of a project and its records, read back as the API shows it."""

from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.utils import timezone

from projects.models import ApprovalItem, Assessment, Milestone, Photo, Problem, Project, StatusUpdate, Visit

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
# Stored but not part of the API's representation of the object.
# A photo's storage keys are not shown either: its files are reached through its id only.
HIDDEN_FIELDS = {"id", "created_at", "updated_at", "suspended_from", "idempotency_key", "request_fingerprint",
                 "file", "thumbnail", "taken_on"}


def _sources():
    """object_type → (historical model, the lookup that ties a row to a project)."""
    return {
        "project": (Project.history.model, "id"),
        "milestone": (Milestone.history.model, "project_id"),
        "visit": (Visit.history.model, "project_id"),
        "approval": (ApprovalItem.history.model, "project_id"),
        "status_update": (StatusUpdate.history.model, "project_id"),
        "problem": (Problem.history.model, "project_id"),
        "assessment": (Assessment.history.model, "project_id"),
        "photo": (Photo.history.model, "project_id"),
    }


def project_has_history(project_id: int) -> bool:
    return Project.history.filter(id=project_id).exists()


def project_history_index(project_id: int) -> models.QuerySet:
    """One row per change to the project and its records, newest first: object_type, history_id,
    history_date and prev_id (the object's previous history row). Count and slice it in SQL."""
    branches = []
    for object_type, (historical, lookup) in _sources().items():
        previous = historical.objects.filter(
            id=OuterRef("id"), history_id__lt=OuterRef("history_id"),
        ).order_by("-history_id").values("history_id")[:1]
        branches.append(
            historical.objects.filter(**{lookup: project_id})
            .annotate(object_type=Value(object_type), prev_id=Subquery(previous))
            .values("object_type", "history_id", "history_date", "prev_id")
            .order_by()
        )
    first, *rest = branches
    return first.union(*rest, all=True).order_by("-history_date", "-history_id", "object_type")


def _api_value(field: models.Field, value):
    """A stored value as the API shows it: codes, ids, ISO dates, money with its decimal places."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.{field.decimal_places}f}"
    return value


def _fields(historical) -> list[models.Field]:
    return [field for field in historical.tracked_fields if field.name not in HIDDEN_FIELDS]


def _snapshot(row, fields) -> dict:
    return {field.name: _api_value(field, getattr(row, field.attname)) for field in fields}


def _changes(row, previous, fields) -> list[dict]:
    new = _snapshot(row, fields)
    if row.history_type == "-":
        return [{"field": name, "old": value, "new": None} for name, value in new.items() if value not in (None, "")]
    old = _snapshot(previous, fields) if previous is not None else {}
    if row.history_type == "+" or previous is None:
        return [{"field": name, "old": old.get(name), "new": value} for name, value in new.items()
                if value not in (None, "") or old.get(name) not in (None, "")]
    return [{"field": name, "old": old[name], "new": value} for name, value in new.items() if old[name] != value]


def project_history_entries(index_rows) -> list[dict]:
    """The entries of a page of `project_history_index`: one query per type of object on the page."""
    sources = _sources()
    wanted: dict[str, set[int]] = {}
    for entry in index_rows:
        ids = wanted.setdefault(entry["object_type"], set())
        ids.add(entry["history_id"])
        if entry["prev_id"] is not None:
            ids.add(entry["prev_id"])
    rows = {}
    for object_type, ids in wanted.items():
        historical = sources[object_type][0]
        for row in historical.objects.filter(history_id__in=ids).select_related("history_user"):
            rows[object_type, row.history_id] = row
    entries = []
    for entry in index_rows:
        object_type = entry["object_type"]
        row = rows[object_type, entry["history_id"]]
        previous = rows.get((object_type, entry["prev_id"]))
        user = row.history_user
        entries.append({
            "at": timezone.localtime(row.history_date).isoformat(),
            "user": {"id": user.pk, "username": user.get_username()} if user else None,
            "via": row.via,
            "object_type": object_type,
            "object_id": row.id,
            "action": ACTIONS[row.history_type],
            "changes": _changes(row, previous, _fields(type(row))),
        })
    return entries
