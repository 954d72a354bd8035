"""The role matrix of problems (问题台账) and assessments: every (role, action, scope), refused writes change nothing.

Scope "a" is the side of the users under test: project A (department A, led by official A) for
raising; for a move, a problem handed to department A and coordinated by official A — on project B,
so answering is shown to follow the problem's unit, not the project's. Scope "b" is the other side:
project B, or a problem of department B coordinated by official B on project A.
"""

from datetime import date

import pytest

from projects.domain import roles
from projects.domain.exceptions import Forbidden
from projects.models import Assessment, Problem, ProblemMove, Project, StatusUpdate, Visit
from projects.services import problem_move_create
from tests.factories import ProblemFactory, move_problem

ROLES = ["admin", "department", "official", "reader", "anonymous"]
# action -> {role: the scope it may act in}; a role not listed may not act at all.
WRITES = {
    "raise": {"admin": "any", "department": "own", "official": "own"},
    "assign": {"admin": "any"},
    "answer": {"admin": "any", "department": "own", "official": "own"},
    "return": {"admin": "any"},
    "resolve": {"admin": "any"},
    "cancel": {"admin": "any"},
    "cancel_assigned": {"admin": "any"},
}
# The state a problem is in before each move, and the state the move goes to.
MOVES = {
    "assign": ("open", "assigned"),
    "answer": ("assigned", "answered"),
    "return": ("answered", "assigned"),
    "resolve": ("answered", "resolved"),
    "cancel": ("open", "cancelled"),
    "cancel_assigned": ("assigned", "cancelled"),
}
PATH_TO = {
    "open": [],
    "assigned": [("assigned", "2023-04-02")],
    "answered": [("assigned", "2023-04-02"), ("answered", "2023-04-05")],
}
SNAPSHOT_MODELS = [Problem, ProblemMove, Assessment, Project, StatusUpdate, Visit, Problem.history.model,
                   ProblemMove.history.model, Assessment.history.model, Project.history.model,
                   StatusUpdate.history.model, Visit.history.model]


def snapshot() -> dict:
    """Every row of every table a problem write may touch, history included."""
    return {model._meta.label: list(model.objects.order_by("pk").values_list()) for model in SNAPSHOT_MODELS}


def expected(role: str, action: str, scope: str, success: int) -> int:
    if role == "anonymous":
        return 401
    allowed = WRITES[action].get(role)
    if allowed is None or (allowed == "own" and scope != "a"):
        return 403
    return success


@pytest.fixture
def sides(project_a, project_b, dept_a, dept_b, official_a, official_b):
    return {
        "a": {"project": project_a, "raise_on": project_a, "handled_on": project_b, "department": dept_a,
              "official": official_a},
        "b": {"project": project_b, "raise_on": project_b, "handled_on": project_a, "department": dept_b,
              "official": official_b},
    }


def problem_for(sides, scope: str, state: str) -> Problem:
    side = sides[scope]
    problem = ProblemFactory(project=side["handled_on"], responsible_department=side["department"],
                             coordinating_official=side["official"])
    return move_problem(problem, *PATH_TO[state])


def move_fields(action: str, target: str) -> dict:
    fields = {"state": target, "note": "办理情况", "moved_on": date(2023, 4, 10)}
    if action == "assign":
        fields["due_date"] = date(2023, 4, 30)
    return fields


# --- the policy, asked directly and through the service --------------------------------------------------


@pytest.mark.parametrize("role", ROLES[:-1])
@pytest.mark.parametrize("scope", ["a", "b"])
def test_raising_follows_the_status_update_scope(role_clients, sides, role, scope):
    user = role_clients[role].user
    project = sides[scope]["raise_on"]
    may = roles.can(user, "problem", roles.CREATE, {"project": project})
    assert may == (expected(role, "raise", scope, 201) == 201)
    assert may == roles.can(user, "status_update", roles.CREATE, {"project": project})


@pytest.mark.parametrize("role", ROLES[:-1])
@pytest.mark.parametrize("action", list(MOVES))
@pytest.mark.parametrize("scope", ["a", "b"])
def test_the_move_service_checks_the_policy_under_the_lock(role_clients, sides, role, action, scope):
    current, target = MOVES[action]
    problem = problem_for(sides, scope, current)
    status = expected(role, action, scope, 201)
    before = snapshot()
    if status == 403:
        with pytest.raises(Forbidden):
            problem_move_create(problem=problem, user=role_clients[role].user, **move_fields(action, target))
        assert snapshot() == before
    else:
        move = problem_move_create(problem=problem, user=role_clients[role].user, **move_fields(action, target))
        assert (move.state_from, move.state_to, move.moved_by) == (current, target, role_clients[role].user)


@pytest.mark.parametrize("role, answerable", [
    ("admin", {"a", "b"}), ("department", {"a"}), ("official", {"a"}), ("reader", set()),
])
def test_the_problems_a_user_may_answer_as_a_queryset(role_clients, sides, role, answerable):
    problems = {scope: problem_for(sides, scope, "assigned") for scope in ("a", "b")}
    names = {problem.pk: scope for scope, problem in problems.items()}
    writable = Problem.objects.writable_by(role_clients[role].user, "answer")
    assert {names[pk] for pk in writable.values_list("pk", flat=True)} == answerable
    assert {scope for scope, problem in problems.items()
            if roles.can(role_clients[role].user, "problem", "answer", problem)} == answerable


def test_a_department_answers_for_its_unit_not_for_its_projects(department_client, sides):
    """A problem on department A's own project, handed to department B, is B's to answer."""
    on_own_project = problem_for(sides, "b", "assigned")
    assert on_own_project.project == sides["a"]["project"]
    assert not roles.can(department_client.user, "problem", "answer", on_own_project)


@pytest.mark.parametrize("role", ["department", "official", "reader"])
def test_only_the_office_edits_deletes_and_assesses(role_clients, role):
    user = role_clients[role].user
    assert not roles.allowed(user, "problem", roles.UPDATE)
    assert not roles.allowed(user, "problem", roles.DELETE)
    assert not roles.allowed(user, "assessment", roles.CREATE)
    assert roles.allowed(role_clients["admin"].user, "assessment", roles.CREATE)


def test_assessments_are_append_only_for_every_role(role_clients):
    for role in ROLES[:-1]:
        assert not roles.allowed(role_clients[role].user, "assessment", roles.UPDATE)
        assert not roles.allowed(role_clients[role].user, "assessment", roles.DELETE)
