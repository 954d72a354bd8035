"""GET /stats/summary/ and GET /reports/weekly/: the seed's figures, edge cases, query counts.

The seed portfolio is entered through the API with the admin client; every expected figure
below is a hand count over the table of projects built in `seed_portfolio`, never a value
read back from the code under test.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.domain.periods import time_progress
from projects.domain.rates import rate
from projects.models import Project
from projects.reports import stats_summary, weekly_bulletin
from tests.conftest import AS_OF
from tests.factories import (
    ApprovalItemFactory,
    DepartmentFactory,
    MilestoneFactory,
    OfficialFactory,
    ProjectBatchFactory,
    ProjectFactory,
    StatusUpdateFactory,
    UserFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/stats/summary/"
WEEKLY = "/api/v1/reports/weekly/"

CATEGORIES = ["start", "construction", "preparation"]
LEVELS = ["provincial", "municipal", "district"]
STATUSES = ["planned", "signed", "under_construction", "completed", "operating", "suspended", "cancelled"]
SECTORS = ["industry", "infrastructure", "urban_renewal", "culture_sports_education", "commerce", "housing", "other"]
WARNING_LEVELS = ["red", "yellow", "green"]
MILESTONE_STATES = ["pending", "due_soon", "overdue", "done", "done_late"]


def zeros(codes: list[str], **counts) -> dict:
    """code → count for every code, zero where not given."""
    assert set(counts) <= set(codes), set(counts) - set(codes)
    return {code: counts.get(code, 0) for code in codes}


def by_round(batches: list[dict]) -> dict:
    return {(b["period"], b["kind"]): (b["count"], b["achieved"]) for b in batches}


# --- writing through the API --------------------------------------------------------------------


class Api:
    """Posts through the admin client and insists on success."""

    def __init__(self, client):
        self.client = client
        self._codes = 0

    def post(self, path: str, body: dict, expected: int = 201) -> dict:
        response = self.client.post(path, body, format="json")
        assert response.status_code == expected, (path, body, response.content.decode())
        return response.json()

    def patch(self, path: str, body: dict) -> dict:
        response = self.client.patch(path, body, format="json")
        assert response.status_code == 200, (path, body, response.content.decode())
        return response.json()

    def department(self, code: str, name: str) -> dict:
        return self.post("/api/v1/departments/", {"code": code, "name": name})

    def official(self, name: str, department: dict) -> dict:
        return self.post("/api/v1/officials/", {"name": name, "title": "副区长", "department": department["id"]})

    def project(self, *, department: dict, official: dict, **fields) -> dict:
        self._codes += 1
        body = {
            "code": f"EQ2023-{self._codes:03d}", "name": f"重点项目{self._codes}号", "year": 2023,
            "category": "construction", "level": "municipal", "sector": "industry", "zone": "二七经开区",
            "status": "planned", "total_investment": "500000.00", "annual_plan_investment": "0.00",
            "completed_investment": "0.00", "owner": "郑州市二七区建设投资有限公司",
            "department": department["id"], "lead_official": official["id"],
        }
        body.update(fields)
        return self.post("/api/v1/projects/", body)

    def report(self, project: dict, reported_on: str, **fields) -> dict:
        body = {"note": "本周进展顺利", "reported_on": reported_on, **fields}
        return self.post(f"/api/v1/projects/{project['id']}/status-updates/", body)

    def milestone(self, project: dict, kind: str, title: str, **fields) -> dict:
        return self.post("/api/v1/milestones/", {"project": project["id"], "kind": kind, "title": title, **fields})

    def complete(self, milestone: dict, completed_on: str) -> dict:
        return self.patch(f"/api/v1/milestones/{milestone['id']}/", {"completed_on": completed_on})

    def visit(self, project: dict, visited_on: str) -> dict:
        return self.post("/api/v1/visits/", {"project": project["id"], "visited_on": visited_on, "kind": "survey"})

    def approval(self, project: dict, department: dict, completed_on: str | None, n: int) -> dict:
        return self.post("/api/v1/approvals/", {
            "project": project["id"], "name": f"建设工程规划许可证{n}", "department": department["id"],
            "mode": "parallel", "due_date": "2023-06-30", "completed_on": completed_on,
        })

    def summary(self, **params) -> dict:
        response = self.client.get(SUMMARY, params)
        assert response.status_code == 200, response.content.decode()
        return response.json()


@pytest.fixture
def api(admin_client) -> Api:
    return Api(admin_client)


# --- the seed's portfolio -------------------------------------------------------------------------
#
# 46 provincial/municipal projects of 2023, indexed 0..45:
#   category   start 0..16 (17), construction 17..36 (20), preparation 37..45 (9)
#   level      provincial when i % 3 == 0 (16), municipal otherwise (30)
#   sector     industry 0..19, infrastructure 20..29, urban_renewal 30..35, culture_sports_education
#              36..40, housing 41..45 (commerce and other: none)
#   department fgw 0..15, jsj 16..30, jyj 31..45
#   status     start: under_construction 0..7, completed 8..9, operating 10, planned 11..13,
#              signed 14..15, suspended 16 (from signed)      → 11 of 17 started
#              construction: operating 17..21, under_construction 22..36
#              preparation: signed 37, cancelled 44, planned 38..43 and 45
#   investment plan / completed (万元): R = 31..34: 59375 / 1250 (lag 31.9 → red);
#              Y = 11, 12, 35, 36, 39, 40: 100000 / 10000 (lag 24.0 → yellow); the other 36:
#              80000 / 30000 (ahead). Σ plan = 36×80000 + 6×100000 + 4×59375 = 3717500.00,
#              Σ completed = 36×30000 + 6×10000 + 4×1250 = 1145000.00 → 30.8 (time progress 34.0).
#   batches    第7期: signing 37; starting 0..5; commissioning 10, 17..21, 22, 23 → 15, all achieved.
#              第8期: starting 7 (started 04-10), 11, 12 (open), 13 (start done 06-01, after as_of) → 4, 1.
#   milestones (33): start "二季度实质性开工" 2023-Q2 on 0..16 (0..10 done by their status update on
#              04-10); commissioning 2023-Q4 on 10 (done 04-10) and 2023-Q2 on 17..21 (done 04-25);
#              22 commissioning due 04-15 done 04-28 (done_late); 23 commissioning due 04-30 done 04-28;
#              24 other 2023-03 open (34 days overdue → yellow); 25 other 2023-01-15 open (109 days
#              → red); 26 other due 05-10 (due_soon); 27 other due 04-30 completed 05-10 (after
#              as_of: overdue → yellow); 37 signing 2023-04 (done by its status update 04-20);
#              38 signing due 05-04 = as_of (due_soon, not overdue); 45 commissioning, no deadline.
#              → done 19, done_late 1, overdue 3, due_soon 2, pending 7 (11..16 start, 45).
#   visits     active = 46 − operating (10, 17..21) − cancelled (44) = 39. None on 30..36 (30 has one
#              on 05-10, after as_of), 28 on 04-02 (32 days: overdue), 29 on 04-03 (31 days: not),
#              04-20 on the others → overdue 8, compliance 31/39 = 79.5.
#   approvals  3 each on 0..21, 2 each on 22..45 = 114; open: the first of 40..45 (6); completed on
#              05-20 (after as_of): the first of 37..39 (3); done 105 → 92.1.
#   warning    red 25, 31..34 (5); yellow 11, 12, 24, 27, 28, 30, 35, 36, 39, 40 (10); green 31.
# Plus two projects the summary must leave out: a district project and a provincial one of 2022.

R_GROUP = {31, 32, 33, 34}
Y_GROUP = {11, 12, 35, 36, 39, 40}


def _seed_category(i: int) -> str:
    return "start" if i < 17 else "construction" if i < 37 else "preparation"


def _seed_sector(i: int) -> str:
    for bound, sector in [(20, "industry"), (30, "infrastructure"), (36, "urban_renewal"),
                          (41, "culture_sports_education")]:
        if i < bound:
            return sector
    return "housing"


def _seed_batches(i: int) -> list[dict]:
    batches = []
    if i == 37:
        batches.append({"period": 7, "kind": "signing"})
    if i <= 5:
        batches.append({"period": 7, "kind": "starting"})
    if i in (10, 17, 18, 19, 20, 21, 22, 23):
        batches.append({"period": 7, "kind": "commissioning"})
    if i in (7, 11, 12, 13):
        batches.append({"period": 8, "kind": "starting"})
    return batches


def _seed_money(i: int) -> tuple[str, str]:
    if i in R_GROUP:
        return "59375.00", "1250.00"
    if i in Y_GROUP:
        return "100000.00", "10000.00"
    return "80000.00", "30000.00"


def seed_portfolio(api: Api) -> dict:
    """The meeting's portfolio, entered through the API. Returns departments and projects."""
    depts = {code: api.department(code, name) for code, name in
             [("fgw", "发展改革委"), ("jsj", "住房城乡建设局"), ("jyj", "教育局")]}
    officials = {code: api.official(f"{dept['name']}分包领导", dept) for code, dept in depts.items()}
    projects = []
    for i in range(46):
        dept = "fgw" if i < 16 else "jsj" if i < 31 else "jyj"
        plan, _ = _seed_money(i)
        category = _seed_category(i)
        projects.append(api.project(
            department=depts[dept], official=officials[dept], name=f"二七区重点项目{i:02d}（仲景医药健康产业园）",
            category=category, level="provincial" if i % 3 == 0 else "municipal", sector=_seed_sector(i),
            status="under_construction" if category == "construction" else "planned",
            annual_plan_investment=plan, batches=_seed_batches(i),
        ))
    p = projects

    # Milestones, before the status updates that complete some of them.
    start_ms = {i: api.milestone(p[i], "start", "二季度实质性开工", due_period="2023-Q2") for i in range(17)}
    api.milestone(p[10], "commissioning", "年内投产", due_period="2023-Q4")
    for i in range(17, 22):
        api.milestone(p[i], "commissioning", "二季度投产", due_period="2023-Q2")
    late = api.milestone(p[22], "commissioning", "一期投产", due_date="2023-04-15")
    on_time = api.milestone(p[23], "commissioning", "一期投产", due_date="2023-04-30")
    api.milestone(p[24], "other", "完成征迁", due_period="2023-03")
    api.milestone(p[25], "other", "完成土地挂牌", due_period="2023-01-15")
    api.milestone(p[26], "other", "完成方案审查", due_date="2023-05-10")
    after = api.milestone(p[27], "other", "完成施工招标", due_date="2023-04-30")
    api.milestone(p[37], "signing", "四月签约", due_period="2023-04")
    api.milestone(p[38], "signing", "五月四日前签约", due_period="2023-05-04")
    api.milestone(p[45], "commissioning", "早日投产")

    # Status updates: status and cumulative investment move only through them.
    for i in range(46):
        _, completed = _seed_money(i)
        if i <= 7:
            api.report(p[i], "2023-04-10", status="under_construction", completed_investment=completed)
        elif i in (8, 9):
            api.report(p[i], "2023-04-10", status="completed", completed_investment=completed)
        elif i == 10:
            api.report(p[i], "2023-04-10", status="operating", completed_investment=completed)
        elif i in (14, 15):
            api.report(p[i], "2023-04-10", status="signed", completed_investment=completed)
        elif i == 16:
            api.report(p[i], "2023-04-10", status="signed", completed_investment=completed)
            api.report(p[i], "2023-04-20", status="suspended", problems="资金未到位")
        elif 17 <= i <= 21:
            api.report(p[i], "2023-04-25", status="operating", completed_investment=completed)
        elif i == 37:
            api.report(p[i], "2023-04-20", status="signed", completed_investment=completed)
        elif i == 44:
            api.report(p[i], "2023-04-10", completed_investment=completed)
            api.report(p[i], "2023-04-20", status="cancelled")
        else:
            api.report(p[i], "2023-04-25" if i >= 17 else "2023-04-10", completed_investment=completed)

    api.complete(late, "2023-04-28")
    api.complete(on_time, "2023-04-28")
    api.complete(after, "2023-05-10")
    api.complete(start_ms[13], "2023-06-01")

    active = [i for i in range(46) if i not in (10, 17, 18, 19, 20, 21, 44)]
    for i in active:
        if 30 <= i <= 36:
            continue
        api.visit(p[i], {28: "2023-04-02", 29: "2023-04-03"}.get(i, "2023-04-20"))
    api.visit(p[30], "2023-05-10")

    n = 0
    for i in range(46):
        for k in range(3 if i < 22 else 2):
            n += 1
            completed_on = "2023-04-01"
            if k == 0 and 40 <= i <= 45:
                completed_on = None
            elif k == 0 and 37 <= i <= 39:
                completed_on = "2023-05-20"
            api.approval(p[i], depts["fgw"], completed_on, n)

    # Two projects the summary leaves out: a district project, and a provincial one of 2022.
    for extra in (
        api.project(department=depts["fgw"], official=officials["fgw"], level="district", category="start",
                    annual_plan_investment="100000.00", batches=[{"period": 7, "kind": "starting"}]),
        api.project(department=depts["fgw"], official=officials["fgw"], level="provincial", year=2022,
                    category="start", annual_plan_investment="12345.00",
                    batches=[{"period": 7, "kind": "commissioning"}]),
    ):
        api.milestone(extra, "start", "开工", due_period="2023-Q1")
        api.report(extra, "2023-04-10", status="under_construction", completed_investment="50000.00")
        api.milestone(extra, "other", "逾期节点", due_date="2023-01-01")
        api.approval(extra, depts["jsj"], None, 900 + extra["id"])
        api.approval(extra, depts["jsj"], "2023-04-01", 950 + extra["id"])
        api.visit(extra, "2023-01-01")
    return {"departments": depts, "projects": projects}


def test_summary_reproduces_the_seed_figures(api):
    seed = seed_portfolio(api)

    body = api.summary(as_of="2023-05-04", level="provincial,municipal")

    assert body["as_of"] == "2023-05-04"
    assert body["year"] == 2023
    assert body["project_count"] == 46
    assert body["by_category"] == zeros(CATEGORIES, start=17, construction=20, preparation=9)
    assert body["by_level"] == zeros(LEVELS, provincial=16, municipal=30)
    assert body["by_status"] == zeros(
        STATUSES, planned=10, signed=3, under_construction=23, completed=2, operating=6, suspended=1, cancelled=1,
    )
    assert body["by_sector"] == zeros(
        SECTORS, industry=20, infrastructure=10, urban_renewal=6, culture_sports_education=5, housing=5,
    )
    assert body["by_warning_level"] == zeros(WARNING_LEVELS, red=5, yellow=10, green=31)
    # 114.5亿 done of 371.75亿 planned; 1 January is day 1, so 4 May is day 124 of 365 → 34.0.
    assert body["investment"] == {
        "annual_plan": "3717500.00", "completed": "1145000.00", "completion_rate": 30.8,
        "time_progress": 34.0, "ahead_of_time": False,
    }
    assert body["start_rate"] == {"target": 17, "started": 11, "rate": 64.7}
    assert body["milestones"] == zeros(MILESTONE_STATES, done=19, done_late=1, overdue=3, due_soon=2, pending=7)
    # The seed's "联审联批 92%" is this 92.1 rounded to an integer.
    assert body["approvals"] == {"total": 114, "done": 105, "rate": 92.1}
    assert body["visits"] == {"active_projects": 39, "overdue": 8, "compliance_rate": 79.5}
    assert by_round(body["batches"]) == {
        (7, "signing"): (1, 1), (7, "starting"): (6, 6), (7, "commissioning"): (8, 8),
        (8, "starting"): (4, 1),
    }
    assert sum(b["count"] for b in body["batches"] if b["period"] == 7) == 15
    assert {(b["kind"], b["kind_display"]) for b in body["batches"]} == {
        ("signing", "签约一批"), ("starting", "开工一批"), ("commissioning", "投产一批"),
    }
    assert [b["period"] for b in body["batches"]] == sorted(b["period"] for b in body["batches"])

    # A later as_of: 13's start (06-01) and the three approvals of 05-20 now count; the
    # amounts are the current ones, the time progress moves on.
    later = api.summary(as_of="2023-06-10", level="provincial,municipal")
    assert later["approvals"] == {"total": 114, "done": 108, "rate": 94.7}
    assert by_round(later["batches"])[(8, "starting")] == (4, 2)
    assert later["investment"]["completed"] == "1145000.00"
    assert later["investment"]["time_progress"] == 44.1  # 161 / 365

    # One department of it (the seed is built once: entering it through the API takes a while).
    jyj = seed["departments"]["jyj"]

    by_code = api.summary(as_of="2023-05-04", level="provincial,municipal", department="jyj")
    by_id = api.summary(as_of="2023-05-04", level="provincial,municipal", department=str(jyj["id"]))

    assert by_code == by_id
    # jyj holds 31..45: construction 31..36, preparation 37..45.
    assert by_code["project_count"] == 15
    assert by_code["by_category"] == zeros(CATEGORIES, construction=6, preparation=9)
    assert by_code["by_status"] == zeros(STATUSES, under_construction=6, signed=1, planned=7, cancelled=1)
    # plan: R 31..34 4×59375, Y 35, 36, 39, 40 4×100000, the other 7 × 80000.
    assert by_code["investment"]["annual_plan"] == "1197500.00"
    assert by_code["investment"]["completed"] == "255000.00"  # 4×1250 + 4×10000 + 7×30000
    assert by_code["investment"]["completion_rate"] == 21.3  # 255000 / 1197500 = 21.294…
    assert by_code["start_rate"] == {"target": 0, "started": 0, "rate": None}
    assert by_code["approvals"] == {"total": 30, "done": 21, "rate": 70.0}
    assert by_code["visits"] == {"active_projects": 14, "overdue": 6, "compliance_rate": 57.1}
    assert by_code["by_warning_level"] == zeros(WARNING_LEVELS, red=4, yellow=4, green=7)
    assert by_round(by_code["batches"]) == {(7, "signing"): (1, 1)}


# --- edge cases -------------------------------------------------------------------------------------


def test_empty_set_gives_null_rates_and_zero_counts(admin_client):
    response = admin_client.get(SUMMARY, {"as_of": "2023-05-04"})

    assert response.status_code == 200
    body = response.json()
    assert body["project_count"] == 0
    assert body["by_category"] == zeros(CATEGORIES)
    assert body["by_level"] == zeros(LEVELS)
    assert body["by_status"] == zeros(STATUSES)
    assert body["by_sector"] == zeros(SECTORS)
    assert body["by_warning_level"] == zeros(WARNING_LEVELS)
    assert body["investment"] == {
        "annual_plan": "0.00", "completed": "0.00", "completion_rate": None, "time_progress": 34.0,
        "ahead_of_time": None,
    }
    assert body["start_rate"] == {"target": 0, "started": 0, "rate": None}
    assert body["milestones"] == zeros(MILESTONE_STATES)
    assert body["approvals"] == {"total": 0, "done": 0, "rate": None}
    assert body["visits"] == {"active_projects": 0, "overdue": 0, "compliance_rate": None}
    assert body["batches"] == []


def test_filter_matching_nothing_is_an_empty_set(admin_client, project_a):
    body = admin_client.get(SUMMARY, {"as_of": "2023-05-04", "status": "cancelled"}).json()

    assert body["project_count"] == 0
    assert body["investment"]["completion_rate"] is None
    assert body["investment"]["annual_plan"] == "0.00"


def test_projects_with_zero_annual_plan_give_a_null_completion_rate(admin_client):
    ProjectFactory(annual_plan_investment=Decimal("0.00"))

    body = admin_client.get(SUMMARY, {"as_of": "2023-05-04"}).json()

    assert body["project_count"] == 1
    assert body["investment"]["completion_rate"] is None
    assert body["investment"]["ahead_of_time"] is None


@pytest.mark.parametrize("year, as_of, time_progress", [
    ("2022", "2023-05-04", 100.0),  # a year before as_of's: over
    ("2024", "2023-05-04", 0.0),  # a later year: not begun
    ("2023", "2023-05-04", 34.0),
    ("2023", "2023-12-31", 100.0),
    ("2023", "2023-01-01", 0.3),  # 1 / 365
])
def test_year_filter_sets_the_year_of_time_progress(admin_client, year, as_of, time_progress):
    for y in (2022, 2023, 2024):
        ProjectFactory(year=y, annual_plan_investment=Decimal("100.00"), completed_investment=Decimal(y - 2020))

    body = admin_client.get(SUMMARY, {"as_of": as_of, "year": year}).json()

    assert body["year"] == int(year)
    assert body["project_count"] == 1
    assert body["investment"]["time_progress"] == time_progress
    assert body["investment"]["completed"] == f"{int(year) - 2020}.00"


def test_no_year_means_as_of_year_and_only_its_projects(admin_client):
    ProjectFactory(year=2022, annual_plan_investment=Decimal("1000.00"))
    ProjectFactory(year=2023, annual_plan_investment=Decimal("200.00"))
    ProjectFactory(year=2023, annual_plan_investment=Decimal("300.00"))
    ProjectFactory(year=2024, annual_plan_investment=Decimal("4000.00"))

    body = admin_client.get(SUMMARY, {"as_of": "2023-05-04"}).json()
    assert body["year"] == 2023
    assert body["project_count"] == 2
    assert body["investment"]["annual_plan"] == "500.00"
    assert body["investment"]["time_progress"] == 34.0

    body = admin_client.get(SUMMARY, {"as_of": "2024-02-29"}).json()
    assert body["year"] == 2024
    assert body["project_count"] == 1
    assert body["investment"]["annual_plan"] == "4000.00"


@pytest.mark.parametrize("query", ["year=2022,2023", "year=2022&year=2023"])
def test_two_years_is_400(admin_client, query):
    response = admin_client.get(f"{SUMMARY}?as_of=2023-05-04&{query}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "year" in response.json()


@pytest.mark.parametrize("as_of, expected", [
    (date(2024, 12, 31), 100.0),
    (date(2024, 2, 29), 16.4),  # 60 / 366 = 16.39…
    (date(2024, 3, 1), 16.7),  # 61 / 366 = 16.67…
    (date(2024, 1, 1), 0.3),  # 1 / 366
    (date(2023, 5, 4), 34.0),  # 124 / 365
    (date(2023, 3, 1), 16.4),  # 60 / 365 = 16.44…
    (date(2023, 12, 31), 100.0),
    (date(2000, 12, 31), 100.0),  # a leap year divisible by 400
    (date(2100, 3, 1), 16.4),  # 2100 is not a leap year: 60 / 365
])
def test_time_progress_in_leap_and_common_years(admin_client, as_of, expected):
    assert time_progress(as_of, as_of.year) == expected

    body = admin_client.get(SUMMARY, {"as_of": as_of.isoformat()}).json()
    assert body["investment"]["time_progress"] == expected
    project = ProjectFactory(year=as_of.year)  # the flags' time progress is the same number
    assert Project.objects.with_flags(as_of).get(pk=project.pk).time_progress == expected


def test_time_progress_of_other_years_is_0_or_100():
    assert time_progress(date(2024, 2, 29), 2023) == 100.0
    assert time_progress(date(2024, 2, 29), 2025) == 0.0


@pytest.mark.parametrize("numerator, denominator, expected", [
    (1, 8, 12.5),
    (1, 3, 33.3),
    (2, 3, 66.7),
    (1, 16, 6.3),  # 6.25: half up, not to even (6.2)
    (3, 16, 18.8),  # 18.75
    (1, 80, 1.3),  # 1.25
    (Decimal("1.15"), Decimal("100.00"), 1.2),  # 1.15 % — float arithmetic would give 1.1
    (Decimal("1145000.00"), Decimal("3717500.00"), 30.8),
    (11, 17, 64.7),
    (105, 114, 92.1),
    (0, 5, 0.0),
    (5, 5, 100.0),
    (0, 0, None),
    (3, 0, None),
    (Decimal("0"), Decimal("0.00"), None),
])
def test_rate_rounds_half_up_to_one_decimal(numerator, denominator, expected):
    assert rate(numerator, denominator) == expected


def test_rates_round_half_up_through_http(admin_client):
    # 16 开工类 projects, one of them started: 6.25 → 6.3.
    for i in range(16):
        ProjectFactory(
            category="start", status="under_construction" if i == 0 else "planned",
            annual_plan_investment=Decimal("100.00") if i == 0 else Decimal("0.00"),
            completed_investment=Decimal("1.15") if i == 0 else Decimal("0.00"),
        )
    projects = list(Project.objects.all())
    for i, project in enumerate(projects):
        ApprovalItemFactory(project=project, completed_on=date(2023, 4, 1) if i == 0 else None)

    body = admin_client.get(SUMMARY, {"as_of": "2023-05-04"}).json()

    assert body["start_rate"] == {"target": 16, "started": 1, "rate": 6.3}
    assert body["approvals"] == {"total": 16, "done": 1, "rate": 6.3}
    assert body["investment"]["completion_rate"] == 1.2  # 1.15 of 100.00: half up
    assert body["investment"]["ahead_of_time"] is False


def test_suspended_and_cancelled_projects(admin_client):
    """Both count in by_status; cancelled and operating are not active, and are green."""
    overdue = {"due_date": date(2022, 12, 1)}  # > 90 days overdue on 4 May: red if active
    lagging = {"annual_plan_investment": Decimal("1000.00"), "completed_investment": Decimal("0.00")}
    suspended = ProjectFactory(category="start", status="suspended", suspended_from="signed", **lagging)
    cancelled = ProjectFactory(category="start", status="cancelled", **lagging)
    operating = ProjectFactory(category="start", status="operating", **lagging)
    completed = ProjectFactory(category="start", status="completed")
    building = ProjectFactory(category="start", status="under_construction")
    for project in (suspended, cancelled, operating):
        MilestoneFactory(project=project, kind="other", **overdue)
    for project in (completed, building):
        VisitFactory(project=project, visited_on=date(2023, 5, 1))

    body = admin_client.get(SUMMARY, {"as_of": "2023-05-04"}).json()

    assert body["project_count"] == 5
    assert body["by_status"] == zeros(
        STATUSES, suspended=1, cancelled=1, operating=1, completed=1, under_construction=1,
    )
    # Active: suspended, completed, under_construction; the suspended one has never been visited.
    assert body["visits"] == {"active_projects": 3, "overdue": 1, "compliance_rate": 66.7}
    # The suspended project is red (its milestone and its lag); cancelled and operating are green.
    assert body["by_warning_level"] == zeros(WARNING_LEVELS, red=1, green=4)
    # Started: completed, operating and under_construction; not suspended (from signed), not cancelled.
    assert body["start_rate"] == {"target": 5, "started": 3, "rate": 60.0}


def test_as_of_rule_for_milestones_approvals_visits_and_batches(admin_client):
    """Dated events count only up to as_of: a completion after it leaves the item open that day."""
    project = ProjectFactory(category="start", status="under_construction")
    ProjectBatchFactory(project=project, period=7, kind="starting")
    MilestoneFactory(project=project, kind="start", due_date=date(2023, 4, 30), completed_on=date(2023, 5, 10))
    ApprovalItemFactory(project=project, completed_on=date(2023, 5, 10))
    VisitFactory(project=project, visited_on=date(2023, 5, 10))
    on_the_day = ProjectFactory(category="start", status="under_construction")
    ProjectBatchFactory(project=on_the_day, period=7, kind="starting")
    MilestoneFactory(project=on_the_day, kind="start", due_date=date(2023, 4, 30), completed_on=date(2023, 5, 4))
    ApprovalItemFactory(project=on_the_day, completed_on=date(2023, 5, 4))
    VisitFactory(project=on_the_day, visited_on=date(2023, 5, 4))

    before = admin_client.get(SUMMARY, {"as_of": "2023-05-04"}).json()
    assert before["milestones"] == zeros(MILESTONE_STATES, overdue=1, done_late=1)
    assert before["approvals"] == {"total": 2, "done": 1, "rate": 50.0}
    assert before["visits"] == {"active_projects": 2, "overdue": 1, "compliance_rate": 50.0}
    assert before["batches"] == [
        {"period": 7, "kind": "starting", "kind_display": "开工一批", "count": 2, "achieved": 1},
    ]
    assert before["by_warning_level"] == zeros(WARNING_LEVELS, yellow=1, green=1)

    after = admin_client.get(SUMMARY, {"as_of": "2023-05-10"}).json()
    assert after["milestones"] == zeros(MILESTONE_STATES, done_late=2)
    assert after["approvals"] == {"total": 2, "done": 2, "rate": 100.0}
    assert after["visits"] == {"active_projects": 2, "overdue": 0, "compliance_rate": 100.0}
    assert after["batches"][0]["achieved"] == 2


def test_batch_needs_the_milestone_of_its_own_kind(admin_client):
    signing = ProjectFactory(status="signed")
    ProjectBatchFactory(project=signing, period=7, kind="signing")
    MilestoneFactory(project=signing, kind="start", due_date=date(2023, 6, 30), completed_on=date(2023, 4, 1))
    commissioning = ProjectFactory(status="operating")
    ProjectBatchFactory(project=commissioning, period=7, kind="commissioning")
    MilestoneFactory(project=commissioning, kind="commissioning", due_date=None, due_period="",
                     completed_on=date(2023, 4, 1))
    no_milestone = ProjectFactory()
    ProjectBatchFactory(project=no_milestone, period=7, kind="starting")

    body = admin_client.get(SUMMARY, {"as_of": "2023-05-04"}).json()

    assert by_round(body["batches"]) == {
        (7, "signing"): (1, 0), (7, "commissioning"): (1, 1), (7, "starting"): (1, 0),
    }


@pytest.fixture
def filter_world(dept_a, dept_b):
    """Four projects differing in department, category, status, sector, level and warning level."""
    red = ProjectFactory(department=dept_a, category="start", status="under_construction", sector="industry",
                         level="provincial", annual_plan_investment=Decimal("100.00"), zone="二七经开区")
    ProjectBatchFactory(project=red, period=7, kind="starting")
    MilestoneFactory(project=red, kind="start", due_date=date(2023, 6, 30))
    VisitFactory(project=red, visited_on=date(2023, 5, 1))
    yellow = ProjectFactory(department=dept_a, category="construction", status="under_construction",
                            sector="housing", level="municipal", zone="二七商圈")
    MilestoneFactory(project=yellow, kind="other", due_date=date(2023, 4, 30))
    VisitFactory(project=yellow, visited_on=date(2023, 5, 1))
    green = ProjectFactory(department=dept_b, category="preparation", status="planned", sector="industry",
                           level="district")
    VisitFactory(project=green, visited_on=date(2023, 5, 1))
    operating = ProjectFactory(department=dept_b, category="construction", status="operating", sector="commerce",
                               level="municipal")
    return {"red": red, "yellow": yellow, "green": green, "operating": operating}


@pytest.mark.parametrize("params, expected", [
    ({"department": "fgw"}, {"red", "yellow"}),
    ({"department": "fgw,jyj"}, {"red", "yellow", "green", "operating"}),
    ({"category": "construction"}, {"yellow", "operating"}),
    ({"status": "planned,operating"}, {"green", "operating"}),
    ({"sector": "industry"}, {"red", "green"}),
    ({"level": "municipal"}, {"yellow", "operating"}),
    ({"warning_level": "red"}, {"red"}),
    ({"warning_level": "green"}, {"green", "operating"}),
    ({"is_overdue": "true"}, {"yellow"}),
    ({"batch": "starting"}, {"red"}),
    ({"batch_period": "7"}, {"red"}),
    ({"zone": "二七商圈"}, {"yellow"}),
    ({"search": "EQ2023"}, {"red", "yellow", "green", "operating"}),
])
def test_summary_applies_the_project_filters(admin_client, filter_world, params, expected):
    body = admin_client.get(SUMMARY, {"as_of": "2023-05-04", **params}).json()

    assert body["project_count"] == len(expected)
    levels = {"red": "red", "yellow": "yellow", "green": "green", "operating": "green"}
    assert body["by_warning_level"] == zeros(
        WARNING_LEVELS, **{level: sum(1 for name in expected if levels[name] == level) for level in WARNING_LEVELS},
    )
    starting = 1 if "red" in expected else 0
    assert body["start_rate"]["target"] == starting


def test_summary_filter_by_department_id(admin_client, filter_world, dept_b):
    body = admin_client.get(SUMMARY, {"as_of": "2023-05-04", "department": dept_b.pk}).json()
    assert body["project_count"] == 2


@pytest.mark.parametrize("params, key", [
    ({"as_of": "2023-13-01"}, "as_of"),
    ({"as_of": "yesterday"}, "as_of"),
    ({"status": "bogus"}, "status"),
    ({"category": "start,nope"}, "category"),
    ({"warning_level": "purple"}, "warning_level"),
    ({"is_overdue": "maybe"}, "is_overdue"),
    ({"year": "abc"}, "year"),
    ({"year": "1999"}, "year"),
    ({"due_period": "2023-Q5"}, "due_period"),
    ({"lead_official": "x"}, "lead_official"),
])
def test_bad_as_of_or_filter_is_400_json(admin_client, params, key):
    response = admin_client.get(SUMMARY, {"as_of": "2023-05-04", **params})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert key in response.json()


# --- query counts -----------------------------------------------------------------------------------


def _busy_projects(n: int) -> None:
    """`n` projects, each with milestones, visits, approvals, batches and status updates."""
    departments = [DepartmentFactory(code=f"dept_q{i}") for i in range(3)]
    reporter = UserFactory(username="reporter")
    for i in range(n):
        department = departments[i % 3]
        project = ProjectFactory(
            department=department, lead_official=OfficialFactory(department=department),
            category=["start", "construction", "preparation"][i % 3], level=["provincial", "municipal"][i % 2],
            annual_plan_investment=Decimal("1000.00"), completed_investment=Decimal(10 * i),
        )
        ProjectBatchFactory(project=project, period=7, kind=["signing", "starting", "commissioning"][i % 3])
        MilestoneFactory(project=project, kind="start", due_date=date(2023, 5, 7), completed_on=date(2023, 5, 9))
        MilestoneFactory(project=project, kind="commissioning", due_date=date(2023, 5, 10))
        MilestoneFactory(project=project, kind="other", due_date=date(2023, 1, 31))
        VisitFactory(project=project, visited_on=date(2023, 5, 8))
        ApprovalItemFactory(project=project, department=department, completed_on=date(2023, 5, 2))
        ApprovalItemFactory(project=project, department=department)
        StatusUpdateFactory(project=project, reported_on=date(2023, 5, 9), reported_by=reporter)
        StatusUpdateFactory(project=project, reported_on=date(2023, 5, 2), reported_by=reporter)


def _count_queries(client, path: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, params)
    assert response.status_code == 200, response.content[:500]
    return len(context.captured_queries)


@pytest.mark.parametrize("path, params", [
    (SUMMARY, {"as_of": "2023-05-14"}),
    (SUMMARY, {"as_of": "2023-05-14", "department": "dept_q0", "level": "provincial,municipal"}),
    (WEEKLY, {"as_of": "2023-05-14", "week": "2023-W19"}),
    (WEEKLY, {"as_of": "2023-05-14", "week": "2023-W19", "format": "csv"}),
    (WEEKLY, {"as_of": "2023-05-14", "week": "2023-W19", "format": "xlsx"}),
])
def test_report_query_count_does_not_grow_with_the_portfolio(admin_client, path, params):
    _busy_projects(1)
    admin_client.get(path, params)  # warm up anything cached per process (content types etc.)
    one = _count_queries(admin_client, path, params)

    _busy_projects(19)
    twenty = _count_queries(admin_client, path, params)

    assert twenty == one
    # A handful of aggregate queries: 4 for the summary (and one that checks a named department
    # exists); for the bulletin its 8 tables, the week's problems (one aggregate, the escalated list)
    # and the lights that differ; a download adds the 问题台账 sheet (the problems and their moves).
    assert one <= {SUMMARY: 5, WEEKLY: 11}[path] + (2 if "format" in params else 0), one


# --- the weekly bulletin ----------------------------------------------------------------------------
#
# Week 2023-W19 runs from Monday 8 May to Sunday 14 May; the bulletin is read on Sunday (as_of 05-14).
#   fgw  A under_construction: reports 05-07 (W18), 05-08 (Monday), 05-15 (W20).
#          m1 due 05-07, open (overdue from 05-08: in); a1 due 06-30 done 05-07 (W18: not completed in week)
#        B under_construction, plan 10000: report 05-14 (Sunday) with completed 500 → lag 36.7 − 5 > 30: red.
#          m4 due 05-10 done 05-09 (completed, never overdue); m8 due 06-30 done 05-14 (completed)
#        F planned, no report.  m3 due 05-14 open (overdue only from 05-15: not); m6 due 05-06 open
#          (overdue from 05-07, in W18: not)
#   jsj  C under_construction: report 05-01 (W18). m2 due 05-13 open (in); m5 due 05-10 done 05-12
#          (late: completed and became overdue); m10 due 01-31 open (103 days overdue: red)
#        D operating, plan 10000, nothing done: green all the same. No report.
#        E cancelled by its report of 05-02. No report in the week.
#        G under_construction: report 05-10. g1 due 05-20 done 05-15 (after as_of: not completed yet)
# Department table: fgw 3 projects, 2 updated (A, B), 2 overdue (A, F), 1 red (B);
#                   jsj 4 projects, 1 updated (G), 1 overdue (C), 1 red (C).


@pytest.fixture
def week(api) -> dict:
    fgw, jsj = api.department("fgw", "发展改革委"), api.department("jsj", "住房城乡建设局")
    leads = {"fgw": api.official("王一", fgw), "jsj": api.official("李二", jsj)}

    def project(name, dept, status, plan="0.00"):
        return api.project(department=dept, official=leads[dept["code"]], name=name, status=status,
                           annual_plan_investment=plan)

    p = {
        "A": project("仲景医药健康产业园", fgw, "under_construction"),
        "B": project("二七万达广场", fgw, "under_construction", "10000.00"),
        "F": project("陇西南华府小学", fgw, "planned"),
        "C": project("马寨镇安置房", jsj, "under_construction"),
        "D": project("富士康配套产业园", jsj, "operating", "10000.00"),
        "E": project("樱桃沟文旅小镇", jsj, "planned"),
        "G": project("京广路地下综合管廊", jsj, "under_construction"),
    }
    m = {}
    for key, code, due, done in [
        ("m1", "A", "2023-05-07", None), ("a1", "A", "2023-06-30", "2023-05-07"),
        ("m4", "B", "2023-05-10", "2023-05-09"), ("m8", "B", "2023-06-30", "2023-05-14"),
        ("m3", "F", "2023-05-14", None), ("m6", "F", "2023-05-06", None),
        ("m2", "C", "2023-05-13", None), ("m5", "C", "2023-05-10", "2023-05-12"), ("m10", "C", "2023-01-31", None),
        ("g1", "G", "2023-05-20", "2023-05-15"),
    ]:
        m[key] = api.milestone(p[code], "other", f"节点{key}（主体封顶）", due_date=due, completed_on=done)
    r = {
        "A18": api.report(p["A"], "2023-05-07"),
        "A19": api.report(p["A"], "2023-05-08", note="主体结构施工，完成投资稳步推进"),
        "A20": api.report(p["A"], "2023-05-15"),
        "B19": api.report(p["B"], "2023-05-14", completed_investment="500.00", problems="资金到位慢"),
        "C18": api.report(p["C"], "2023-05-01"),
        "E18": api.report(p["E"], "2023-05-02", status="cancelled"),
        "G19": api.report(p["G"], "2023-05-10"),
    }
    return {"departments": {"fgw": fgw, "jsj": jsj}, "projects": p, "milestones": m, "reports": r}


def bulletin(client, **params) -> dict:
    response = client.get(WEEKLY, {"as_of": "2023-05-14", "week": "2023-W19", **params})
    assert response.status_code == 200, response.content.decode()
    return response.json()


def _ids(rows) -> list[int]:
    return [row["id"] for row in rows]


def _table(body) -> dict:
    return {row["department"]["code"]: (row["projects"], row["updated"], row["overdue"], row["red"])
            for row in body["departments"]}


def test_weekly_bulletin_lists_the_week(admin_client, week):
    p, m, r = week["projects"], week["milestones"], week["reports"]

    body = bulletin(admin_client)

    assert (body["week"], body["start"], body["end"], body["as_of"]) == (
        "2023-W19", "2023-05-08", "2023-05-14", "2023-05-14",
    )
    # Monday and Sunday included; W18 and W20 not.
    assert _ids(body["status_updates"]) == [r["A19"]["id"], r["G19"]["id"], r["B19"]["id"]]
    first = body["status_updates"][0]
    assert first["project"]["code"] == p["A"]["code"]
    assert first["note"] == "主体结构施工，完成投资稳步推进"
    assert _ids(body["milestones_completed"]) == [m["m4"]["id"], m["m5"]["id"], m["m8"]["id"]]
    # Due 05-07 (overdue from Monday) and 05-13 (from Sunday), and 05-10 completed late on 05-12;
    # not due 05-14 (overdue only from Monday next), nor 05-10 done 05-09, nor 05-06 (overdue in W18).
    assert _ids(body["milestones_became_overdue"]) == [m["m1"]["id"], m["m5"]["id"], m["m2"]["id"]]
    assert [(x["state"], x["days_overdue"]) for x in body["milestones_became_overdue"]] == [
        ("overdue", 7), ("done_late", 0), ("overdue", 1),
    ]
    assert body["milestones_became_overdue"][0]["project"]["name"] == "仲景医药健康产业园"
    # Active projects without a report in the week: not the operating D, not the cancelled E.
    assert _ids(body["projects_without_update"]) == [p["F"]["id"], p["C"]["id"]]
    assert body["projects_without_update"][0]["department"]["code"] == "fgw"
    assert _table(body) == {"fgw": (3, 2, 2, 1), "jsj": (4, 1, 1, 1)}
    assert body["departments"][0]["department"]["name"] == "发展改革委"


def test_weekly_bulletin_counts_only_events_up_to_as_of(admin_client, week):
    """Read on Wednesday 10 May, the week so far: nothing dated later counts yet."""
    p, m, r = week["projects"], week["milestones"], week["reports"]

    body = bulletin(admin_client, as_of="2023-05-10")

    assert _ids(body["status_updates"]) == [r["A19"]["id"], r["G19"]["id"]]
    assert _ids(body["milestones_completed"]) == [m["m4"]["id"]]
    # m1 became overdue on 05-08; m5 (due 05-10) and m2 (due 05-13) have not become overdue by 05-10.
    assert _ids(body["milestones_became_overdue"]) == [m["m1"]["id"]]
    assert _ids(body["projects_without_update"]) == [p["B"]["id"], p["F"]["id"], p["C"]["id"]]


def test_weekly_bulletin_applies_the_project_filters(admin_client, week):
    p, m, r = week["projects"], week["milestones"], week["reports"]

    body = bulletin(admin_client, department="jsj")
    assert _ids(body["status_updates"]) == [r["G19"]["id"]]
    assert _ids(body["milestones_completed"]) == [m["m5"]["id"]]
    assert _ids(body["milestones_became_overdue"]) == [m["m5"]["id"], m["m2"]["id"]]
    assert _ids(body["projects_without_update"]) == [p["C"]["id"]]
    assert _table(body) == {"jsj": (4, 1, 1, 1)}

    assert bulletin(admin_client, department=str(week["departments"]["jsj"]["id"])) == body

    red = bulletin(admin_client, warning_level="red")
    assert _ids(red["status_updates"]) == [r["B19"]["id"]]
    assert _ids(red["milestones_completed"]) == [m["m4"]["id"], m["m5"]["id"], m["m8"]["id"]]
    assert _ids(red["milestones_became_overdue"]) == [m["m5"]["id"], m["m2"]["id"]]
    assert _ids(red["projects_without_update"]) == [p["C"]["id"]]
    assert _table(red) == {"fgw": (1, 1, 0, 1), "jsj": (1, 0, 1, 1)}


@pytest.mark.parametrize("as_of, week_code, start, end", [
    ("2023-05-14", "2023-W19", "2023-05-08", "2023-05-14"),  # Sunday
    ("2023-05-08", "2023-W19", "2023-05-08", "2023-05-14"),  # Monday
    ("2023-05-15", "2023-W20", "2023-05-15", "2023-05-21"),
    ("2024-12-30", "2025-W01", "2024-12-30", "2025-01-05"),  # the ISO year, not the calendar year
    ("2021-01-03", "2020-W53", "2020-12-28", "2021-01-03"),
])
def test_weekly_bulletin_defaults_to_the_week_of_as_of(admin_client, as_of, week_code, start, end):
    response = admin_client.get(WEEKLY, {"as_of": as_of})

    assert response.status_code == 200
    body = response.json()
    assert (body["week"], body["start"], body["end"]) == (week_code, start, end)


def test_weekly_bulletin_week_param_is_normalised(admin_client):
    body = admin_client.get(WEEKLY, {"as_of": "2023-05-04", "week": "2020-w53"}).json()
    assert (body["week"], body["start"], body["end"]) == ("2020-W53", "2020-12-28", "2021-01-03")


@pytest.mark.parametrize("bad", ["2023-W60", "2023-19", "abc", "2023-W00", "2023-W53", "2023-W1", "W19"])
def test_bad_week_is_400_json(admin_client, bad):
    response = admin_client.get(WEEKLY, {"as_of": "2023-05-14", "week": bad})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "week" in response.json()


@pytest.mark.parametrize("params, key", [
    ({"as_of": "2023-02-30"}, "as_of"),
    ({"status": "bogus"}, "status"),
    ({"is_overdue": "perhaps"}, "is_overdue"),
    ({"batch_period": "seventh"}, "batch_period"),
])
def test_weekly_bad_as_of_or_filter_is_400_json(admin_client, params, key):
    response = admin_client.get(WEEKLY, {"as_of": "2023-05-14", "week": "2023-W19", **params})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert key in response.json()


def test_weekly_service_directly(admin_client, week):
    """The service over an already filtered queryset gives what the endpoint gives."""
    projects = Project.objects.with_flags(date(2023, 5, 14)).filter(department__code="fgw")
    result = weekly_bulletin(projects=projects, as_of=date(2023, 5, 14), monday=date(2023, 5, 8))

    assert [u.reported_on for u in result["status_updates"]] == [date(2023, 5, 8), date(2023, 5, 14)]
    assert [row["department"]["code"] for row in result["departments"]] == ["fgw"]
    assert {k: result["departments"][0][k] for k in ("projects", "updated", "overdue", "red")} == {
        "projects": 3, "updated": 2, "overdue": 2, "red": 1,
    }
    assert [p.name for p in result["projects_without_update"]] == ["陇西南华府小学"]


def test_summary_service_directly():
    """stats_summary over a queryset, without HTTP."""
    ProjectFactory(category="start", status="under_construction", annual_plan_investment=Decimal("300.00"),
                   completed_investment=Decimal("100.00"))
    ProjectFactory(category="start", status="planned", annual_plan_investment=Decimal("100.00"))
    as_of = AS_OF
    summary = stats_summary(projects=Project.objects.with_flags(as_of), as_of=as_of, year=2023)

    assert summary["project_count"] == 2
    assert summary["investment"]["annual_plan"] == Decimal("400.00")
    assert summary["investment"]["completion_rate"] == 25.0
    assert summary["investment"]["ahead_of_time"] is False
    assert summary["start_rate"] == {"target": 2, "started": 1, "rate": 50.0}


def test_start_rate_counts_a_project_suspended_after_it_started(admin_client, dept_a):
    from tests.factories import ProjectFactory

    started = ProjectFactory(department=dept_a, category="start", status="planned")
    ProjectFactory(department=dept_a, category="start", status="planned")
    for status in ("under_construction", "suspended"):
        response = admin_client.post(
            f"/api/v1/projects/{started.pk}/status-updates/",
            {"status": status, "note": "x", "reported_on": "2023-05-01"}, format="json",
        )
        assert response.status_code == 201
    summary = admin_client.get("/api/v1/stats/summary/", {"as_of": "2023-05-04"}).json()
    assert summary["start_rate"] == {"target": 2, "started": 1, "rate": 50.0}
