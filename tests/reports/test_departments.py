"""考核: the departments' reporting rate, score, rank and 红黑榜 in the bulletin, and GET /stats/departments/.

Every expected figure is worked by hand from the portfolio of `world` below, never read back from
the code under test.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.domain import assessment
from tests.factories import (
    DepartmentFactory,
    MilestoneFactory,
    OfficialFactory,
    ProblemFactory,
    ProjectFactory,
    StatusUpdateFactory,
    UserFactory,
    VisitFactory,
    move_problem,
)

pytestmark = pytest.mark.django_db

WEEKLY = "/api/v1/reports/weekly/"
DEPARTMENTS = "/api/v1/stats/departments/"

# Week 2023-W19 runs from Monday 8 May to Sunday 14 May; reports are due on Friday 12 May (the
# default REPORT_DUE_WEEKDAY). The bulletin is read on Sunday 14 May. Weights 40/25/20/15.
#
# gxj 工信局, five projects, four active:
#   P1 under_construction  report Wed 05-10 (on time)        visit 05-02        no overdue milestone
#   P2 under_construction  report Sat 05-13 (late)           no visit: overdue  milestone due 05-01 open (13 days)
#   P3 signed              report Fri 05-05 (W18: nothing)   visit 05-05        milestone due 01-31 open (103 days: red)
#   P4 planned             report Fri 05-12 (due day: on time)  no visit: overdue  no overdue milestone
#   P5 operating           report Tue 05-09: not active, so in `projects` and `updated` only
# active 4, on time 2 (P1, P4), overdue 2 (P2, P3), red 1 (P3), visit overdue 2 (P2, P4):
#   timeliness 2/4, milestones (4 − 2)/4, red (4 − 1)/4, visits (4 − 2)/4
#   score = (40 × 0.5 + 25 × 0.5 + 20 × 0.75 + 15 × 0.5) / (40 + 25 + 20 + 15) × 100
#         = (20 + 12.5 + 15 + 7.5) / 100 × 100 = 55.0;  reported_on_time = 2/4 = 50.0
#   table: projects 5, updated 4 (P1, P2, P4, P5), overdue 2, red 1
#
# jyj 教育局 and swj 商务局, the same three active projects each:
#   Q1 under_construction  report Mon 05-08 (on time)   visit 05-10
#   Q2 under_construction  report Sun 05-14 (late)      visit 04-01 (43 days: overdue)  milestone due 05-10 open
#   Q3 planned             no report                    visit 05-01
# active 3, on time 1, overdue 1, red 0, visit overdue 1:
#   score = (40 × 1/3 + 25 × 2/3 + 20 × 3/3 + 15 × 2/3) = 40/3 + 50/3 + 20 + 10 = 60.0; reported_on_time 33.3
#
# zjj 住建局, one active project R1: no report, no visit, milestone due 01-31 open (red): score 0.0
#
# Ranks in W19: jyj 60.0 → 1, swj 60.0 → 1 (equal scores share), gxj 55.0 → 3, zjj 0.0 → 4.
# 红榜 jyj, swj, gxj; 黑榜 zjj (rank 4 is below every praised rank).
#
# Week 2023-W18 (1–7 May, due Friday 5 May), read as of its Sunday 7 May:
#   gxj: on time 1 (P3 on 05-05), overdue 2 (P2, P3), red 1 (P3: 96 days), visit overdue 2 (P2, P4)
#        → 40 × 1/4 + 25 × 2/4 + 20 × 3/4 + 15 × 2/4 = 10 + 12.5 + 15 + 7.5 = 45.0
#   jyj, swj: no report, nothing overdue yet (Q2's deadline is 05-10), visit overdue 2 (Q1's visit of
#        05-10 is later than 05-07; Q2's of 04-01 is older than 31 days) → 0 + 25 + 20 + 15 × 1/3 = 50.0
#   zjj: 0.0.  Ranks: jyj 1, swj 1, gxj 3, zjj 4.
# W18–W19: gxj mean(45.0, 55.0) = 50.0, jyj and swj mean(50.0, 60.0) = 55.0, zjj 0.0
#   → ranks jyj 1, swj 1, gxj 3, zjj 4; gxj reported on time (1 + 2) / (4 + 4) = 37.5;
#   gxj sums: projects 5 + 5, updated 1 (P3 in W18) + 4, overdue 2 + 2, red 1 + 1.


FOUR_TERMS = {"timeliness": Decimal(40), "milestones": Decimal(25), "red": Decimal(20), "visits": Decimal(15)}


@pytest.fixture(autouse=True)
def four_terms(settings):
    """The figures worked above weigh the first four terms 40, 25, 20, 15 and leave the problems out
    (their world has no problem); test_the_overdue_problems_term weighs all five."""
    settings.PORTFOLIO_SCORE_WEIGHTS = FOUR_TERMS


@pytest.fixture
def world(db):
    reporter = UserFactory(username="clerk")

    def department(code, name):
        dept = DepartmentFactory(code=code, name=name)
        return dept, OfficialFactory(department=dept)

    def project(dept, official, status, *, reports=(), visits=(), overdue_since=None):
        p = ProjectFactory(department=dept, lead_official=official, status=status)
        for day in reports:
            StatusUpdateFactory(project=p, reported_on=date.fromisoformat(day), reported_by=reporter)
        for day in visits:
            VisitFactory(project=p, visited_on=date.fromisoformat(day))
        if overdue_since:
            MilestoneFactory(project=p, due_date=date.fromisoformat(overdue_since))
        return p

    gxj = department("gxj", "工信局")
    project(*gxj, "under_construction", reports=["2023-05-10"], visits=["2023-05-02"])
    project(*gxj, "under_construction", reports=["2023-05-13"], overdue_since="2023-05-01")
    project(*gxj, "signed", reports=["2023-05-05"], visits=["2023-05-05"], overdue_since="2023-01-31")
    project(*gxj, "planned", reports=["2023-05-12"])
    project(*gxj, "operating", reports=["2023-05-09"])
    for code, name in (("jyj", "教育局"), ("swj", "商务局")):
        dept = department(code, name)
        project(*dept, "under_construction", reports=["2023-05-08"], visits=["2023-05-10"])
        project(*dept, "under_construction", reports=["2023-05-14"], visits=["2023-04-01"], overdue_since="2023-05-10")
        project(*dept, "planned", visits=["2023-05-01"])
    zjj = department("zjj", "住建局")
    project(*zjj, "under_construction", overdue_since="2023-01-31")


def get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content.decode()
    return response.json()


def by_code(rows) -> dict:
    return {row["department"]["code"]: row for row in rows}


def rolls(rows) -> list[tuple]:
    return [(row["department"]["code"], row["score"], row["rank"]) for row in rows]


# --- the bulletin ------------------------------------------------------------------------------------


def test_one_department_worked_by_hand(reader_client, world):
    body = get(reader_client, WEEKLY, week="2023-W19", as_of="2023-05-14")

    gxj = by_code(body["departments"])["gxj"]
    assert gxj == {
        "department": gxj["department"],
        "projects": 5, "updated": 4, "overdue": 2, "red": 1,
        "reported_on_time": 50.0, "score": 55.0, "rank": 3,
    }


def test_equal_scores_share_a_rank_and_the_next_skips(reader_client, world):
    body = get(reader_client, WEEKLY, week="2023-W19", as_of="2023-05-14")

    table = by_code(body["departments"])
    assert [(code, row["score"], row["rank"], row["reported_on_time"]) for code, row in table.items()] == [
        ("gxj", 55.0, 3, 50.0), ("jyj", 60.0, 1, 33.3), ("swj", 60.0, 1, 33.3), ("zjj", 0.0, 4, 0.0),
    ]
    assert rolls(body["top_three"]) == [("jyj", 60.0, 1), ("swj", 60.0, 1), ("gxj", 55.0, 3)]
    assert rolls(body["bottom_three"]) == [("zjj", 0.0, 4)]
    assert body["top_three"][0]["department"] == {"id": table["jyj"]["department"]["id"], "code": "jyj",
                                                  "name": "教育局"}


def test_a_report_after_the_due_day_is_late_and_one_before_the_week_counts_nothing(reader_client, world, settings):
    # Saturday's report (P2) is late with Friday due; with Sunday due it is on time. P3's report of
    # the Friday before the week counts in neither case.
    settings.REPORT_DUE_WEEKDAY = 7
    gxj = by_code(get(reader_client, WEEKLY, week="2023-W19", as_of="2023-05-14")["departments"])["gxj"]
    assert gxj["reported_on_time"] == 75.0  # P1, P2, P4 of four
    # 40 × 3/4 + 25 × 2/4 + 20 × 3/4 + 15 × 2/4 = 30 + 12.5 + 15 + 7.5
    assert gxj["score"] == 65.0

    settings.REPORT_DUE_WEEKDAY = 3  # Wednesday: P4's Friday report is late too
    gxj = by_code(get(reader_client, WEEKLY, week="2023-W19", as_of="2023-05-14")["departments"])["gxj"]
    assert gxj["reported_on_time"] == 25.0


def test_read_mid_week_only_reports_so_far_count(reader_client, world):
    """On Wednesday 10 May, P1's report of that day is on time and P4's Friday report not yet filed."""
    gxj = by_code(get(reader_client, WEEKLY, week="2023-W19", as_of="2023-05-10")["departments"])["gxj"]
    assert (gxj["updated"], gxj["reported_on_time"]) == (2, 25.0)  # P1 and the operating P5; P1 of four


def test_weights_are_settings(reader_client, world, settings):
    settings.PORTFOLIO_SCORE_WEIGHTS = {"timeliness": 1, "milestones": 0, "red": 0, "visits": 0}
    table = by_code(get(reader_client, WEEKLY, week="2023-W19", as_of="2023-05-14")["departments"])
    assert {code: (row["score"], row["rank"]) for code, row in table.items()} == {
        "gxj": (50.0, 1), "jyj": (33.3, 2), "swj": (33.3, 2), "zjj": (0.0, 4),
    }


def test_a_department_without_active_projects_has_no_score(reader_client, world):
    dept = DepartmentFactory(code="cgj", name="城市管理局")
    ProjectFactory(department=dept, lead_official=OfficialFactory(department=dept), status="operating")

    body = get(reader_client, WEEKLY, week="2023-W19", as_of="2023-05-14")

    cgj = by_code(body["departments"])["cgj"]
    assert (cgj["projects"], cgj["reported_on_time"], cgj["score"], cgj["rank"]) == (1, None, None, None)
    assert "cgj" not in [row["department"]["code"] for row in body["top_three"] + body["bottom_three"]]


def test_bulletin_spreadsheet_has_the_scores_and_the_rolls(reader_client, world):
    from io import BytesIO

    from openpyxl import load_workbook

    response = reader_client.get(WEEKLY, {"week": "2023-W19", "as_of": "2023-05-14", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    table = [[cell.value for cell in row] for row in book["各单位汇总"].iter_rows(min_row=2)]
    assert table[0] == ["责任单位", "项目数", "本周已填报", "逾期项目", "红灯项目",
                        "按时填报率（%）", "考核得分", "排名"]
    assert table[1] == ["工信局", 5, 4, 2, 1, 50.0, 55.0, 3]
    rolls_sheet = [[cell.value for cell in row] for row in book["红黑榜"].iter_rows(min_row=2)]
    assert rolls_sheet == [
        ["榜单", "名次", "单位", "考核得分"],
        ["红榜", 1, "教育局", 60.0], ["红榜", 1, "商务局", 60.0], ["红榜", 3, "工信局", 55.0],
        ["黑榜", 4, "住建局", 0.0],
    ]

    csv = reader_client.get(WEEKLY, {"week": "2023-W19", "as_of": "2023-05-14", "format": "csv"}).content.decode()
    assert "工信局,5,4,2,1,50.0,55.0,3" in csv
    assert "黑榜,4,住建局,0.0" in csv


# --- GET /stats/departments/ -------------------------------------------------------------------------


def test_range_sums_the_weeks_and_means_the_scores(reader_client, world):
    body = get(reader_client, DEPARTMENTS, from_week="2023-W18", to_week="2023-W19", as_of="2023-05-14")

    assert (body["from_week"], body["to_week"]) == ("2023-W18", "2023-W19")
    table = by_code(body["departments"])
    assert list(table) == ["gxj", "jyj", "swj", "zjj"]
    gxj = table["gxj"]
    assert {key: value for key, value in gxj.items() if key not in ("department", "by_week")} == {
        "projects": 10, "updated": 5, "overdue": 4, "red": 2, "reported_on_time": 37.5, "score": 50.0, "rank": 3,
    }
    assert gxj["by_week"] == [{"week": "2023-W18", "score": 45.0, "rank": 3},
                              {"week": "2023-W19", "score": 55.0, "rank": 3}]
    assert table["jyj"]["by_week"] == [{"week": "2023-W18", "score": 50.0, "rank": 1},
                                       {"week": "2023-W19", "score": 60.0, "rank": 1}]
    assert {code: (row["score"], row["rank"]) for code, row in table.items()} == {
        "gxj": (50.0, 3), "jyj": (55.0, 1), "swj": (55.0, 1), "zjj": (0.0, 4),
    }


def test_one_week_range_is_that_weeks_bulletin_read_on_its_sunday(reader_client, world):
    week = get(reader_client, WEEKLY, week="2023-W19", as_of="2023-05-14")["departments"]
    ranged = get(reader_client, DEPARTMENTS, from_week="2023-W19", to_week="2023-W19", as_of="2023-05-20")
    figures = ("projects", "updated", "overdue", "red", "reported_on_time", "score", "rank")
    for row in ranged["departments"]:
        expected = by_code(week)[row["department"]["code"]]
        assert {key: row[key] for key in figures} == {key: expected[key] for key in figures}


def test_range_accepts_the_project_filters(reader_client, world):
    body = get(reader_client, DEPARTMENTS, from_week="2023-W19", to_week="2023-W19", as_of="2023-05-14",
               department="gxj,zjj", status="under_construction")
    table = by_code(body["departments"])
    assert list(table) == ["gxj", "zjj"]
    # gxj's P1 (on time, visited) and P2 (late, overdue, not visited): 40 × 1/2 + 25 × 1/2 + 20 + 15 × 1/2
    assert (table["gxj"]["projects"], table["gxj"]["score"], table["gxj"]["rank"]) == (2, 60.0, 1)


def test_range_defaults_to_the_eight_weeks_ending_with_as_of(reader_client, world):
    body = get(reader_client, DEPARTMENTS, as_of="2023-05-14")
    assert (body["from_week"], body["to_week"]) == ("2023-W12", "2023-W19")
    assert [week["week"] for week in body["departments"][0]["by_week"]] == [f"2023-W{n}" for n in range(12, 20)]


def test_fifty_three_weeks_at_most(reader_client, world):
    body = get(reader_client, DEPARTMENTS, from_week="2022-W19", to_week="2023-W19", as_of="2023-05-14")
    assert len(body["departments"][0]["by_week"]) == 53  # 2022 has 52 ISO weeks: W19 to W19 is 53

    response = reader_client.get(DEPARTMENTS, {"from_week": "2022-W18", "to_week": "2023-W19", "as_of": "2023-05-14"})
    assert response.status_code == 400
    assert "53" in response.json()["from_week"][0]


@pytest.mark.parametrize("params, key", [
    ({"from_week": "2023-W20", "to_week": "2023-W19"}, "from_week"),  # reversed
    ({"from_week": "2023-W60"}, "from_week"),
    ({"from_week": "abc"}, "from_week"),
    ({"to_week": "2023-19"}, "to_week"),
    ({"to_week": "2022-W53"}, "to_week"),  # 2022 has no week 53
    ({"to_week": "2023-W20"}, "to_week"),  # after the week of as_of
    ({"as_of": "2023-02-30"}, "as_of"),
    ({"department": "nope"}, "department"),
])
def test_bad_weeks_and_filters_are_400(reader_client, world, params, key):
    response = reader_client.get(DEPARTMENTS, {"as_of": "2023-05-14", **params})

    assert response.status_code == 400
    assert key in response.json()


def _queries(client, **params) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        get(client, DEPARTMENTS, as_of="2023-05-14", **params)
    return [query["sql"] for query in context.captured_queries]


def test_query_count_grows_neither_with_weeks_nor_departments(reader_client, world):
    one_week = _queries(reader_client, from_week="2023-W19", to_week="2023-W19")
    ten_weeks = _queries(reader_client, from_week="2023-W10", to_week="2023-W19")
    for n in range(6):
        dept = DepartmentFactory(code=f"more{n}")
        ProjectFactory(department=dept, lead_official=OfficialFactory(department=dept))
    more_departments = _queries(reader_client, from_week="2023-W10", to_week="2023-W19")

    assert len(one_week) == len(ten_weeks) == len(more_departments)
    # One aggregate for all the weeks (on PostgreSQL with JIT turned off for it, in a savepoint here).
    assert [sql.count("UNION ALL") for sql in ten_weeks if "GROUP BY" in sql] == [9]
    assert len(ten_weeks) <= (4 if connection.vendor == "postgresql" else 1)


def test_bulletin_query_count_is_unchanged_by_the_score(reader_client, world):
    with CaptureQueriesContext(connection) as context:
        get(reader_client, WEEKLY, week="2023-W19", as_of="2023-05-14")
    # The department table is still one aggregate query (docs/reports.md: 5 + 2 for the targets).
    assert sum("GROUP BY" in query["sql"] for query in context.captured_queries) <= 2


# --- the rules -----------------------------------------------------------------------------------------


def test_competition_ranks():
    assert assessment.competition_ranks({"a": 90.0, "b": 80.5, "c": 80.5, "d": 70.0, "e": None}) == {
        "a": 1, "b": 2, "c": 2, "d": 4, "e": None,
    }
    assert assessment.competition_ranks({}) == {}


def test_top_and_bottom_never_overlap_nor_criticise_a_praised_score():
    def rows(*ranks):
        return [{"code": i, "rank": rank} for i, rank in enumerate(ranks)]

    def codes(pair):
        return [[row["code"] for row in side] for side in pair]

    by_rank = lambda row: row["rank"]  # noqa: E731
    assert codes(assessment.top_and_bottom(rows(1, 2, 3, 4, 5, 6, 7), by_rank)) == [[0, 1, 2], [6, 5, 4]]
    assert codes(assessment.top_and_bottom(rows(1, 2, 3, 4), by_rank)) == [[0, 1, 2], [3]]
    assert codes(assessment.top_and_bottom(rows(1, 2), by_rank)) == [[0, 1], []]
    # A tie at third place: the one left off the 红榜 is not put on the 黑榜 either.
    assert codes(assessment.top_and_bottom(rows(1, 2, 3, 3, 5, 6), by_rank)) == [[0, 1, 2], [5, 4]]
    assert codes(assessment.top_and_bottom(rows(1, 1, 1, 1), by_rank)) == [[0, 1, 2], []]
    assert codes(assessment.top_and_bottom(rows(None, 1), by_rank)) == [[1], []]


def test_mean_of_scores_rounds_half_up():
    assert assessment.mean([45.0, 55.0]) == 50.0
    assert assessment.mean([60.0, 60.1]) == 60.1  # 60.05 half up
    assert assessment.mean([None, 33.3, None]) == 33.3
    assert assessment.mean([None]) is None


def test_score_is_exact_and_rounds_half_up(settings):
    settings.PORTFOLIO_SCORE_WEIGHTS = {"timeliness": 1, "milestones": 0, "red": 0, "visits": 0}
    assert assessment.score(assessment.WeekCounts(active=8, on_time=1, overdue=0, red=0, visit_overdue=0)) == 12.5
    assert assessment.score(assessment.WeekCounts(active=3, on_time=2, overdue=0, red=0, visit_overdue=0)) == 66.7
    assert assessment.score(assessment.WeekCounts(active=0, on_time=0, overdue=0, red=0, visit_overdue=0)) is None


def test_the_overdue_problems_term(settings):
    """Five terms, weights 35, 20, 20, 15, 10: four active projects, two reported on time, one with an
    overdue milestone, none red, one visit overdue, one with an overdue problem:
    (35 × 2/4 + 20 × 3/4 + 20 × 4/4 + 15 × 3/4 + 10 × 3/4) / 100 × 100 = 17.5 + 15 + 20 + 11.25 + 7.5 = 71.25 → 71.3."""
    settings.PORTFOLIO_SCORE_WEIGHTS = {**FOUR_TERMS, "timeliness": Decimal(35), "milestones": Decimal(20),
                                        "problems": Decimal(10)}
    counts = assessment.WeekCounts(active=4, on_time=2, overdue=1, red=0, visit_overdue=1, problem_overdue=1)
    assert assessment.score(counts) == 71.3
    assert "无逾期问题项目占比×10" in assessment.formula_text()


def test_a_department_with_an_overdue_problem_scores_it(reader_client, dept_a, official_a, settings):
    """One active project, visited on 5 May, no report, no milestone, a problem handed over due 1 May.
    Read on 10 May (W19), weights 35, 20, 20, 15, 10: (0 + 20 + 20 + 15 + 10 × 0/1) = 55.0; once the
    problem is answered it waits for the office, is no longer overdue, and the score is 65.0."""
    settings.PORTFOLIO_SCORE_WEIGHTS = {"timeliness": Decimal(35), "milestones": Decimal(20), "red": Decimal(20),
                                        "visits": Decimal(15), "problems": Decimal(10)}
    project = ProjectFactory(department=dept_a, lead_official=official_a)
    VisitFactory(project=project, official=official_a, visited_on=date(2023, 5, 5))
    problem = move_problem(ProblemFactory(project=project, raised_on=date(2023, 4, 20)),
                           ("assigned", "2023-04-21", {"due_date": date(2023, 5, 1)}))

    def row():
        body = get(reader_client, "/api/v1/reports/weekly/", week="2023-W19", as_of="2023-05-10")
        [department] = [r for r in body["departments"] if r["department"]["code"] == dept_a.code]
        return department["score"]

    assert row() == 55.0
    move_problem(problem, ("answered", "2023-05-02"))
    assert row() == 65.0
