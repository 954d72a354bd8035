"""/problems/, their moves, raise_problems on reports and visits, /projects/{id}/assessments/, through HTTP."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from projects.domain.choices import PROBLEM_MOVES, ProblemState
from projects.domain.dates import today
from projects.models import Assessment, Problem, ProblemMove, Project, StatusUpdate, Visit
from tests.factories import (
    AssessmentFactory,
    DepartmentFactory,
    ProblemFactory,
    ProjectFactory,
    move_problem,
)

pytestmark = pytest.mark.django_db
SNAPSHOT_MODELS = [Problem, ProblemMove, Assessment, Project, StatusUpdate, Visit, Problem.history.model,
                   ProblemMove.history.model, Assessment.history.model, Project.history.model,
                   StatusUpdate.history.model, Visit.history.model]
PATH_TO = {
    "open": [],
    "assigned": [("assigned", "2023-04-02")],
    "answered": [("assigned", "2023-04-02"), ("answered", "2023-04-05")],
    "resolved": [("assigned", "2023-04-02"), ("answered", "2023-04-05"), ("resolved", "2023-04-06")],
    "cancelled": [("cancelled", "2023-04-02")],
}


def snapshot() -> dict:
    return {model._meta.label: list(model.objects.order_by("pk").values_list()) for model in SNAPSHOT_MODELS}


@pytest.fixture
def land_bureau(db):
    return DepartmentFactory(code="zrzyj", name="自然资源局")


def moves_url(problem) -> str:
    return f"/api/v1/problems/{problem.pk}/moves/"


# --- raising and reading --------------------------------------------------------------------------------


def test_a_clerk_raises_a_problem(department_client, project_a):
    response = department_client.post("/api/v1/problems/", {
        "project": project_a.pk, "title": "土地未摘牌", "category": "land", "description": "等待挂牌出让",
        "raised_on": "2023-05-04",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in ("title", "category", "category_display", "source", "source_display",
                                       "state", "state_display", "raised_on", "due_date", "moves", "is_overdue",
                                       "escalation_level", "escalation_level_display")} == {
        "title": "土地未摘牌", "category": "land", "category_display": "土地", "source": "report",
        "source_display": "进度填报", "state": "open", "state_display": "待交办", "raised_on": "2023-05-04",
        "due_date": None, "moves": [], "is_overdue": False, "escalation_level": 0, "escalation_level_display": "正常",
    }
    assert body["raised_by"]["username"] == "dept_user"
    assert body["project"] == {"id": project_a.pk, "code": project_a.code, "name": project_a.name}


def test_the_office_runs_the_loop(admin_client, department_client, project_a, land_bureau, reader_client):
    """Raised from a meeting, assigned to another unit, answered, returned, answered, resolved."""
    created = admin_client.post("/api/v1/problems/", {"project": project_a.pk, "title": "征迁未完成",
                                                      "source": "meeting", "raised_on": "2023-04-01"}, format="json")
    problem = Problem.objects.get(pk=created.json()["id"])
    assign = admin_client.post(moves_url(problem), {"state": "assigned", "note": "请自然资源局限期办结",
                                                    "moved_on": "2023-04-02", "responsible_department": land_bureau.pk,
                                                    "due_date": "2023-04-20"}, format="json")
    assert assign.status_code == 201, assign.content
    assert assign.json()["responsible_department"]["code"] == "zrzyj"
    land_clerk = department_client
    land_clerk.user.portfolio_profile.department = land_bureau
    land_clerk.user.portfolio_profile.save()
    answered = land_clerk.post(moves_url(problem), {"state": "answered", "note": "已完成征迁", "moved_on": "2023-04-15"},
                               format="json")
    assert answered.status_code == 201, answered.content
    back = admin_client.post(moves_url(problem), {"state": "assigned", "note": "还有两户未签约", "moved_on": "2023-04-16",
                                                  "due_date": "2023-04-30"}, format="json")
    assert back.status_code == 201
    land_clerk.post(moves_url(problem), {"state": "answered", "note": "全部签约", "moved_on": "2023-04-28"}, format="json")
    closed = admin_client.post(moves_url(problem), {"state": "resolved", "note": "销号", "moved_on": "2023-04-29"},
                               format="json")
    assert closed.status_code == 201
    body = reader_client.get(f"/api/v1/problems/{problem.pk}/").json()
    assert (body["state"], body["resolved_on"], body["due_date"]) == ("resolved", "2023-04-29", "2023-04-30")
    assert [(m["state_from"], m["state_to"], m["moved_on"]) for m in body["moves"]] == [
        ("open", "assigned", "2023-04-02"), ("assigned", "answered", "2023-04-15"),
        ("answered", "assigned", "2023-04-16"), ("assigned", "answered", "2023-04-28"),
        ("answered", "resolved", "2023-04-29"),
    ]
    assert body["moves"][1]["moved_by"]["username"] == "dept_user"
    listed = reader_client.get(moves_url(problem)).json()
    assert listed["count"] == 5 and listed["results"][0]["state_to_display"] == "已交办"


@pytest.mark.parametrize("current", ProblemState.values)
@pytest.mark.parametrize("target", ProblemState.values)
def test_every_state_pair_through_the_api(admin_client, project_a, land_bureau, current, target):
    problem = move_problem(ProblemFactory(project=project_a), *PATH_TO[current])
    body = {"state": target, "note": "办理情况", "moved_on": "2023-04-10"}
    if (current, target) == ("open", "assigned"):
        body.update(responsible_department=land_bureau.pk, due_date="2023-04-30")
    before = snapshot()
    response = admin_client.post(moves_url(problem), body, format="json")
    if (current, target) in PROBLEM_MOVES:
        assert response.status_code == 201, response.content
        assert Problem.objects.get(pk=problem.pk).state == target
    else:
        assert response.status_code == 400, response.content
        assert "state" in response.json()
        assert snapshot() == before


def test_a_move_replays_with_its_idempotency_key(admin_client, project_a, land_bureau):
    problem = ProblemFactory(project=project_a)
    body = {"state": "assigned", "note": "交办", "moved_on": "2023-04-02", "responsible_department": land_bureau.pk,
            "due_date": "2023-04-20"}
    first = admin_client.post(moves_url(problem), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    before = snapshot()
    again = admin_client.post(moves_url(problem), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (again.status_code, again.json(), again["Idempotent-Replayed"]) == (201, first.json(), "true")
    assert "Idempotent-Replayed" not in first
    assert snapshot() == before
    other = admin_client.post(moves_url(problem), {**body, "note": "另一份"}, format="json",
                              HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert snapshot() == before


def test_the_office_edits_the_words_but_not_the_state(admin_client, project_a, official_b):
    problem = move_problem(ProblemFactory(project=project_a), *PATH_TO["assigned"])
    response = admin_client.patch(f"/api/v1/problems/{problem.pk}/", {"title": "改写", "coordinating_official":
                                                                      official_b.pk}, format="json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["coordinating_official"]["id"]) == ("改写", official_b.pk)
    other_project = ProjectFactory()
    before = snapshot()
    for body in ({"project": other_project.pk}, {"raised_on": "2023-03-01"}, {"source": "meeting"}):
        assert admin_client.patch(f"/api/v1/problems/{problem.pk}/", body, format="json").status_code == 400, body
    assert snapshot() == before


def test_a_problem_with_moves_is_not_deleted(admin_client, project_a):
    problem = move_problem(ProblemFactory(project=project_a), *PATH_TO["cancelled"])
    before = snapshot()
    assert admin_client.delete(f"/api/v1/problems/{problem.pk}/").status_code == 409
    assert snapshot() == before


# --- raised with a report or a visit ----------------------------------------------------------------------------


def test_a_report_raises_problems(department_client, project_a):
    body = {"note": "本周进展", "reported_on": "2023-05-04", "problems": "用电、土地",
            "raise_problems": [{"title": "施工用电未接入", "category": "utilities"}, {"title": "土地未摘牌"}]}
    response = department_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/", body, format="json",
                                      HTTP_IDEMPOTENCY_KEY="r-1")
    assert response.status_code == 201, response.content
    report = response.json()["id"]
    rows = list(Problem.objects.order_by("pk").values_list("title", "category", "source", "source_status_update"))
    assert rows == [("施工用电未接入", "utilities", "report", report), ("土地未摘牌", "other", "report", report)]
    again = department_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/", body, format="json",
                                   HTTP_IDEMPOTENCY_KEY="r-1")
    assert again.status_code == 201 and Problem.objects.count() == 2


@pytest.mark.parametrize("raise_problems", [
    [{"title": ""}], [{"category": "land"}], [{"title": "x", "category": "nope"}], "土地", [1], {"title": "x"},
    [{"title": "x" * 201}], [{"title": "x"}] * 21,
])
def test_a_report_with_bad_problems_is_400_and_records_nothing(department_client, project_a, raise_problems):
    before = snapshot()
    response = department_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/",
                                      {"note": "本周进展", "raise_problems": raise_problems}, format="json")
    assert response.status_code == 400, response.content
    assert "raise_problems" in response.json()
    assert snapshot() == before


def test_a_visit_raises_problems_and_an_edit_does_not(official_client, project_a):
    response = official_client.post("/api/v1/visits/", {"project": project_a.pk, "visited_on": "2023-05-02",
                                                         "raise_problems": [{"title": "征迁未完成",
                                                                             "category": "demolition"}]},
                                    format="json")
    assert response.status_code == 201, response.content
    problem = Problem.objects.get()
    assert (problem.source, problem.source_visit_id, problem.raised_on) == ("visit", response.json()["id"],
                                                                            date(2023, 5, 2))
    before = snapshot()
    edit = official_client.patch(f"/api/v1/visits/{problem.source_visit_id}/",
                                 {"raise_problems": [{"title": "另一个"}]}, format="json")
    assert edit.status_code == 400
    assert snapshot() == before


# --- filters ------------------------------------------------------------------------------------------------------


@pytest.fixture
def two_problems(project_a, project_b, land_bureau, dept_b):
    """`match` (project A, land, overdue 14 days on 4 May, level 2) and `other` (project B, on time)."""
    match = move_problem(
        ProblemFactory(project=project_a, title="土地未摘牌", description="等待挂牌", category="land", source="meeting",
                       raised_on=date(2023, 4, 1)),
        ("assigned", "2023-04-02", {"responsible_department": land_bureau, "due_date": date(2023, 4, 20)}),
    )
    other = move_problem(
        ProblemFactory(project=project_b, title="资金未到位", category="funding", source="report",
                       raised_on=date(2023, 4, 25)),
        ("assigned", "2023-04-26", {"responsible_department": dept_b, "due_date": date(2023, 6, 30)}),
        ("answered", "2023-04-28"),
    )
    return {"match": match, "other": other}


@pytest.mark.parametrize("query", [
    {"project": "A"}, {"department": "fgw"}, {"responsible_department": "zrzyj"}, {"state": "assigned"},
    {"state": "assigned,open"}, {"category": "land"}, {"source": "meeting"}, {"is_overdue": "true"},
    {"escalation_level": "2"}, {"due_before": "2023-04-20"}, {"due_after": "2023-04-01", "due_before": "2023-05-01"},
    {"raised_before": "2023-04-01"}, {"raised_after": "2023-04-01", "raised_before": "2023-04-24"},
    {"search": "挂牌"}, {"search": "摘牌"},
])
def test_each_filter_keeps_the_match_and_drops_the_other(reader_client, two_problems, project_a, query):
    query = {key: (str(project_a.pk) if value == "A" else value) for key, value in query.items()}
    body = reader_client.get("/api/v1/problems/", {"as_of": "2023-05-04", **query}).json()
    assert [row["id"] for row in body["results"]] == [two_problems["match"].pk], query


@pytest.mark.parametrize("query", [{"is_overdue": "false"}, {"escalation_level": "0"}, {"state": "answered"},
                                   {"responsible_department": "jyj"}, {"due_after": "2023-06-30"}])
def test_the_other_problem_matches_the_opposite(reader_client, two_problems, query):
    body = reader_client.get("/api/v1/problems/", {"as_of": "2023-05-04", **query}).json()
    assert [row["id"] for row in body["results"]] == [two_problems["other"].pk], query


def test_the_list_is_newest_raised_first(reader_client, two_problems):
    body = reader_client.get("/api/v1/problems/").json()
    assert [row["id"] for row in body["results"]] == [two_problems["other"].pk, two_problems["match"].pk]


@pytest.mark.parametrize("query", [
    {"state": "nope"}, {"category": "x"}, {"source": "x"}, {"escalation_level": "4"}, {"escalation_level": "a"},
    {"is_overdue": "maybe"}, {"project": "999999"}, {"project": "abc"}, {"department": "nope"},
    {"responsible_department": "999999"}, {"due_before": "2023-02-30"}, {"raised_after": "0023-05-04"},
    {"as_of": "3000-01-01"}, {"format": "pdf"}, {"project": "99999999999999999999999"},
])
def test_bad_filters_are_400(reader_client, two_problems, query):
    assert reader_client.get("/api/v1/problems/", query).status_code == 400, query


@pytest.mark.parametrize("body", [
    {}, {"state": "assigned"}, {"state": "assigned", "note": "x", "due_date": "2023-02-30"},
    {"state": "assigned", "note": "x", "due_date": "2023-04-30", "responsible_department": 999999},
    {"state": "assigned", "note": "x", "due_date": "2023-04-30", "responsible_department": "zrzyj"},
    {"state": "assigned", "note": "x", "moved_on": "2099-01-01", "due_date": "2099-02-01"},
    {"state": 5, "note": "x"}, {"state": ["assigned"], "note": "x"}, {"state": None, "note": None},
    {"state": "cancelled", "note": "x" * 5001}, [], "text",
])
def test_a_bad_move_is_4xx_never_500_and_changes_nothing(admin_client, project_a, land_bureau, body):
    problem = ProblemFactory(project=project_a)
    before = snapshot()
    response = admin_client.post(moves_url(problem), body, format="json")
    assert 400 <= response.status_code < 500, response.content
    assert snapshot() == before


@pytest.mark.parametrize("body", [
    {}, {"project": 999999, "title": "x"}, {"project": "A", "title": ""}, {"project": "A", "title": "x", "category": "y"},
    {"project": "A", "title": "x", "raised_on": "2023-13-01"}, {"project": "A", "title": "x", "source_visit": 999999},
    {"project": "A", "title": "x", "raised_on": (today() + timedelta(days=1)).isoformat()}, [], "x",
])
def test_a_bad_problem_is_400_and_records_nothing(admin_client, project_a, body):
    if isinstance(body, dict) and body.get("project") == "A":
        body = {**body, "project": project_a.pk}
    before = snapshot()
    response = admin_client.post("/api/v1/problems/", body, format="json")
    assert response.status_code == 400, response.content
    assert snapshot() == before


def test_unknown_and_malformed_ids_are_404(reader_client):
    for url in ("/api/v1/problems/999999/", "/api/v1/problems/abc/", "/api/v1/problems/999999/moves/",
                "/api/v1/projects/999999/assessments/", "/api/v1/projects/abc/assessments/",
                "/api/v1/projects/99999999999999999999999/assessments/"):
        assert reader_client.get(url).status_code == 404, url


# --- downloads ------------------------------------------------------------------------------------------------------


def test_the_ledger_downloads_as_csv_and_xlsx(reader_client, two_problems):
    csv = reader_client.get("/api/v1/problems/", {"format": "csv", "as_of": "2023-05-04", "state": "assigned"})
    assert csv.status_code == 200
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("项目编号,项目名称,问题,类别,来源,提出日期")
    assert len(lines) == 2 and "土地未摘牌" in lines[1] and "督办" in lines[1] and ",14," in lines[1]
    xlsx = reader_client.get("/api/v1/problems/", {"format": "xlsx", "as_of": "2023-05-04"})
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book.active
    assert sheet.title == "问题台账"
    assert sheet.max_row == 3  # the header and the two problems


# --- assessments -----------------------------------------------------------------------------------------------------


def test_the_office_assesses_a_project(admin_client, reader_client, project_a):
    url = f"/api/v1/projects/{project_a.pk}/assessments/"
    response = admin_client.post(url, {"level": "red", "reason": "征迁受阻，难以按期开工", "assessed_on": "2023-05-01",
                                       "valid_until": "2023-05-20"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["level_display"] == "红灯"
    admin_client.post(url, {"level": "yellow", "reason": "征迁有进展", "assessed_on": "2023-05-10"}, format="json")
    listed = reader_client.get(url).json()
    assert [row["level"] for row in listed["results"]] == ["yellow", "red"]
    for as_of, expected in [("2023-04-30", (None, None, None, None)),
                            ("2023-05-04", ("red", "红灯", "征迁受阻，难以按期开工", "2023-05-20")),
                            ("2023-05-12", ("yellow", "黄灯", "征迁有进展", "2023-06-09")),
                            ("2023-06-10", (None, None, None, None))]:
        body = reader_client.get(f"/api/v1/projects/{project_a.pk}/", {"as_of": as_of}).json()
        assert (body["assessed_level"], body["assessed_level_display"], body["assessed_reason"],
                body["assessed_until"]) == expected, as_of
    assert "warning_level" in body


def test_projects_filter_by_the_assessed_light(reader_client, project_a, project_b):
    AssessmentFactory(project=project_a, level="red")
    AssessmentFactory(project=project_b, level="green")
    for level, expected in [("red", [project_a.pk]), ("green", [project_b.pk]), ("red,green", [project_a.pk, project_b.pk]),
                            ("yellow", [])]:
        body = reader_client.get("/api/v1/projects/", {"as_of": "2023-05-04", "assessed_level": level}).json()
        assert sorted(row["id"] for row in body["results"]) == sorted(expected), level
    assert reader_client.get("/api/v1/projects/", {"assessed_level": "blue"}).status_code == 400


@pytest.mark.parametrize("body", [
    {}, {"level": "red"}, {"level": "blue", "reason": "x"}, {"level": "red", "reason": "x", "valid_until": "2023-01-01",
                                                          "assessed_on": "2023-05-01"},
    {"level": "red", "reason": "x", "assessed_on": "2023-05-01", "valid_until": "2023-08-01"},
    {"level": "red", "reason": "x", "assessed_on": (today() + timedelta(days=1)).isoformat()},
    {"level": "red", "reason": "x", "assessed_on": "2023-02-30"}, [], "x",
])
def test_a_bad_assessment_is_400(admin_client, project_a, body):
    before = snapshot()
    response = admin_client.post(f"/api/v1/projects/{project_a.pk}/assessments/", body, format="json")
    assert response.status_code == 400, response.content
    assert snapshot() == before


# --- history ---------------------------------------------------------------------------------------------------------


def test_the_project_history_shows_problems_and_assessments(admin_client, project_a, land_bureau):
    problem = ProblemFactory(project=project_a)
    move_problem(problem, ("assigned", "2023-04-02", {"responsible_department": land_bureau,
                                                      "due_date": date(2023, 4, 20)}))
    AssessmentFactory(project=project_a)
    entries = admin_client.get(f"/api/v1/projects/{project_a.pk}/history/").json()["results"]
    kinds = [(entry["object_type"], entry["action"]) for entry in entries]
    assert ("problem", "created") in kinds and ("problem", "changed") in kinds and ("assessment", "created") in kinds
    changed = next(entry for entry in entries if entry["object_type"] == "problem" and entry["action"] == "changed")
    assert {change["field"]: change["new"] for change in changed["changes"]} == {
        "state": "assigned", "responsible_department": land_bureau.pk, "due_date": "2023-04-20",
    }
