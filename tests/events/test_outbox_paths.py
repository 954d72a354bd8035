"""The admin's forms and the spreadsheet import append the same events as the API, with their own `via`;
a refused, a rolled-back or a dry-run write appends none."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from projects import services
from projects.models import Event, Milestone, Project
from projects.models.events import events_flush
from tests.admin.test_admin import (
    CSV_FORMAT,
    ROW_KANGSHIFU,
    ROW_XINGJIA,
    confirm,
    csv_bytes,
    management_data,
    project_form,
    upload,
)
from tests.events.test_outbox_matrix import read_now
from tests.factories import MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff():
    user = get_user_model().objects.create_superuser("office", "office@example.com", None)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def appended(after: int) -> list[Event]:
    return list(Event.objects.filter(id__gt=after).order_by("id"))


def last_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def check(events, via, user, admin_client):
    for event in events:
        assert event.via == via
        assert event.user == ({"id": user.pk, "username": user.username} if user else None)
        if not event.type.endswith(".deleted"):
            assert event.data == read_now(admin_client, event), event.type


def test_the_admin_add_form_with_inlines(staff, admin_client, dept_a, official_a):
    url = reverse("admin:projects_project_add")
    data = project_form(dept_a, official_a) | management_data(staff.get(url), {"milestones": 1, "batches": 1}) | {
        "milestones-0-kind": "start", "milestones-0-title": "二季度实质性开工", "milestones-0-due_period": "2023-q2",
        "milestones-0-completed_on": "", "milestones-0-note": "",
        "batches-0-period": "7", "batches-0-kind": "starting",
    }
    start = last_id()
    assert staff.post(url, data).status_code == 302
    project = Project.objects.get(code="EQ2023-050")
    events = appended(start)
    # The project, its milestone and its round in one transaction: the project's event is created, once.
    assert [(e.type, e.object_id) for e in events] == [
        ("project.created", project.pk), ("milestone.created", project.milestones.get().pk)]
    check(events, "admin", staff.user, admin_client)


def test_the_admin_change_and_delete(staff, admin_client, project_a):
    milestone = MilestoneFactory(project=project_a)
    start = last_id()
    response = staff.post(reverse("admin:projects_milestone_delete", args=[milestone.pk]), {"post": "yes"})
    assert response.status_code == 302
    events = appended(start)
    assert sorted((e.type, e.object_id) for e in events) == [
        ("milestone.deleted", milestone.pk), ("project.changed", project_a.pk)]
    check(events, "admin", staff.user, admin_client)


def test_the_import_appends_one_event_per_row_and_its_dry_run_none(staff, admin_client, dept_a, dept_b,
                                                                   official_a, official_b):
    start = last_id()
    preview = upload(staff, "2023.csv", csv_bytes(ROW_XINGJIA, ROW_KANGSHIFU), CSV_FORMAT)
    assert appended(start) == []  # the preview's writes were rolled back with their events
    assert confirm(staff, preview).status_code == 302
    events = appended(start)
    codes = {p.pk: p.code for p in Project.objects.all()}
    assert sorted((e.type, codes[e.object_id]) for e in events) == [
        ("project.created", "EQ2023-101"), ("project.created", "EQ2023-102")]
    check(events, "import", staff.user, admin_client)


def test_a_failed_import_appends_nothing(staff, dept_a, dept_b, official_a, official_b):
    preview = upload(staff, "2023.csv", csv_bytes(ROW_XINGJIA, ROW_KANGSHIFU), CSV_FORMAT)
    official_b.delete()  # the file went stale between preview and confirmation
    start = last_id()
    staff.post(reverse("admin:projects_project_process_import"), preview.context["confirm_form"].initial)
    assert not Project.objects.exists()
    assert appended(start) == []


def test_a_refused_write_appends_nothing(project_a):
    start = last_id()
    with pytest.raises(ValidationError):
        services.milestone_create(project=project_a, user=None, kind="start", title="开工", due_period="2023-Q5")
    assert appended(start) == []


def test_a_rolled_back_transaction_takes_its_events_with_it(project_a):
    start = last_id()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.milestone_create(project=project_a, user=None, kind="start", title="开工", due_period="2023-Q2")
        assert len(events_flush()) == 2  # appended in the transaction (as at its commit)
        raise RuntimeError
    assert appended(start) == []
    assert not Milestone.objects.exists()


def test_a_savepoint_rolled_back_inside_a_write_keeps_the_rest(project_a):
    """Events written in a savepoint that rolls back are gone; the outbox then appends, not amends."""
    start = last_id()
    with transaction.atomic():
        try:
            with transaction.atomic():
                services.project_update(project=project_a, user=None, name="甲")
                raise RuntimeError
        except RuntimeError:
            pass
        services.project_update(project=project_a, user=None, name="乙")
    events = appended(start)
    assert [(e.type, e.data["name"]) for e in events] == [("project.changed", "乙")]


def test_writes_of_one_object_in_one_transaction_make_one_event():
    start = last_id()
    with transaction.atomic():
        project = ProjectFactory(name="甲")
        services.project_update(project=project, user=None, name="乙")
    events = appended(start)
    assert [(e.type, e.data["name"]) for e in events] == [("project.created", "乙")]
    start = last_id()
    with transaction.atomic():
        services.project_update(project=project, user=None, name="丙")
        services.project_delete(project=project, user=None)
    assert [(e.type, e.data) for e in appended(start)] == [("project.deleted", {"id": project.pk})]
    start = last_id()
    with transaction.atomic():
        gone = ProjectFactory()
        services.project_delete(project=gone, user=None)
    assert appended(start) == []


def _deleted_in_a_savepoint_that_rolls_back(project):
    try:
        with transaction.atomic():
            services.project_delete(project=project, user=None)
            raise RuntimeError
    except RuntimeError:
        pass


def test_a_delete_rolled_back_in_a_savepoint_leaves_the_created_event():
    """Created in the transaction, deleted in a savepoint that rolls back: the project is there at commit."""
    start = last_id()
    with transaction.atomic():
        project = ProjectFactory(name="甲")
        _deleted_in_a_savepoint_that_rolls_back(project)
    assert Project.objects.filter(pk=project.pk).exists()
    assert [(e.type, e.object_id, e.data["name"]) for e in appended(start)] == [("project.created", project.pk, "甲")]


def test_a_delete_rolled_back_in_a_savepoint_is_a_change_not_a_deletion(project_a):
    start = last_id()
    with transaction.atomic():
        services.project_update(project=project_a, user=None, name="乙")
        _deleted_in_a_savepoint_that_rolls_back(project_a)
    assert [(e.type, e.data["name"]) for e in appended(start)] == [("project.changed", "乙")]


def test_a_deleted_project_changes_the_lead_it_came_from():
    """The lead's `project` is emptied by the delete (SET_NULL, an UPDATE with no signal): the lead has
    its `changed` event, with the project gone from its detail."""
    from tests.factories import LeadFactory

    project = ProjectFactory()
    lead = LeadFactory(project=project)
    start = last_id()
    services.project_delete(project=project, user=None)
    events = {e.type: e for e in appended(start)}
    assert set(events) == {"project.deleted", "lead.changed"}
    assert events["lead.changed"].object_id == lead.pk and events["lead.changed"].data["project"] is None


def test_a_deleted_visit_changes_the_problem_it_raised():
    from tests.factories import ProblemFactory, VisitFactory

    visit = VisitFactory()
    problem = ProblemFactory(project=visit.project, source="visit", source_visit=visit)
    start = last_id()
    services.visit_delete(visit=visit, user=None)
    events = {e.type: e for e in appended(start)}
    assert {"visit.deleted", "problem.changed"} <= set(events)
    assert events["problem.changed"].object_id == problem.pk and events["problem.changed"].data["source_visit"] is None
