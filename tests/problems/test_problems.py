"""The problem ledger (问题台账): raising, the workflow of moves, Idempotency-Key, and the assessed light's writes."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.domain.choices import PROBLEM_MOVES, ProblemState
from projects.domain.dates import today
from projects.domain.exceptions import Conflict, IdempotencyKeyReused
from projects.models import Assessment, Problem, ProblemMove, Project, StatusUpdate, Visit
from projects.services import (
    assessment_create,
    problem_create,
    problem_delete,
    problem_move_create,
    problem_update,
    status_update_create,
    visit_create,
)
from tests.factories import DepartmentFactory, ProblemFactory, StatusUpdateFactory, VisitFactory, move_problem

pytestmark = pytest.mark.django_db

STATES = ProblemState.values
# The moves that bring a new problem to each state.
PATH_TO = {
    "open": [],
    "assigned": [("assigned", "2023-04-02")],
    "answered": [("assigned", "2023-04-02"), ("answered", "2023-04-05")],
    "resolved": [("assigned", "2023-04-02"), ("answered", "2023-04-05"), ("resolved", "2023-04-06")],
    "cancelled": [("cancelled", "2023-04-02")],
}
SUPERVISION_MODELS = [Problem, ProblemMove, Project, StatusUpdate, Visit, Assessment, Problem.history.model,
                      ProblemMove.history.model, Project.history.model, StatusUpdate.history.model,
                      Visit.history.model, Assessment.history.model]


def snapshot() -> dict:
    """Every row of the tables a supervision write touches, history included."""
    return {model._meta.label: list(model.objects.order_by("pk").values_list()) for model in SUPERVISION_MODELS}


@pytest.fixture
def land_bureau(db):
    return DepartmentFactory(code="zrzyj", name="自然资源局")


def problem_in(state: str, project) -> Problem:
    return move_problem(ProblemFactory(project=project), *PATH_TO[state])


def move_body(state: str, land_bureau) -> dict:
    """A body that is complete for the move to `state` from wherever the workflow allows it."""
    body = {"state": state, "note": "办理情况", "moved_on": date(2023, 4, 10)}
    if state == "assigned":
        body.update(responsible_department=land_bureau, due_date=date(2023, 4, 30))
    return body


# --- the workflow --------------------------------------------------------------------------------


@pytest.mark.parametrize("current", STATES)
@pytest.mark.parametrize("target", STATES)
def test_every_state_pair_follows_the_workflow(project_a, admin_client, land_bureau, current, target):
    problem = problem_in(current, project_a)
    allowed = (current, target) in PROBLEM_MOVES
    before = snapshot()
    if not allowed:
        with pytest.raises(ValidationError) as refused:
            problem_move_create(problem=problem, user=admin_client.user, **move_body(target, land_bureau))
        assert "state" in refused.value.message_dict
        assert snapshot() == before
        return
    move = problem_move_create(problem=problem, user=admin_client.user, **move_body(target, land_bureau))
    problem.refresh_from_db()
    assert (move.state_from, move.state_to, problem.state) == (current, target, target)
    assert problem.resolved_on == (date(2023, 4, 10) if target == "resolved" else None)
    assert Problem.history.filter(id=problem.pk).latest().state == target
    assert ProblemMove.history.filter(id=move.pk).count() == 1


def test_the_workflow_is_the_contracts():
    assert set(PROBLEM_MOVES) == {
        ("open", "assigned"), ("open", "cancelled"), ("assigned", "answered"), ("assigned", "cancelled"),
        ("answered", "resolved"), ("answered", "assigned"),
    }


def test_the_database_refuses_a_move_outside_the_workflow(project_a):
    problem = ProblemFactory(project=project_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProblemMove.objects.create(problem=problem, state_from="open", state_to="resolved", moved_on=date(2023, 4, 2),
                                   note="跳过")


def test_the_database_refuses_a_handed_over_problem_without_unit_or_deadline(project_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.create(project=project_a, title="x", source="office", raised_on=date(2023, 4, 1),
                               state="assigned")


def test_assigning_names_the_unit_and_deadline_and_moves_keep_them(project_a, land_bureau):
    problem = ProblemFactory(project=project_a)
    move_problem(problem, ("assigned", "2023-04-02", {"responsible_department": land_bureau,
                                                      "due_date": date(2023, 4, 20)}))
    assert (problem.responsible_department, problem.due_date) == (land_bureau, date(2023, 4, 20))
    move_problem(problem, ("answered", "2023-04-10"))
    moves = list(problem.moves.values_list("state_to", "responsible_department", "due_date"))
    assert moves == [("assigned", land_bureau.pk, date(2023, 4, 20)), ("answered", land_bureau.pk, date(2023, 4, 20))]


def test_assigning_without_a_deadline_or_a_unit_is_refused(project_a, land_bureau):
    problem = ProblemFactory(project=project_a)
    before = snapshot()
    with pytest.raises(ValidationError) as no_deadline:
        problem_move_create(problem=problem, user=None, state="assigned", note="交办", moved_on=date(2023, 4, 2),
                            responsible_department=land_bureau)
    assert "due_date" in no_deadline.value.message_dict
    with pytest.raises(ValidationError) as no_unit:
        problem_move_create(problem=problem, user=None, state="assigned", note="交办", moved_on=date(2023, 4, 2),
                            due_date=date(2023, 4, 20))
    assert "responsible_department" in no_unit.value.message_dict
    assert snapshot() == before


def test_assigning_defaults_to_the_proposed_unit(project_a, land_bureau):
    problem = ProblemFactory(project=project_a, responsible_department=land_bureau)
    problem_move_create(problem=problem, user=None, state="assigned", note="交办", moved_on=date(2023, 4, 2),
                        due_date=date(2023, 4, 20))
    problem.refresh_from_db()
    assert problem.responsible_department == land_bureau


def test_returning_keeps_or_renews_the_deadline_and_may_change_the_unit(project_a, land_bureau, dept_b):
    problem = problem_in("answered", project_a)
    old_due = problem.due_date
    move_problem(problem, ("assigned", "2023-04-06"))
    assert problem.due_date == old_due
    move_problem(problem, ("answered", "2023-04-07"),
                 ("assigned", "2023-04-08", {"due_date": date(2023, 5, 15), "responsible_department": dept_b}))
    assert (problem.due_date, problem.responsible_department) == (date(2023, 5, 15), dept_b)


@pytest.mark.parametrize("target", ["answered", "cancelled"])
def test_only_assigning_and_returning_name_a_unit_or_deadline(project_a, land_bureau, target):
    problem = problem_in("assigned", project_a)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        problem_move_create(problem=problem, user=None, state=target, note="x", moved_on=date(2023, 4, 10),
                            due_date=date(2023, 6, 1))
    assert "due_date" in refused.value.message_dict
    assert snapshot() == before


@pytest.mark.parametrize("fields, key", [
    ({"note": ""}, "note"),
    ({"note": "   "}, "note"),
    ({"moved_on": date(2023, 4, 1)}, "moved_on"),  # before the last move (2 April)
    ({"moved_on": today() + timedelta(days=1)}, "moved_on"),
    ({"moved_on": date(1999, 12, 31)}, "moved_on"),
    ({"state": "nope"}, "state"),
])
def test_a_bad_move_is_refused_and_changes_nothing(project_a, fields, key):
    problem = problem_in("assigned", project_a)
    before = snapshot()
    body = {"state": "answered", "note": "已协调", "moved_on": date(2023, 4, 10), **fields}
    with pytest.raises(ValidationError) as refused:
        problem_move_create(problem=problem, user=None, **body)
    assert key in refused.value.message_dict
    assert snapshot() == before


def test_a_deadline_before_the_assignment_is_refused(project_a, land_bureau):
    problem = ProblemFactory(project=project_a)
    with pytest.raises(ValidationError) as refused:
        problem_move_create(problem=problem, user=None, state="assigned", note="交办", moved_on=date(2023, 4, 10),
                            responsible_department=land_bureau, due_date=date(2023, 4, 9))
    assert "due_date" in refused.value.message_dict


def test_a_move_is_not_dated_before_the_problem_was_raised(project_a, land_bureau):
    problem = ProblemFactory(project=project_a, raised_on=date(2023, 4, 20))
    with pytest.raises(ValidationError) as refused:
        problem_move_create(problem=problem, user=None, state="cancelled", note="重复", moved_on=date(2023, 4, 19))
    assert "moved_on" in refused.value.message_dict


# --- Idempotency-Key ------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_replays_the_first_move(project_a, admin_client, land_bureau):
    problem = ProblemFactory(project=project_a)
    body = move_body("assigned", land_bureau)
    first = problem_move_create(problem=problem, user=admin_client.user, idempotency_key="k1", fingerprint="f",
                                **body)
    before = snapshot()
    again = problem_move_create(problem=problem, user=admin_client.user, idempotency_key="k1", fingerprint="f",
                                **body)
    assert (again.pk, again.replayed, first.replayed) == (first.pk, True, False)
    assert snapshot() == before


def test_the_same_key_with_another_body_is_422_and_records_nothing(project_a, admin_client, land_bureau):
    problem = ProblemFactory(project=project_a)
    problem_move_create(problem=problem, user=admin_client.user, idempotency_key="k1", fingerprint="f",
                        **move_body("assigned", land_bureau))
    before = snapshot()
    with pytest.raises(IdempotencyKeyReused):
        problem_move_create(problem=problem, user=admin_client.user, idempotency_key="k1", fingerprint="g",
                            **move_body("answered", land_bureau))
    assert snapshot() == before


# --- raising --------------------------------------------------------------------------------------


def test_a_report_raises_its_problems_in_the_same_transaction(project_a, department_client):
    report = status_update_create(
        project=project_a, user=department_client.user, note="本周进展", reported_on=date(2023, 5, 4),
        raise_problems=[{"title": "施工用电未接入", "category": "utilities"},
                        {"title": "土地未摘牌", "category": "land", "description": "等待挂牌"}],
    )
    raised = list(Problem.objects.order_by("pk").values_list(
        "title", "category", "source", "source_status_update", "raised_on", "raised_by", "state"))
    assert raised == [
        ("施工用电未接入", "utilities", "report", report.pk, date(2023, 5, 4), department_client.user.pk, "open"),
        ("土地未摘牌", "land", "report", report.pk, date(2023, 5, 4), department_client.user.pk, "open"),
    ]


def test_a_report_with_a_bad_problem_records_nothing(project_a, department_client):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        status_update_create(project=project_a, user=department_client.user, note="本周进展",
                             raise_problems=[{"title": "施工用电未接入"}, {"title": ""}])
    assert "raise_problems" in refused.value.message_dict
    assert snapshot() == before


def test_a_visit_raises_its_problems(project_a, official_client, official_a):
    visit = visit_create(user=official_client.user, project=project_a, visited_on=date(2023, 5, 2),
                         raise_problems=[{"title": "征迁未完成", "category": "demolition"}])
    problem = Problem.objects.get()
    assert (problem.source, problem.source_visit, problem.raised_on) == ("visit", visit, date(2023, 5, 2))


@pytest.mark.parametrize("client_role, source", [("admin", "office"), ("department", "report"),
                                                 ("official", "visit")])
def test_the_source_defaults_to_the_raisers_channel(project_a, role_clients, client_role, source):
    problem = problem_create(user=role_clients[client_role].user, project=project_a, title="资金未到位")
    assert (problem.source, problem.raised_on, problem.state) == (source, today(), "open")


def test_the_office_raises_from_a_meeting(project_a, admin_client):
    problem = problem_create(user=admin_client.user, project=project_a, title="缺少施工许可", source="meeting",
                             category="approval", raised_on=date(2023, 5, 4))
    assert (problem.source, problem.category) == ("meeting", "approval")


def test_a_problem_links_only_a_record_of_its_own_project(project_a, project_b):
    report = StatusUpdateFactory(project=project_b)
    visit = VisitFactory(project=project_b)
    with pytest.raises(ValidationError) as refused:
        problem_create(user=None, project=project_a, title="x", source_status_update=report)
    assert "source_status_update" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        problem_create(user=None, project=project_a, title="x", source_visit=visit, source="report")
    assert "source_visit" in refused.value.message_dict
    assert not Problem.objects.exists()


@pytest.mark.parametrize("raised_on", [today() + timedelta(days=1), date(1999, 12, 31)])
def test_a_problem_is_not_raised_on_an_impossible_day(project_a, raised_on):
    with pytest.raises(ValidationError) as refused:
        problem_create(user=None, project=project_a, title="x", raised_on=raised_on)
    assert "raised_on" in refused.value.message_dict


# --- edits and deletes ------------------------------------------------------------------------------


def test_an_edit_changes_the_words_only(project_a, land_bureau, official_b):
    problem = problem_in("assigned", project_a)
    problem_update(problem=problem, user=None, title="新标题", coordinating_official=official_b,
                   state="assigned", due_date=problem.due_date)
    problem.refresh_from_db()
    assert (problem.title, problem.coordinating_official) == ("新标题", official_b)
    before = snapshot()
    for field, value in [("state", "resolved"), ("due_date", date(2023, 9, 1)), ("responsible_department", land_bureau),
                         ("raised_on", date(2023, 3, 1)), ("source", "meeting")]:
        with pytest.raises(ValidationError) as refused:
            problem_update(problem=problem, user=None, **{field: value})
        assert field in refused.value.message_dict
    assert snapshot() == before


def test_a_problem_that_moved_is_not_deleted(project_a):
    problem = problem_in("cancelled", project_a)
    before = snapshot()
    with pytest.raises(Conflict):
        problem_delete(problem=problem, user=None)
    assert snapshot() == before
    fresh = ProblemFactory(project=project_a)
    problem_delete(problem=fresh, user=None)
    assert not Problem.objects.filter(pk=fresh.pk).exists()
    assert Problem.history.filter(id=fresh.pk, history_type="-").exists()


def test_the_project_caches_its_earliest_assigned_deadline(project_a):
    first = problem_in("assigned", project_a)
    problem_in("assigned", project_a)
    project_a.refresh_from_db()
    assert project_a.cached_problem_due_date == first.due_date
    move_problem(first, ("answered", "2023-04-10"))
    move_problem(Problem.objects.exclude(pk=first.pk).get(), ("cancelled", "2023-04-10"))
    project_a.refresh_from_db()
    assert project_a.cached_problem_due_date is None


# --- assessments ----------------------------------------------------------------------------------------


def test_an_assessment_holds_30_days_by_default(project_a, admin_client):
    assessment = assessment_create(project=project_a, user=admin_client.user, level="red", reason="征迁受阻",
                                   assessed_on=date(2023, 5, 1))
    assert (assessment.valid_until, assessment.assessed_by) == (date(2023, 5, 31), admin_client.user)
    assert Assessment.history.count() == 1


@pytest.mark.parametrize("fields, key", [
    ({"valid_until": date(2023, 5, 1)}, "valid_until"),  # not after the day
    ({"valid_until": date(2023, 7, 31)}, "valid_until"),  # 91 days
    ({"assessed_on": today() + timedelta(days=1)}, "assessed_on"),
    ({"reason": " "}, "reason"),
    ({"level": "blue"}, "level"),
])
def test_a_bad_assessment_is_refused(project_a, fields, key):
    body = {"level": "yellow", "reason": "资金紧张", "assessed_on": date(2023, 5, 1), **fields}
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        assessment_create(project=project_a, user=None, **body)
    assert key in refused.value.message_dict
    assert snapshot() == before


def test_an_assessment_may_hold_exactly_90_days(project_a):
    assessment = assessment_create(project=project_a, user=None, level="green", reason="已化解",
                                   assessed_on=date(2023, 5, 1), valid_until=date(2023, 7, 30))
    assert assessment.valid_until == date(2023, 5, 1) + timedelta(days=90)
