"""Overdue, days overdue and escalation (督办) of problems for any `as_of`, and the light's rule `problem_overdue`."""

from datetime import date, timedelta

import pytest

from projects.domain.dates import today
from projects.models import Problem, Project
from tests.conftest import AS_OF
from tests.factories import ProblemFactory, ProjectFactory, VisitFactory, move_problem

pytestmark = pytest.mark.django_db


def assigned(project, due: date, moved_on: date, **fields) -> Problem:
    """A problem raised and assigned on `moved_on`, due on `due`."""
    problem = ProblemFactory(project=project, raised_on=moved_on, **fields)
    return move_problem(problem, ("assigned", moved_on.isoformat(),
                                  {"due_date": due, "responsible_department": project.department}))


def calm_project(**kwargs) -> Project:
    """A project no other rule lights: visited lately, no milestone, no annual plan."""
    project = ProjectFactory(**kwargs)
    VisitFactory(project=project, visited_on=today())
    VisitFactory(project=project, visited_on=AS_OF - timedelta(days=3))
    return project


def plan_day(plan: str) -> date:
    """The as_of of each plan: a past day (flags from the moves) or one after today (from the current rows)."""
    return AS_OF if plan == "past" else today() + timedelta(days=60)


def flagged(problem, as_of) -> Problem:
    return Problem.objects.with_flags(as_of, live=as_of >= today()).get(pk=problem.pk)


# --- escalation at every boundary -------------------------------------------------------------------------


@pytest.mark.parametrize("plan", ["past", "live"])
@pytest.mark.parametrize("days_late, overdue, level, label", [
    (-5, False, 0, "正常"),
    (0, False, 0, "正常"),  # the due day itself is on time
    (1, True, 1, "催办"),
    (7, True, 1, "催办"),
    (8, True, 2, "督办"),
    (30, True, 2, "督办"),
    (31, True, 3, "通报"),
])
def test_escalation_at_each_boundary(reader_client, project_a, plan, days_late, overdue, level, label):
    as_of = plan_day(plan)
    moved_on = min(as_of - timedelta(days=40), today())
    problem = assigned(project_a, as_of - timedelta(days=days_late), moved_on)
    row = flagged(problem, as_of)
    assert (row.is_overdue, row.days_overdue, row.escalation_level) == (overdue, max(days_late, 0) if overdue else 0,
                                                                        level)
    body = reader_client.get(f"/api/v1/problems/{problem.pk}/", {"as_of": as_of.isoformat()}).json()
    assert (body["is_overdue"], body["days_overdue"], body["escalation_level"], body["escalation_level_display"]) \
        == (overdue, row.days_overdue, level, label)


def test_escalation_thresholds_are_settings(settings, project_a):
    settings.PORTFOLIO_WARNING = {**settings.PORTFOLIO_WARNING, "PROBLEM_LEVEL2_AFTER_DAYS": 3,
                                  "PROBLEM_LEVEL3_AFTER_DAYS": 10}
    problem = assigned(project_a, AS_OF - timedelta(days=4), AS_OF - timedelta(days=20))
    assert flagged(problem, AS_OF).escalation_level == 2
    assert flagged(problem, AS_OF + timedelta(days=7)).escalation_level == 3


@pytest.mark.parametrize("plan", ["past", "live"])
def test_an_answered_problem_is_not_overdue(project_a, plan):
    as_of = plan_day(plan)
    moved_on = min(as_of - timedelta(days=40), today())
    problem = assigned(project_a, moved_on + timedelta(days=1), moved_on)
    move_problem(problem, ("answered", moved_on.isoformat()))
    row = flagged(problem, as_of)
    assert (row.is_overdue, row.days_overdue, row.escalation_level) == (False, 0, 0)


def test_as_of_before_the_problem_was_raised(reader_client, project_a):
    problem = assigned(project_a, date(2023, 4, 25), date(2023, 4, 20))
    before = date(2023, 4, 10)
    assert (flagged(problem, before).is_overdue, flagged(problem, before).escalation_level) == (False, 0)
    body = reader_client.get("/api/v1/problems/", {"as_of": before.isoformat(), "is_overdue": "true"}).json()
    assert body["count"] == 0
    stats = reader_client.get("/api/v1/stats/problems/", {"as_of": before.isoformat()}).json()
    assert (stats["total"], stats["overdue"]) == (0, 0)


def test_a_past_day_sees_the_state_and_deadline_of_that_day(project_a):
    """Answered, returned with a new deadline, resolved: each day reads the moves up to it."""
    problem = assigned(project_a, date(2023, 4, 10), date(2023, 4, 1))
    move_problem(problem, ("answered", "2023-04-20"), ("assigned", "2023-04-22", {"due_date": date(2023, 4, 25)}),
                 ("answered", "2023-05-10"), ("resolved", "2023-05-12"))
    on = {day: flagged(problem, date.fromisoformat(day)) for day in
          ("2023-04-10", "2023-04-15", "2023-04-21", "2023-04-25", "2023-05-06", "2023-05-11", "2023-06-01")}
    assert [(row.is_overdue, row.days_overdue) for row in on.values()] == [
        (False, 0),  # the due day
        (True, 5),
        (False, 0),  # answered
        (False, 0),  # returned, new due day
        (True, 11),  # overdue again
        (False, 0),  # answered again
        (False, 0),  # resolved
    ]


def test_the_same_day_two_moves_read_in_order(project_a):
    problem = assigned(project_a, date(2023, 4, 5), date(2023, 4, 1))
    move_problem(problem, ("answered", "2023-04-20"), ("assigned", "2023-04-20"))
    assert flagged(problem, date(2023, 4, 21)).days_overdue == 16


# --- the light ---------------------------------------------------------------------------------------------


def reasons(body: dict) -> dict:
    return {reason["rule"]: reason for reason in body["warning_reasons"]}


@pytest.mark.parametrize("days_late, light", [(0, "green"), (1, "yellow"), (30, "yellow"), (31, "red")])
def test_the_light_at_each_boundary(reader_client, days_late, light):
    project = calm_project()
    assigned(project, AS_OF - timedelta(days=days_late), AS_OF - timedelta(days=40), title="土地未摘牌")
    row = Project.objects.with_flags(AS_OF).get(pk=project.pk)
    assert (row.warning_level, row.problem_level) == (light, light)
    body = reader_client.get(f"/api/v1/projects/{project.pk}/", {"as_of": AS_OF.isoformat()}).json()
    assert body["warning_level"] == light
    if light == "green":
        assert "problem_overdue" not in reasons(body)
        return
    reason = reasons(body)["problem_overdue"]
    assert reason["level"] == light
    assert "土地未摘牌" in reason["detail"] and f"{days_late} 天" in reason["detail"]


def test_the_light_of_today_reads_the_cached_deadline(reader_client):
    project = calm_project()
    assigned(project, today() - timedelta(days=31), today() - timedelta(days=40))
    body = reader_client.get(f"/api/v1/projects/{project.pk}/").json()
    assert (body["warning_level"], reasons(body)["problem_overdue"]["level"]) == ("red", "red")


def test_the_reason_counts_the_other_overdue_problems(reader_client):
    project = calm_project()
    assigned(project, AS_OF - timedelta(days=3), AS_OF - timedelta(days=40), title="资金未到位")
    assigned(project, AS_OF - timedelta(days=9), AS_OF - timedelta(days=40), title="征迁未完成")
    assigned(project, AS_OF + timedelta(days=9), AS_OF - timedelta(days=40), title="未到期")
    detail = reasons(reader_client.get(f"/api/v1/projects/{project.pk}/", {"as_of": AS_OF.isoformat()}).json())
    assert detail["problem_overdue"]["detail"] == "问题“征迁未完成”超过限时办结日期（2023-04-25）9 天未办结；另有 1 个问题逾期"


def test_an_inactive_project_stays_green(reader_client):
    project = calm_project(status="operating")
    assigned(project, AS_OF - timedelta(days=60), AS_OF - timedelta(days=70))
    body = reader_client.get(f"/api/v1/projects/{project.pk}/", {"as_of": AS_OF.isoformat()}).json()
    assert body["warning_level"] == "green"


def test_an_answered_problem_turns_the_light_back_to_green(reader_client):
    project = calm_project()
    problem = assigned(project, today() - timedelta(days=5), today() - timedelta(days=10))
    assert reader_client.get(f"/api/v1/projects/{project.pk}/").json()["warning_level"] == "yellow"
    move_problem(problem, ("answered", today().isoformat()))
    assert reader_client.get(f"/api/v1/projects/{project.pk}/").json()["warning_level"] == "green"


@pytest.mark.parametrize("rule, matches", [("problem_overdue", True), ("visit_overdue", False)])
def test_projects_filter_by_the_rule(reader_client, rule, matches):
    late = calm_project()
    assigned(late, AS_OF - timedelta(days=2), AS_OF - timedelta(days=40))
    calm_project()
    body = reader_client.get("/api/v1/projects/", {"as_of": AS_OF.isoformat(), "warning_rule": rule}).json()
    assert [row["id"] for row in body["results"]] == ([late.pk] if matches else [])


def test_the_live_plan_equals_the_past_plan_when_nothing_is_later(project_a, project_b):
    day = today()
    assigned(project_a, day - timedelta(days=3), day - timedelta(days=20))
    done = assigned(project_b, day - timedelta(days=40), day - timedelta(days=50))
    move_problem(done, ("answered", (day - timedelta(days=1)).isoformat()))
    assigned(project_b, day - timedelta(days=35), day - timedelta(days=45))
    fields = ["problem_due_since", "overdue_problem_count", "overdue_problem_title", "problem_level", "warning_level"]
    past = list(Project.objects.with_flags(day).order_by("pk").values("pk", *fields))
    live = list(Project.objects.with_flags(day, live=True).order_by("pk").values("pk", *fields))
    assert past == live
    assert [row["problem_level"] for row in past] == ["yellow", "red"]
    problem_fields = ["assigned_due_date", "is_overdue", "days_overdue", "escalation_level"]
    assert list(Problem.objects.with_flags(day).order_by("pk").values(*problem_fields)) \
        == list(Problem.objects.with_flags(day, live=True).order_by("pk").values(*problem_fields))
