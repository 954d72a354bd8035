"""Date-dependent flags at pinned `as_of` dates around every boundary, in the queryset and the API."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from projects.domain.choices import ProjectStatus
from projects.domain.dates import default_as_of
from projects.models import ApprovalItem, Milestone, Official, Project
from tests.conftest import AS_OF
from tests.factories import (
    ApprovalItemFactory,
    AssessmentFactory,
    MilestoneFactory,
    ProblemFactory,
    ProjectFactory,
    VisitFactory,
    move_problem,
)

pytestmark = pytest.mark.django_db
FLAG_FIELDS = ["next_due_date", "last_visit_on", "is_overdue", "overdue_milestone_count", "visit_overdue",
               "time_progress", "investment_lag", "milestone_level", "investment_level", "visit_level",
               "problem_due_since", "overdue_problem_count", "overdue_problem_title", "problem_level",
               "warning_level", "assessed_level"]


def days(n: int) -> date:
    """The day `n` days after AS_OF (negative: before)."""
    return AS_OF + timedelta(days=n)


def flags(project, as_of=AS_OF, live=False) -> Project:
    return Project.objects.with_flags(as_of, live=live).get(pk=project.pk)


def api_project(client, project, as_of=AS_OF) -> dict:
    response = client.get(f"/api/v1/projects/{project.pk}/", {"as_of": as_of.isoformat()})
    assert response.status_code == 200, response.content
    return response.json()


def visited(project=None, **kwargs) -> Project:
    """A project visited three days before AS_OF, so no visit rule interferes."""
    project = project or ProjectFactory(**kwargs)
    VisitFactory(project=project, visited_on=days(-3))
    return project


def reasons(body: dict) -> dict[str, str]:
    """The rules behind a project's light in the API, each with its level."""
    return {reason["rule"]: reason["level"] for reason in body["warning_reasons"]}


# --- milestone state ----------------------------------------------------------------------------


@pytest.mark.parametrize("due, completed, state, is_overdue, days_overdue", [
    (days(16), None, "pending", False, 0),
    (days(15), None, "due_soon", False, 0),
    (days(1), None, "due_soon", False, 0),
    (days(0), None, "due_soon", False, 0),  # the due day itself is not overdue
    (days(-1), None, "overdue", True, 1),
    (days(-90), None, "overdue", True, 90),
    (days(-10), days(-11), "done", False, 0),
    (days(-10), days(-10), "done", False, 0),  # completed on the due day: on time
    (days(-10), days(-9), "done_late", False, 0),
    (days(-10), days(0), "done_late", False, 0),
    (days(-10), days(1), "overdue", True, 10),  # completed after as_of: still open that day
    (days(20), days(1), "pending", False, 0),
    (None, None, "pending", False, 0),  # no deadline: never overdue
    (None, days(-1), "done", False, 0),
])
def test_milestone_state(reader_client, project_a, due, completed, state, is_overdue, days_overdue):
    milestone = MilestoneFactory(project=project_a, due_date=due, completed_on=completed)
    annotated = Milestone.objects.with_flags(AS_OF).get(pk=milestone.pk)
    assert (annotated.state, annotated.is_overdue) == (state, is_overdue)
    body = reader_client.get(f"/api/v1/milestones/{milestone.pk}/", {"as_of": AS_OF.isoformat()}).json()
    assert (body["state"], body["is_overdue"], body["days_overdue"]) == (state, is_overdue, days_overdue)


def test_milestone_brief_state_in_project_follows_as_of(reader_client, project_a):
    MilestoneFactory(project=project_a, due_date=days(-1), completed_on=days(2))
    assert api_project(reader_client, project_a)["milestones"][0]["state"] == "overdue"
    assert api_project(reader_client, project_a, days(2))["milestones"][0]["state"] == "done_late"


# --- project overdue and next due date ----------------------------------------------------------


@pytest.mark.parametrize("due, is_overdue", [(days(0), False), (days(-1), True), (days(1), False)])
def test_project_is_overdue_from_the_day_after_due(reader_client, project_a, due, is_overdue):
    MilestoneFactory(project=project_a, due_date=due)
    assert flags(project_a).is_overdue is is_overdue
    assert api_project(reader_client, project_a)["is_overdue"] is is_overdue


def test_project_next_due_date_is_earliest_open_milestone(project_a):
    MilestoneFactory(project=project_a, due_date=date(2023, 6, 30))
    MilestoneFactory(project=project_a, due_date=date(2023, 5, 10))
    MilestoneFactory(project=project_a, due_date=date(2023, 4, 1), completed_on=date(2023, 4, 1))
    MilestoneFactory(project=project_a, due_date=None)
    assert flags(project_a).next_due_date == date(2023, 5, 10)


def test_project_milestone_completed_after_as_of_is_still_open(reader_client, project_a):
    MilestoneFactory(project=project_a, due_date=date(2023, 4, 20), completed_on=date(2023, 5, 10))
    MilestoneFactory(project=project_a, due_date=date(2023, 6, 30))
    before = flags(project_a)
    assert (before.next_due_date, before.is_overdue, before.overdue_milestone_count) == (date(2023, 4, 20), True, 1)
    after = flags(project_a, as_of=date(2023, 5, 10))
    assert (after.next_due_date, after.is_overdue, after.overdue_milestone_count) == (date(2023, 6, 30), False, 0)
    body = api_project(reader_client, project_a)
    assert (body["next_due_date"], body["is_overdue"]) == ("2023-04-20", True)


def test_project_overdue_milestone_count_counts_open_overdue_only(reader_client, project_a):
    MilestoneFactory(project=project_a, due_date=days(-30))
    MilestoneFactory(project=project_a, due_date=days(-1))
    MilestoneFactory(project=project_a, due_date=days(-20), completed_on=days(-2))  # done: not counted
    MilestoneFactory(project=project_a, due_date=days(0))  # due today: not overdue
    MilestoneFactory(project=project_a, due_date=None)
    assert flags(project_a).overdue_milestone_count == 2
    assert api_project(reader_client, project_a)["overdue_milestone_count"] == 2


def test_project_without_milestones_is_not_overdue(project_a):
    annotated = flags(project_a)
    assert (annotated.next_due_date, annotated.is_overdue, annotated.overdue_milestone_count) == (None, False, 0)


# --- warning level: overdue milestones ---------------------------------------------------------


@pytest.mark.parametrize("overdue_days, level", [(0, "green"), (1, "yellow"), (90, "yellow"), (91, "red")])
def test_warning_level_by_days_overdue(reader_client, overdue_days, level):
    project = visited()
    MilestoneFactory(project=project, due_date=days(-overdue_days))
    assert flags(project).warning_level == level
    body = api_project(reader_client, project)
    assert body["warning_level"] == level
    assert reasons(body) == ({} if level == "green" else {"milestone_overdue": level})


def test_warning_reason_level_of_overdue_milestone(reader_client):
    project = visited()
    MilestoneFactory(project=project, due_date=days(-91))
    [reason] = api_project(reader_client, project)["warning_reasons"]
    assert (reason["rule"], reason["level"]) == ("milestone_overdue", "red")
    assert "91" in reason["detail"]


# --- warning level: visits ----------------------------------------------------------------------


@pytest.mark.parametrize("since, visit_overdue, level", [(0, False, "green"), (31, False, "green"),
                                                         (32, True, "yellow")])
def test_visit_overdue_after_31_days(reader_client, project_a, since, visit_overdue, level):
    VisitFactory(project=project_a, visited_on=days(-since))
    annotated = flags(project_a)
    assert (annotated.last_visit_on, annotated.visit_overdue, annotated.warning_level) == (
        days(-since), visit_overdue, level)
    body = api_project(reader_client, project_a)
    assert (body["visit_overdue"], body["warning_level"]) == (visit_overdue, level)
    assert reasons(body) == ({"visit_overdue": "yellow"} if visit_overdue else {})


def test_never_visited_is_visit_overdue(reader_client, project_a):
    annotated = flags(project_a)
    assert (annotated.last_visit_on, annotated.visit_overdue, annotated.warning_level) == (None, True, "yellow")
    assert reasons(api_project(reader_client, project_a)) == {"visit_overdue": "yellow"}


def test_visit_after_as_of_does_not_count(reader_client, project_a):
    VisitFactory(project=project_a, visited_on=days(-40))
    VisitFactory(project=project_a, visited_on=days(1))
    annotated = flags(project_a)
    assert (annotated.last_visit_on, annotated.visit_overdue) == (days(-40), True)
    body = api_project(reader_client, project_a)
    assert (body["last_visit_on"], body["visit_overdue"]) == (days(-40).isoformat(), True)
    assert flags(project_a, as_of=days(1)).visit_overdue is False


# --- warning level: investment lag --------------------------------------------------------------
# time_progress on 2023-05-04 is 34.0, so with a plan of 100 the lag is 34 - completed.


@pytest.mark.parametrize("completed, lag, level", [
    ("34.00", 0.0, "green"),
    ("24.01", 9.99, "green"),
    ("24.00", 10.0, "yellow"),
    ("4.00", 30.0, "yellow"),
    ("3.99", 30.01, "red"),
    ("0.00", 34.0, "red"),
    ("50.00", -16.0, "green"),  # ahead of time
])
def test_warning_level_by_investment_lag(reader_client, completed, lag, level):
    project = visited(annual_plan_investment=Decimal("100.00"), completed_investment=Decimal(completed))
    annotated = flags(project)
    assert annotated.time_progress == 34.0
    assert annotated.investment_lag == pytest.approx(lag)
    assert annotated.warning_level == level
    body = api_project(reader_client, project)
    assert body["warning_level"] == level
    assert reasons(body) == ({} if level == "green" else {"investment_lag": level})


def test_investment_lag_exact_with_large_amounts():
    project = visited(annual_plan_investment=Decimal("150000.00"), completed_investment=Decimal("36000.00"))
    annotated = flags(project)
    assert (annotated.investment_lag, annotated.warning_level) == (10.0, "yellow")


def test_no_annual_plan_means_no_lag_rule(reader_client):
    project = visited(annual_plan_investment=Decimal("0.00"), completed_investment=Decimal("0.00"))
    annotated = flags(project)
    assert (annotated.investment_lag, annotated.warning_level) == (None, "green")
    assert reasons(api_project(reader_client, project)) == {}


@pytest.mark.parametrize("year, progress, level", [(2022, 100.0, "red"), (2023, 34.0, "red"), (2024, 0.0, "green")])
def test_time_progress_of_the_projects_own_year(year, progress, level):
    project = visited(year=year, annual_plan_investment=Decimal("100.00"), completed_investment=Decimal("0.00"))
    annotated = flags(project)
    assert (annotated.time_progress, annotated.investment_lag, annotated.warning_level) == (progress, progress, level)


# --- warning level: status and combined reasons ------------------------------------------------


def _troubled(status) -> Project:
    """A project breaking every rule: 200 days overdue, nothing invested, never visited."""
    project = ProjectFactory(status=status, annual_plan_investment=Decimal("100.00"))
    MilestoneFactory(project=project, due_date=days(-200))
    return project


@pytest.mark.parametrize("status", [ProjectStatus.OPERATING, ProjectStatus.CANCELLED])
def test_final_status_is_green_and_never_overdue(reader_client, status):
    project = _troubled(status)
    annotated = flags(project)
    assert (annotated.warning_level, annotated.is_overdue, annotated.visit_overdue,
            annotated.overdue_milestone_count) == ("green", False, False, 0)
    body = api_project(reader_client, project)
    assert (body["warning_level"], body["warning_reasons"], body["is_overdue"], body["visit_overdue"]) == (
        "green", [], False, False)


@pytest.mark.parametrize("status", [ProjectStatus.PLANNED, ProjectStatus.SIGNED, ProjectStatus.UNDER_CONSTRUCTION,
                                    ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED])
def test_active_and_suspended_projects_are_evaluated(reader_client, status):
    project = _troubled(status)
    annotated = flags(project)
    assert (annotated.warning_level, annotated.is_overdue, annotated.visit_overdue) == ("red", True, True)
    assert reasons(api_project(reader_client, project)) == {
        "milestone_overdue": "red", "investment_lag": "red", "visit_overdue": "yellow"}


def test_warning_reasons_list_every_applying_rule_with_its_level(reader_client):
    project = ProjectFactory(annual_plan_investment=Decimal("100.00"), completed_investment=Decimal("20.00"))
    MilestoneFactory(project=project, due_date=days(-5))
    levels = {r["rule"]: r["level"] for r in api_project(reader_client, project)["warning_reasons"]}
    assert levels == {"milestone_overdue": "yellow", "investment_lag": "yellow", "visit_overdue": "yellow"}
    assert api_project(reader_client, project)["warning_level"] == "yellow"


# --- every rule at every boundary: levels, reasons and light agree ------------------------------

# (setting, expected level) at each side of each rule's thresholds, as of AS_OF.
MILESTONE_BOUNDARIES = [(None, "green"), (0, "green"), (1, "yellow"), (90, "yellow"), (91, "red")]  # days overdue
INVESTMENT_BOUNDARIES = [("24.01", "green"), ("24.00", "yellow"), ("4.00", "yellow"), ("3.99", "red")]  # completed
VISIT_BOUNDARIES = [(31, "green"), (32, "yellow"), (None, "yellow")]  # days since the last visit
RULE_OF_LEVEL = {"milestone_level": "milestone_overdue", "investment_level": "investment_lag",
                 "visit_level": "visit_overdue"}


@pytest.mark.parametrize("milestone", MILESTONE_BOUNDARIES)
@pytest.mark.parametrize("investment", INVESTMENT_BOUNDARIES)
@pytest.mark.parametrize("visit", VISIT_BOUNDARIES)
def test_each_rule_level_gives_its_reason_and_the_light_is_the_worst(reader_client, milestone, investment, visit):
    project = ProjectFactory(annual_plan_investment=Decimal("100.00"), completed_investment=Decimal(investment[0]))
    if milestone[0] is not None:
        MilestoneFactory(project=project, due_date=days(-milestone[0]))
    if visit[0] is not None:
        VisitFactory(project=project, visited_on=days(-visit[0]))
    expected = {"milestone_level": milestone[1], "investment_level": investment[1], "visit_level": visit[1]}
    annotated = flags(project)
    assert {name: getattr(annotated, name) for name in expected} == expected
    body = api_project(reader_client, project)
    assert reasons(body) == {RULE_OF_LEVEL[name]: level for name, level in expected.items() if level != "green"}
    worst = "red" if "red" in expected.values() else "yellow" if "yellow" in expected.values() else "green"
    assert annotated.warning_level == body["warning_level"] == worst


# --- approvals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("due, completed, is_overdue", [
    (days(0), None, False),
    (days(-1), None, True),
    (days(-1), days(-1), False),
    (days(-1), days(0), False),
    (days(-1), days(1), True),  # completed after as_of: still open that day
    (None, None, False),
])
def test_approval_is_overdue(reader_client, project_a, dept_a, due, completed, is_overdue):
    item = ApprovalItemFactory(project=project_a, department=dept_a, due_date=due, completed_on=completed)
    assert ApprovalItem.objects.with_flags(AS_OF).get(pk=item.pk).is_overdue is is_overdue
    body = reader_client.get(f"/api/v1/approvals/{item.pk}/", {"as_of": AS_OF.isoformat()}).json()
    assert body["is_overdue"] is is_overdue


# --- officials ----------------------------------------------------------------------------------


def test_official_project_counts(reader_client, official_a, official_b):
    late = ProjectFactory(lead_official=official_a)  # overdue and never visited
    MilestoneFactory(project=late, due_date=days(-1))
    ProjectFactory(lead_official=official_a)  # only never visited
    visited(lead_official=official_a)  # fine
    MilestoneFactory(project=ProjectFactory(lead_official=official_a, status=ProjectStatus.OPERATING),
                     due_date=days(-100))  # final: counts only as led
    VisitFactory(project=ProjectFactory(lead_official=official_a), visited_on=days(1))  # visit after as_of
    ProjectFactory(lead_official=official_b)
    expected = (5, 1, 3)
    counted = Official.objects.with_counts(AS_OF).get(pk=official_a.pk)
    assert (counted.project_count, counted.overdue_project_count, counted.visit_overdue_project_count) == expected
    body = reader_client.get(f"/api/v1/officials/{official_a.pk}/", {"as_of": AS_OF.isoformat()}).json()
    assert (body["project_count"], body["overdue_project_count"], body["visit_overdue_project_count"]) == expected
    other = reader_client.get(f"/api/v1/officials/{official_b.pk}/", {"as_of": AS_OF.isoformat()}).json()
    assert (other["project_count"], other["overdue_project_count"], other["visit_overdue_project_count"]) == (1, 0, 1)


# --- live columns agree with the subqueries -----------------------------------------------------


@pytest.fixture
def mixed_portfolio(official_a):
    """Projects covering every rule, with every event dated on or before AS_OF."""
    made = [ProjectFactory(lead_official=official_a)]
    made.append(visited(lead_official=official_a, annual_plan_investment=Decimal("100.00"),
                        completed_investment=Decimal("24.00")))
    late = visited(lead_official=official_a)
    MilestoneFactory(project=late, due_date=days(-91))
    MilestoneFactory(project=late, due_date=days(-1))
    MilestoneFactory(project=late, due_date=days(-50), completed_on=days(-2))
    made.append(late)
    soon = ProjectFactory(lead_official=official_a, year=2022, annual_plan_investment=Decimal("10.00"))
    VisitFactory(project=soon, visited_on=days(-32))
    MilestoneFactory(project=soon, due_date=days(10))
    made.append(soon)
    made.append(_troubled(ProjectStatus.OPERATING))
    made.append(_troubled(ProjectStatus.SUSPENDED))
    # Problems: overdue 40 and 5 days, one answered, one due later, one resolved.
    for project, due, moves in [
        (late, days(-40), []), (late, days(-5), []), (soon, days(-5), [("answered", days(-3))]),
        (soon, days(20), []), (made[0], days(-30), [("answered", days(-20)), ("resolved", days(-10))]),
    ]:
        problem = move_problem(ProblemFactory(project=project, raised_on=days(-60)),
                               ("assigned", days(-50).isoformat(), {"due_date": due}))
        move_problem(problem, *[(state, day.isoformat()) for state, day in moves])
    AssessmentFactory(project=late, assessed_on=days(-2), valid_until=days(30))
    return made


@pytest.mark.parametrize("as_of", [AS_OF, days(1), days(40), date(2024, 1, 1)])
def test_live_flags_equal_subquery_flags_when_nothing_is_after_as_of(mixed_portfolio, official_a, as_of):
    by_subquery = list(Project.objects.with_flags(as_of).order_by("pk").values("pk", *FLAG_FIELDS))
    by_columns = list(Project.objects.with_flags(as_of, live=True).order_by("pk").values("pk", *FLAG_FIELDS))
    assert by_columns == by_subquery
    counts = ["project_count", "overdue_project_count", "visit_overdue_project_count"]
    assert (list(Official.objects.with_counts(as_of, live=True).values(*counts))
            == list(Official.objects.with_counts(as_of).values(*counts)))


# --- the default as_of --------------------------------------------------------------------------


def test_default_as_of_is_today_in_shanghai(settings):
    settings.PORTFOLIO_AS_OF = None
    assert default_as_of() == datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_portfolio_as_of_setting_pins_the_default(settings, reader_client, project_a):
    MilestoneFactory(project=project_a, due_date=date(2023, 5, 10))
    VisitFactory(project=project_a, visited_on=date(2023, 5, 1))
    settings.PORTFOLIO_AS_OF = AS_OF
    [row] = reader_client.get("/api/v1/projects/").json()["results"]
    assert (row["is_overdue"], row["visit_overdue"], row["warning_level"]) == (False, False, "green")
    settings.PORTFOLIO_AS_OF = None  # today: long after both dates
    [row] = reader_client.get("/api/v1/projects/").json()["results"]
    assert (row["is_overdue"], row["visit_overdue"], row["warning_level"]) == (True, True, "red")


def test_explicit_as_of_wins_over_the_setting(settings, reader_client, project_a):
    MilestoneFactory(project=project_a, due_date=date(2023, 5, 10))
    settings.PORTFOLIO_AS_OF = AS_OF
    [row] = reader_client.get("/api/v1/projects/", {"as_of": "2023-05-11"}).json()["results"]
    assert row["is_overdue"] is True
