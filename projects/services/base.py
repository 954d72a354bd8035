"""What every service shares: save after full_clean, the row lock, versions, idempotent replays."""

import hashlib
import json
from typing import Any

from django.db import models

from projects.domain.exceptions import Conflict, IdempotencyKeyReused, PreconditionFailed
from projects.fast import constraints
from projects.models import (
    Department,
    LeadMove,
    Official,
    ProblemMove,
    Project,
    StatusUpdate,
)


def _save(instance: models.Model, *, exclude=None) -> models.Model:
    """Validate (check constraints judged in Python, see projects/fast/constraints.py) and save."""
    constraints.full_clean(instance, exclude=exclude)
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


def _delete_unreferenced(instance: Department | Official) -> None:
    try:
        instance.delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        raise Conflict(f"“{instance}”仍被项目或其他记录引用，不能删除。") from exc


def _fingerprint(identity: dict, body) -> str:
    return hashlib.sha256(json.dumps({**identity, "body": body}, sort_keys=True, default=str).encode()).hexdigest()


def _replay(first: StatusUpdate | LeadMove | ProblemMove, fingerprint: str) -> StatusUpdate | LeadMove | ProblemMove:
    """The record a request with the same Idempotency-Key wrote first, marked `replayed`; 422 if the request differs."""
    if first.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    first.replayed = True
    return first


_UNSET = object()
