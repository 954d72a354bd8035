"""The create, update and delete services of each entity the API's viewsets and the admin's pages write.

A caller that writes any entity of a kind (the base viewset, the admin's form-to-service
adapter) holds the entity's `Writes`: the three services named here, so an editor's "find
usages" leads from each service to its callers. Every entity's services share one shape:
`<entity>_create(*, user, **fields)`, `<entity>_update(*, <entity>, user, **fields)` and
`<entity>_delete(*, <entity>, user, **options)`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from projects.services.leads import lead_create, lead_delete, lead_update
from projects.services.problems import problem_create, problem_delete, problem_update
from projects.services.projects import project_create, project_delete, project_update
from projects.services.records import (
    approval_item_create,
    approval_item_delete,
    approval_item_update,
    milestone_create,
    milestone_delete,
    milestone_update,
    visit_create,
    visit_delete,
    visit_update,
)
from projects.services.references import (
    department_create,
    department_delete,
    department_update,
    official_create,
    official_delete,
    official_update,
)
from projects.services.targets import target_create, target_delete, target_update
from projects.services.webhooks import webhook_create, webhook_delete, webhook_update


@dataclass(frozen=True)
class Writes:
    """The three writes of one entity; `entity` is the keyword its update and delete take the record by."""

    entity: str
    create_service: Callable[..., models.Model]
    update_service: Callable[..., models.Model]
    delete_service: Callable[..., None]

    def create(self, *, user, **data) -> models.Model:
        return self.create_service(user=user, **data)

    def update(self, record: models.Model, *, user, **data) -> models.Model:
        return self.update_service(**{self.entity: record}, user=user, **data)

    def delete(self, record: models.Model, *, user, **options) -> None:
        self.delete_service(**{self.entity: record}, user=user, **options)


DEPARTMENT = Writes("department", department_create, department_update, department_delete)
OFFICIAL = Writes("official", official_create, official_update, official_delete)
PROJECT = Writes("project", project_create, project_update, project_delete)
MILESTONE = Writes("milestone", milestone_create, milestone_update, milestone_delete)
VISIT = Writes("visit", visit_create, visit_update, visit_delete)
APPROVAL_ITEM = Writes("approval_item", approval_item_create, approval_item_update, approval_item_delete)
LEAD = Writes("lead", lead_create, lead_update, lead_delete)
TARGET = Writes("target", target_create, target_update, target_delete)
PROBLEM = Writes("problem", problem_create, problem_update, problem_delete)
WEBHOOK = Writes("webhook", webhook_create, webhook_update, webhook_delete)

# By policy resource (projects.domain.roles): the admin's inlines find a model's writes here.
BY_ENTITY: dict[str, Writes] = {
    writes.entity: writes
    for writes in (DEPARTMENT, OFFICIAL, PROJECT, MILESTONE, VISIT, APPROVAL_ITEM, LEAD, TARGET, PROBLEM, WEBHOOK)
}
