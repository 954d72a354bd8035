"""The cached deadline and visit columns equal the subquery plan after every write that can change them."""

from datetime import timedelta

import pytest

from projects import services
from projects.domain.choices import MilestoneKind, ProjectStatus
from projects.domain.dates import today
from projects.models import Milestone, Project, Visit
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
FLAGS = ["next_due_date", "last_visit_on", "is_overdue", "overdue_milestone_count", "visit_overdue", "warning_level"]


def day(n: int):
    """`n` days after today (negative: before); nothing may be dated after today."""
    return today() + timedelta(days=n)


def caches(*projects) -> dict:
    """Each project's cached columns, and what the subquery plan finds for today."""
    ids = [project.pk for project in projects]
    cached = Project.objects.filter(pk__in=ids).values_list("pk", "cached_next_due_date", "cached_last_visit_on")
    planned = Project.objects.filter(pk__in=ids).with_flags(today(), live=False).values_list(
        "pk", "next_due_date", "last_visit_on")
    return {"cached": sorted(cached), "planned": sorted(planned)}


def check(step: str, before: dict, *projects) -> dict:
    """The caches equal the plan after `step`, and the step did change what the plan finds."""
    after = caches(*projects)
    assert after["cached"] == after["planned"], step
    assert after["planned"] != before["planned"], f"{step} changed nothing: the check proves nothing"
    return after


@pytest.fixture
def two_projects(db):
    return ProjectFactory(), ProjectFactory()


def test_every_milestone_and_visit_service_keeps_the_caches_exact(two_projects, admin_client):
    one, two = two_projects
    user = admin_client.user
    state = caches(one, two)

    late = services.milestone_create(project=one, user=user, kind=MilestoneKind.COMPLETION, title="主体完工",
                                     due_date=day(-10))
    state = check("milestone create", state, one, two)
    services.milestone_create(project=one, user=user, kind=MilestoneKind.OTHER, title="竣工验收", due_date=day(20))
    services.milestone_update(milestone=late, user=user, completed_on=day(0))
    state = check("milestone complete", state, one, two)
    services.milestone_update(milestone=late, user=user, completed_on=None)
    state = check("milestone reopen", state, one, two)
    services.milestone_update(milestone=late, user=user, project=two)
    state = check("milestone move to another project", state, one, two)
    services.milestone_delete(milestone=late, user=user)
    state = check("milestone delete", state, one, two)

    visit = services.visit_create(user=user, project=one, visited_on=day(-5), kind="survey")
    state = check("visit create", state, one, two)
    services.visit_update(visit=visit, user=user, project=two)
    state = check("visit move to another project", state, one, two)
    services.visit_delete(visit=visit, user=user)
    state = check("visit delete", state, one, two)

    services.milestone_create(project=two, user=user, kind=MilestoneKind.COMPLETION, title="主体完工",
                              due_date=day(-3))
    state = check("milestone create on the other project", state, one, two)
    services.status_update_create(project=two, user=user, note="主体完工", status=ProjectStatus.COMPLETED)
    check("status update completing a milestone", state, one, two)


def test_every_milestone_and_visit_write_over_http_keeps_the_flags_exact(two_projects, admin_client):
    """Through the API, at today's as_of (the plan that reads the cached columns)."""
    one, two = two_projects

    def send(method: str, url: str, data=None):
        response = getattr(admin_client, method)(url, data, format="json")
        assert response.status_code in (200, 201, 204), response.content
        return response.json() if response.content else None

    def shown(project) -> dict:
        body = send("get", f"/api/v1/projects/{project.pk}/")
        return {flag: body[flag] for flag in FLAGS}

    def planned(project) -> dict:
        row = Project.objects.with_flags(today(), live=False).values(*FLAGS).get(pk=project.pk)
        for name in ("next_due_date", "last_visit_on"):
            row[name] = row[name] and row[name].isoformat()
        return row

    def check_http(step: str, before: list) -> list:
        now = [planned(one), planned(two)]
        assert [shown(one), shown(two)] == now, step
        assert now != before, f"{step} changed nothing: the check proves nothing"
        return now

    state = check_http("start", [None, None])
    late = send("post", "/api/v1/milestones/", {"project": one.pk, "kind": "completion", "title": "主体完工",
                                                 "due_date": day(-10).isoformat()})
    state = check_http("milestone create", state)
    send("post", "/api/v1/milestones/", {"project": one.pk, "kind": "other", "title": "竣工验收",
                                         "due_date": day(20).isoformat()})
    send("patch", f"/api/v1/milestones/{late['id']}/", {"completed_on": day(0).isoformat()})
    state = check_http("milestone complete", state)
    send("patch", f"/api/v1/milestones/{late['id']}/", {"completed_on": None})
    state = check_http("milestone reopen", state)
    send("patch", f"/api/v1/milestones/{late['id']}/", {"project": two.pk})
    state = check_http("milestone move to another project", state)
    send("delete", f"/api/v1/milestones/{late['id']}/")
    state = check_http("milestone delete", state)

    visit = send("post", "/api/v1/visits/", {"project": one.pk, "visited_on": day(-5).isoformat(), "kind": "survey"})
    state = check_http("visit create", state)
    send("patch", f"/api/v1/visits/{visit['id']}/", {"project": two.pk})
    state = check_http("visit move to another project", state)
    send("delete", f"/api/v1/visits/{visit['id']}/")
    state = check_http("visit delete", state)

    send("post", "/api/v1/milestones/", {"project": two.pk, "kind": "completion", "title": "主体完工",
                                         "due_date": day(-3).isoformat()})
    state = check_http("milestone create on the other project", state)
    send("post", f"/api/v1/projects/{two.pk}/status-updates/", {"note": "主体完工", "status": "completed"})
    check_http("status update completing a milestone", state)
    assert not Milestone.objects.filter(project=two, completed_on__isnull=True).exists()
    assert not Visit.objects.exists()
