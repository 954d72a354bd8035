"""What the change feed reports: one row per object type, read as the API's detail reads it.

An object type of the feed is one entry of SOURCES: its model, how one of its rows names its
project, and the selector and read serializer of its detail. `register()` (called once from
AppConfig.ready) hands the table to the outbox (projects/models/events.py), which the models'
layer cannot import from here.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from django.db import models
from django.db.models import QuerySet
from rest_framework.serializers import BaseSerializer

from projects import selectors
from projects.api.serializers import leads as ls
from projects.api.serializers.photos import PhotoSerializer
from projects.api.serializers import portfolio as s
from projects.api.serializers import problems as ps
from projects.api.serializers.targets import TargetSerializer
from projects.domain.dates import default_as_of
from projects.fast.json import FastJSONRenderer
from projects.models import (
    ApprovalItem,
    Assessment,
    Lead,
    LeadMove,
    Milestone,
    Photo,
    Problem,
    ProblemMove,
    Project,
    ProjectBatch,
    StatusUpdate,
    Target,
    Visit,
)
from projects.models.events import Source, Touch, events_sources_register


def _own_project(row) -> int | None:
    return row.project_id


@dataclass(frozen=True)
class Detail:
    """How the API reads one object of a type: its detail's selector (for an as_of) and serializer."""

    object_type: str
    model: type[models.Model]
    rows: Callable[..., QuerySet]
    serializer: type[BaseSerializer]
    project_of: Callable[[models.Model], int | None] = _own_project
    takes_as_of: bool = False
    # The selector only joins (no annotation, no prefetch): the row just saved reads the same, with
    # the related rows it already holds, and saves the write a query.
    from_instance: bool = False

    def render(self, pk: int, instance: models.Model | None = None) -> dict:
        as_of = default_as_of()
        if instance is None or not self.from_instance:
            rows = self.rows(as_of=as_of) if self.takes_as_of else self.rows()
            instance = rows.get(pk=pk)
        data = self._serializer(as_of).to_representation(instance)
        # Byte for byte what the API answers (decimals as strings, dates as ISO text).
        return orjson.loads(FastJSONRenderer().render(data))

    def _serializer(self, as_of):
        """This thread's serializer for the day, built once: building one copies its fields (and its
        nested serializers' fields), which was half of a project's render. The read serializers keep
        nothing of the row they write, so one instance writes every row of the day."""
        built = getattr(_SERIALIZERS, self.object_type, None)
        if built is None or built[0] != as_of:
            built = (as_of, self.serializer(context={"as_of": as_of}))
            setattr(_SERIALIZERS, self.object_type, built)
        return built[1]


# Per thread: gunicorn's threads render at once, and a serializer's fields are bound on first use.
_SERIALIZERS = threading.local()


SOURCES = [
    Detail("project", Project, selectors.project_list, s.ProjectSerializer, lambda row: row.pk, takes_as_of=True),
    Detail("milestone", Milestone, selectors.milestone_list, s.MilestoneSerializer, takes_as_of=True),
    Detail("status_update", StatusUpdate, selectors.status_update_list, s.StatusUpdateSerializer, from_instance=True),
    Detail("visit", Visit, selectors.visit_list, s.VisitSerializer, from_instance=True),
    Detail("approval", ApprovalItem, selectors.approval_item_list, s.ApprovalItemSerializer, takes_as_of=True),
    Detail("lead", Lead, selectors.lead_list, ls.LeadSerializer),
    Detail("lead_move", LeadMove, selectors.lead_move_list, ls.LeadMoveSerializer, lambda row: row.lead.project_id,
           from_instance=True),
    Detail("target", Target, selectors.target_list, TargetSerializer, lambda row: None, from_instance=True),
    Detail("problem", Problem, selectors.problem_list, ps.ProblemSerializer, takes_as_of=True),
    Detail("problem_move", ProblemMove, selectors.problem_move_list, ps.ProblemMoveSerializer,
           lambda row: row.problem.project_id, from_instance=True),
    Detail("assessment", Assessment, selectors.assessment_list, ps.AssessmentSerializer, from_instance=True),
    # Written outside a request, its `url` and `thumbnail_url` are paths on the service's host.
    Detail("photo", Photo, selectors.photo_list, PhotoSerializer),
]


def _project(row):
    return ("project", row.project_id, row.project_id)


# Rows whose write changes another object's detail, which then has a `changed` event too: a project's
# detail lists its milestones and rounds and shows its light (visits, problems, the assessed light) and
# the lead it came from; a lead's and a problem's detail list their moves.
TOUCHES = {
    Milestone: _project,
    Visit: _project,
    Problem: _project,
    Assessment: _project,
    ProjectBatch: _project,
    Lead: lambda row: ("project", row.project_id, row.project_id),
    LeadMove: lambda row: ("lead", row.lead_id, row.lead.project_id),
    ProblemMove: lambda row: ("problem", row.problem_id, row.problem.project_id),
}


# Rows whose deletion empties a field shown in other objects' details (SET_NULL, written by an UPDATE
# that sends no signal): a lead's converted project, a problem's source report or visit. Those
# objects have a `changed` event too.
CLEARS = {
    Project: lambda row: [("lead", pk, None) for pk in Lead.objects.filter(project=row).values_list("pk", flat=True)],
    StatusUpdate: lambda row: [("problem", pk, project_id) for pk, project_id in
                               Problem.objects.filter(source_status_update=row).values_list("pk", "project_id")],
    Visit: lambda row: [("problem", pk, project_id) for pk, project_id in
                        Problem.objects.filter(source_visit=row).values_list("pk", "project_id")],
}


def register() -> None:
    """Hand the tables to the outbox."""
    events_sources_register(
        {detail.model: Source(detail.object_type, detail.project_of, detail.render) for detail in SOURCES},
        {model: [Touch(target)] for model, target in TOUCHES.items()},
        CLEARS,
    )
