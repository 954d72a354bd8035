"""Writes of the reference lists: departments (责任单位) and officials (分包领导)."""

from django.db import transaction

from projects.models import (
    Department,
    Official,
)
from projects.services.base import _assign, _delete_unreferenced, _save


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
