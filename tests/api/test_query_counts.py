"""Every list answers in the same number of queries for 1 and for 20 rows, at a past and a future as_of."""

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from projects.domain.dates import today
from projects.services import status_update_create
from projects.models import Problem, ProblemMove
from tests.factories import (
    ApprovalItemFactory,
    AssessmentFactory,
    DepartmentFactory,
    MilestoneFactory,
    OfficialFactory,
    ProblemFactory,
    ProjectBatchFactory,
    ProjectFactory,
    UserFactory,
    VisitFactory,
    move_problem,
)

PAST = date(2023, 5, 4)


def future() -> date:
    """After today: the flags come from the cached columns (the live plan)."""
    return today() + timedelta(days=30)


def full_project(**kwargs):
    """A project with everything a list may nest or flag: department, official, milestones, batches, a
    visit, an overdue problem (so the light's problem rule and its reason are read) and an assessment,
    written in one transaction (its events rendered once, at its end)."""
    with transaction.atomic():
        return _full_project(**kwargs)


def _full_project(**kwargs):
    project = ProjectFactory(**kwargs)
    MilestoneFactory(project=project, kind="start", title="开工", due_date=date(2023, 3, 31))
    MilestoneFactory(project=project, kind="completion", title="建成", due_date=date(2023, 12, 31),
                     completed_on=date(2023, 4, 1))
    ProjectBatchFactory(project=project, period=7, kind="starting")
    VisitFactory(project=project, visited_on=date(2023, 3, 1))
    move_problem(ProblemFactory(project=project, raised_on=date(2023, 2, 1)),
                 ("assigned", "2023-02-02", {"due_date": date(2023, 3, 1)}))
    AssessmentFactory(project=project, assessed_on=date(2023, 5, 1), valid_until=date(2023, 5, 30))
    AssessmentFactory(project=project, assessed_on=today(), valid_until=today() + timedelta(days=90))
    return project


def add_status_updates(n, state):
    project = state.setdefault("project", full_project())
    user = state.setdefault("user", UserFactory(username="reporter"))
    for _ in range(n):
        status_update_create(project=project, user=user, note="进展", reported_on=date(2023, 4, 28))
    return project


def add_officials(n, state):
    department = state.setdefault("department", DepartmentFactory(code="zfj"))
    for _ in range(n):
        official = OfficialFactory(department=department)
        full_project(lead_official=official, department=department)


def add_departments(n, state):
    DepartmentFactory.create_batch(n)


def add_projects(n, state):
    for _ in range(n):
        full_project()


def add_milestones(n, state):
    project = state.setdefault("project", ProjectFactory())
    for _ in range(n):
        MilestoneFactory(project=project, kind="other")


def add_visits(n, state):
    project = state.setdefault("project", ProjectFactory())
    for _ in range(n):
        VisitFactory(project=project)


def add_approvals(n, state):
    for _ in range(n):
        ApprovalItemFactory(project=full_project())


def add_problems(n, state):
    project = state.setdefault("project", ProjectFactory())
    official = project.lead_official
    for _ in range(n):
        problem = ProblemFactory(project=project, coordinating_official=official, raised_on=date(2023, 4, 1))
        move_problem(problem, ("assigned", "2023-04-02"), ("answered", "2023-04-05"))


def add_problem_moves(n, state):
    problem = state.setdefault("problem", ProblemFactory(project=state.setdefault("project", ProjectFactory()),
                                                         raised_on=date(2023, 1, 1)))
    for _ in range(n):
        state["moves"] = state.get("moves", 0) + 1
        moved_on = date(2023, 1, 1) + timedelta(days=state["moves"])
        move_problem(problem, ("answered" if problem.state == "assigned" else "assigned", moved_on.isoformat()))


def add_assessments(n, state):
    project = state.setdefault("project", ProjectFactory())
    for day in range(n):
        AssessmentFactory(project=project, assessed_on=date(2023, 4, 1) + timedelta(days=day))


LISTS = {
    "/api/v1/projects/": add_projects,
    "/api/v1/milestones/": add_milestones,
    "/api/v1/status-updates/": add_status_updates,
    "/api/v1/visits/": add_visits,
    "/api/v1/approvals/": add_approvals,
    "/api/v1/officials/": add_officials,
    "/api/v1/departments/": add_departments,
    "project-status-updates": add_status_updates,
    "/api/v1/problems/": add_problems,
    "problem-moves": add_problem_moves,
    "project-assessments": add_assessments,
}
# Lists under a record: their URL names the record the rows were added to.
NESTED = {
    "project-status-updates": lambda state: f"/api/v1/projects/{state['project'].pk}/status-updates/",
    "problem-moves": lambda state: f"/api/v1/problems/{state['problem'].pk}/moves/",
    "project-assessments": lambda state: f"/api/v1/projects/{state['project'].pk}/assessments/",
}


def list_url(endpoint: str, state: dict) -> str:
    return NESTED[endpoint](state) if endpoint in NESTED else endpoint


def count_queries(client, url, as_of, rows) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"as_of": as_of.isoformat()})
    assert response.status_code == 200
    assert response.json()["count"] == rows, "the list should hold exactly the rows made"
    return len(context.captured_queries)


@pytest.mark.parametrize("when", ["past", "future"])
@pytest.mark.parametrize("endpoint", list(LISTS))
def test_list_query_count_is_constant(reader_client, endpoint, when):
    as_of = PAST if when == "past" else future()
    state: dict = {}
    add_rows = LISTS[endpoint]
    add_rows(1, state)
    url = list_url(endpoint, state)
    one = count_queries(reader_client, url, as_of, 1)
    add_rows(19, state)
    twenty = count_queries(reader_client, url, as_of, 20)
    assert twenty == one


@pytest.mark.parametrize("endpoint", list(LISTS))
def test_list_query_count_does_not_follow_the_page_size(reader_client, endpoint):
    """Pages of 10, 50 and 500 rows (of 12) cost the same queries, at a past and a future as_of."""
    state: dict = {}
    LISTS[endpoint](12, state)
    url = list_url(endpoint, state)
    for as_of in (PAST, future()):
        counts = {}
        for page_size in (10, 50, 500):
            with CaptureQueriesContext(connection) as context:
                response = reader_client.get(url, {"as_of": as_of.isoformat(), "page_size": page_size})
            assert response.status_code == 200
            assert len(response.json()["results"]) == min(page_size, 12)
            counts[page_size] = len(context.captured_queries)
        assert counts[10] == counts[50] == counts[500], counts


@pytest.mark.parametrize("when", ["past", "future"])
@pytest.mark.parametrize("query", [{"warning_level": "red"}, {"warning_rule": "problem_overdue"},
                                   {"assessed_level": "red"}])
def test_the_project_list_filtered_by_a_light_costs_the_same_for_1_and_20_rows(reader_client, when, query):
    as_of = PAST if when == "past" else future()
    red = {"annual_plan_investment": 1000}  # nothing done against a plan: red by investment lag
    full_project(**red)
    with CaptureQueriesContext(connection) as one:
        response = reader_client.get("/api/v1/projects/", {"as_of": as_of.isoformat(), **query})
    assert response.json()["count"] == 1
    for _ in range(19):
        full_project(**red)
    with CaptureQueriesContext(connection) as twenty:
        response = reader_client.get("/api/v1/projects/", {"as_of": as_of.isoformat(), **query})
    assert response.json()["count"] == 20
    assert len(twenty.captured_queries) == len(one.captured_queries)


def bulk_problems(n: int, project, department) -> None:
    """`n` answered problems with two moves each, written in bulk (the count is what matters here)."""
    problems = Problem.objects.bulk_create([
        Problem(project=project, title=f"问题{i}", source="office", raised_on=date(2023, 4, 1), state="answered",
                responsible_department=department, due_date=date(2023, 4, 20),
                coordinating_official=project.lead_official)
        for i in range(n)
    ])
    ProblemMove.objects.bulk_create([
        ProblemMove(problem=problem, state_from=state_from, state_to=state_to, moved_on=date(2023, 4, day), note="办理",
                    responsible_department=department, due_date=date(2023, 4, 20))
        for problem in problems
        for state_from, state_to, day in (("open", "assigned", 2), ("assigned", "answered", 5))
    ])


def test_the_problem_list_costs_the_same_for_10_50_and_500_problems(reader_client):
    project = full_project()
    counts = {}
    made = 1  # the full project's own problem
    for rows in (10, 50, 500):
        bulk_problems(rows - made, project, project.department)
        made = rows
        for as_of in (PAST, future()):
            with CaptureQueriesContext(connection) as context:
                response = reader_client.get("/api/v1/problems/", {"as_of": as_of.isoformat(), "page_size": 500})
            assert len(response.json()["results"]) == rows
            counts[rows, as_of] = len(context.captured_queries)
    assert len(set(counts.values())) == 1, counts
