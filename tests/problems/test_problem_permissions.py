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


# --- the matrix through the API ---------------------------------------------------------------------------

HTTP_WRITES = {
    **{action: WRITES[action] for action in WRITES},
    "raise_with_report": WRITES["raise"],
    "raise_with_visit": {"admin": "any", "department": "own", "official": "own"},
    "edit": {"admin": "any"},
    "delete": {"admin": "any"},
    "assess": {"admin": "any"},
}
HTTP_SUCCESS = {"edit": 200, "delete": 204}


def http_expected(role: str, action: str, scope: str) -> int:
    if role == "anonymous":
        return 401
    allowed = HTTP_WRITES[action].get(role)
    if allowed is None or (allowed == "own" and scope != "a"):
        return 403
    return HTTP_SUCCESS.get(action, 201)


def http_request(sides, action: str, scope: str) -> tuple[str, str, dict | None]:
    side = sides[scope]
    raised = [{"title": "施工用电未接入", "category": "utilities"}]
    if action == "raise":
        return "post", "/api/v1/problems/", {"project": side["raise_on"].pk, "title": "土地未摘牌", "category": "land"}
    if action == "raise_with_report":
        return "post", f"/api/v1/projects/{side['raise_on'].pk}/status-updates/", {
            "note": "本周进展", "reported_on": "2023-05-04", "raise_problems": raised}
    if action == "raise_with_visit":
        return "post", "/api/v1/visits/", {"project": side["raise_on"].pk, "visited_on": "2023-05-02",
                                            "raise_problems": raised}
    if action == "assess":
        return "post", f"/api/v1/projects/{side['project'].pk}/assessments/", {
            "level": "red", "reason": "征迁受阻", "assessed_on": "2023-05-01"}
    if action in ("edit", "delete"):
        problem = problem_for(sides, scope, "open")
        if action == "edit":
            return "patch", f"/api/v1/problems/{problem.pk}/", {"title": "改写的问题"}
        return "delete", f"/api/v1/problems/{problem.pk}/", None
    current, target = MOVES[action]
    problem = problem_for(sides, scope, current)
    body = {"state": target, "note": "办理情况", "moved_on": "2023-04-10"}
    if action == "assign":
        body["due_date"] = "2023-04-30"
    return "post", f"/api/v1/problems/{problem.pk}/moves/", body


HTTP_MATRIX = [(role, action, scope) for role in ROLES for action in HTTP_WRITES for scope in ("a", "b")]


@pytest.mark.parametrize("role, action, scope", HTTP_MATRIX)
def test_problem_write_matrix(role_clients, sides, role, action, scope):
    method, url, body = http_request(sides, action, scope)
    status = http_expected(role, action, scope)
    before = snapshot()
    response = getattr(role_clients[role], method)(url, body, format="json")
    assert response.status_code == status, response.content
    if status >= 400:
        assert snapshot() == before
        return
    assert snapshot() != before
    if action in MOVES:
        assert Problem.objects.get(pk=url.split("/")[-3]).state == MOVES[action][1]
    elif action.startswith("raise"):
        assert Problem.objects.filter(project=sides[scope]["raise_on"], raised_by=role_clients[role].user).exists()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_ledger(role_clients, sides, role):
    problem = problem_for(sides, "b", "answered")
    expected_status = 401 if role == "anonymous" else 200
    for url in ("/api/v1/problems/", f"/api/v1/problems/{problem.pk}/", f"/api/v1/problems/{problem.pk}/moves/",
                "/api/v1/stats/problems/", f"/api/v1/projects/{sides['b']['project'].pk}/assessments/"):
        assert role_clients[role].get(url).status_code == expected_status, url


@pytest.mark.parametrize("role", ["admin", "department", "official", "reader"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_moves_and_assessments_cannot_be_edited_or_deleted(role_clients, sides, role, method):
    problem = problem_for(sides, "a", "assigned")
    before = snapshot()
    for url in (f"/api/v1/problems/{problem.pk}/moves/", f"/api/v1/projects/{sides['a']['project'].pk}/assessments/"):
        response = getattr(role_clients[role], method)(url, {"note": "改写"}, format="json")
        assert response.status_code == 405, (url, response.content)
    assert snapshot() == before


def test_a_clerk_out_of_scope_is_403_even_with_a_bad_body(department_client, sides):
    problem = problem_for(sides, "b", "assigned")
    before = snapshot()
    response = department_client.post(f"/api/v1/problems/{problem.pk}/moves/", {"state": "answered"}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_a_clerk_may_not_raise_on_another_departments_project_through_a_report_of_its_own(department_client, sides):
    """raise_problems takes its project from the report's URL: there is no other project to name."""
    before = snapshot()
    body = {"note": "进展", "raise_problems": [{"title": "x", "project": sides["b"]["project"].pk}]}
    response = department_client.post(f"/api/v1/projects/{sides['a']['project'].pk}/status-updates/", body,
                                      format="json")
    assert response.status_code == 201
    assert set(Problem.objects.values_list("project", flat=True)) == {sides["a"]["project"].pk}
    assert snapshot() != before
