"""GET /me/todo/ (我的待办): each role's lists on a small portfolio, the week's due day, constant queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.domain.choices import ProjectStatus
from projects.services import status_update_create
from tests.factories import (
    ApprovalItemFactory,
    MilestoneFactory,
    ProblemFactory,
    ProjectFactory,
    StatusUpdateFactory,
    VisitFactory,
    move_problem,
)

URL = "/api/v1/me/todo/"
AS_OF = date(2023, 5, 4)  # a Thursday of ISO week 2023-W18 (1–7 May); the report is due Friday 5 May
EMPTY = {"reports_due": [], "visits_due": [], "milestones": [], "approvals": [], "problems_to_answer": [],
         "problems_to_assign": []}


def brief(project) -> dict:
    return {"id": project.pk, "code": project.code, "name": project.name}


@pytest.fixture
def week(dept_a, dept_b, official_a, official_b):
    """Department A's projects A1 (unreported, visit due in a week, two milestones and an approval due)
    and A2 (reported this week, visited), A3 already in operation; department B's B1, led by official A, never visited."""
    a1 = ProjectFactory(code="EQ-A1", name="仲景医药健康产业园", department=dept_a, lead_official=official_a)
    a2 = ProjectFactory(code="EQ-A2", name="二七商业中心", department=dept_a, lead_official=official_b)
    ProjectFactory(code="EQ-A3", name="已投产项目", department=dept_a, lead_official=official_a,
                   status=ProjectStatus.OPERATING)
    b1 = ProjectFactory(code="EQ-B1", name="陇西南华府小学", department=dept_b, lead_official=official_a)
    StatusUpdateFactory(project=a2, reported_on=date(2023, 5, 2))
    StatusUpdateFactory(project=a1, reported_on=date(2023, 4, 30))  # the week before: does not count
    VisitFactory(project=a1, official=official_a, visited_on=date(2023, 4, 10))  # due 11 May
    VisitFactory(project=a2, official=official_b, visited_on=date(2023, 5, 1))
    signing = MilestoneFactory(project=a1, kind="signing", title="签约", due_date=date(2023, 4, 30))
    start = MilestoneFactory(project=a1, kind="start", title="开工", due_date=date(2023, 5, 10))
    MilestoneFactory(project=a1, kind="completion", title="竣工", due_date=date(2023, 12, 31))
    MilestoneFactory(project=a2, kind="start", title="开工", due_date=date(2023, 4, 1), completed_on=date(2023, 3, 30))
    permit = ApprovalItemFactory(project=a1, name="建设工程规划许可证", due_date=date(2023, 4, 24))
    ApprovalItemFactory(project=a1, name="施工许可证", due_date=date(2023, 6, 30))
    land = move_problem(ProblemFactory(project=a1, title="用地指标未落实", raised_on=date(2023, 4, 1)),
                        ("assigned", "2023-04-02", {"responsible_department": dept_a, "due_date": date(2023, 4, 30)}))
    power = move_problem(
        ProblemFactory(project=b1, title="电力增容", raised_on=date(2023, 4, 20), coordinating_official=official_a),
        ("assigned", "2023-04-21", {"responsible_department": dept_b, "due_date": date(2023, 5, 20)}),
    )
    road = ProblemFactory(project=b1, title="道路未通", raised_on=date(2023, 5, 3))
    return {"a1": a1, "a2": a2, "b1": b1, "signing": signing, "start": start, "permit": permit,
            "land": land, "power": power, "road": road}


def entries(week):
    a1, b1 = week["a1"], week["b1"]
    return {
        "report_a1": {"project": brief(a1), "due_on": "2023-05-05",
                      "link": f"/admin/projects/statusupdate/add/?project={a1.pk}"},
        "report_b1": {"project": brief(b1), "due_on": "2023-05-05",
                      "link": f"/admin/projects/statusupdate/add/?project={b1.pk}"},
        "milestones": [
            {"id": week["signing"].pk, "title": "签约", "due_date": "2023-04-30", "days_overdue": 4,
             "project": brief(a1), "link": f"/admin/projects/milestone/{week['signing'].pk}/change/"},
            {"id": week["start"].pk, "title": "开工", "due_date": "2023-05-10", "days_overdue": 0,
             "project": brief(a1), "link": f"/admin/projects/milestone/{week['start'].pk}/change/"},
        ],
        "approvals": [
            {"id": week["permit"].pk, "name": "建设工程规划许可证", "due_date": "2023-04-24", "days_overdue": 10,
             "project": brief(a1), "link": f"/admin/projects/approvalitem/{week['permit'].pk}/change/"},
        ],
    }


def get(client, as_of=AS_OF):
    response = client.get(URL, {"as_of": as_of.isoformat()})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_department_clerk(department_client, week):
    e = entries(week)
    land, a1 = week["land"], week["a1"]
    assert get(department_client) == {
        "as_of": "2023-05-04",
        "reports_due": [e["report_a1"]],
        "visits_due": [],
        "milestones": e["milestones"],
        "approvals": e["approvals"],
        "problems_to_answer": [
            {"id": land.pk, "title": "用地指标未落实", "due_date": "2023-04-30", "escalation_level": 1,
             "project": brief(a1), "link": f"/admin/projects/problemmove/add/?problem={land.pk}&action=answer"},
        ],
        "problems_to_assign": [],
    }


def test_a_lead_official(official_client, week):
    e = entries(week)
    a1, b1, power = week["a1"], week["b1"], week["power"]
    assert get(official_client) == {
        "as_of": "2023-05-04",
        "reports_due": [e["report_a1"], e["report_b1"]],
        "visits_due": [
            {"project": brief(b1), "last_visit_on": None, "due_on": "2023-05-04",
             "link": f"/admin/projects/visit/add/?project={b1.pk}"},
            {"project": brief(a1), "last_visit_on": "2023-04-10", "due_on": "2023-05-11",
             "link": f"/admin/projects/visit/add/?project={a1.pk}"},
        ],
        "milestones": e["milestones"],
        "approvals": e["approvals"],
        "problems_to_answer": [
            {"id": power.pk, "title": "电力增容", "due_date": "2023-05-20", "escalation_level": 0,
             "project": brief(b1), "link": f"/admin/projects/problemmove/add/?problem={power.pk}&action=answer"},
        ],
        "problems_to_assign": [],
    }


def test_the_office_assigns_and_keeps_the_dashboard_for_the_rest(admin_client, week):
    b1, road = week["b1"], week["road"]
    assert get(admin_client) == {**EMPTY, "as_of": "2023-05-04", "problems_to_assign": [
        {"id": road.pk, "title": "道路未通", "due_date": None, "escalation_level": 0,
         "project": brief(b1), "link": f"/admin/projects/problemmove/add/?problem={road.pk}&action=assign"},
    ]}


def test_a_reader_has_nothing_to_do(reader_client, week):
    assert get(reader_client) == {**EMPTY, "as_of": "2023-05-04"}


def test_anonymous_is_refused(anon_client, week):
    assert anon_client.get(URL).status_code in (401, 403)


def test_the_week_runs_monday_to_sunday_and_the_due_day_is_a_setting(department_client, week, settings):
    a1 = week["a1"]
    # Sunday: still W18, still due Friday 5 May.
    assert [r["due_on"] for r in get(department_client, date(2023, 5, 7))["reports_due"]] == ["2023-05-05"]
    # Monday: W19 begins; A2's report of 2 May no longer counts, due Friday 12 May.
    monday = get(department_client, date(2023, 5, 8))["reports_due"]
    assert [(r["project"]["code"], r["due_on"]) for r in monday] == [("EQ-A1", "2023-05-12"), ("EQ-A2", "2023-05-12")]
    # Monday 1 May, before the report of 2 May: A2 is still due.
    assert [r["project"]["code"] for r in get(department_client, date(2023, 5, 1))["reports_due"]] == ["EQ-A1", "EQ-A2"]
    settings.REPORT_DUE_WEEKDAY = 3
    assert get(department_client)["reports_due"][0] == {**entries(week)["report_a1"], "due_on": "2023-05-03"}
    assert a1.pk == get(department_client)["reports_due"][0]["project"]["id"]


def test_a_reported_project_drops_off(department_client, week):
    assert [r["project"]["code"] for r in get(department_client)["reports_due"]] == ["EQ-A1"]
    status_update_create(project=week["a1"], user=department_client.user, note="主体施工", reported_on=AS_OF)
    assert get(department_client)["reports_due"] == []


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        get(client)
    return len(queries)


@pytest.mark.parametrize("who", ["department_client", "official_client", "admin_client"])
def test_the_query_count_does_not_grow_with_the_entries(request, who, dept_a, official_a):
    client = request.getfixturevalue(who)

    def add(n):
        for _ in range(n):
            project = ProjectFactory(department=dept_a, lead_official=official_a)
            MilestoneFactory(project=project, due_date=date(2023, 4, 30))
            ApprovalItemFactory(project=project, due_date=date(2023, 4, 20))
            move_problem(ProblemFactory(project=project, coordinating_official=official_a),
                         ("assigned", "2023-04-02", {"due_date": date(2023, 4, 30)}))
            ProblemFactory(project=project)

    add(1)
    one = _queries(client)
    add(9)
    many = _queries(client)
    assert one == many
    body = get(client)
    assert sum(len(v) for k, v in body.items() if k != "as_of") >= 10
