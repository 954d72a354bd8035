"""/stats/problems/ and the bulletin's problems against figures counted by hand from one ledger."""

from datetime import date

import pytest

from tests.factories import AssessmentFactory, DepartmentFactory, ProblemFactory, VisitFactory, move_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(project_a, project_b, dept_a):
    """Eleven problems, handed to 发展改革委 (fgw) or 自然资源局 (zrzyj); see each line for its story."""
    land = DepartmentFactory(code="zrzyj", name="自然资源局")

    def problem(category, raised, *moves, project=project_a):
        made = ProblemFactory(project=project, category=category, raised_on=date.fromisoformat(raised))
        return move_problem(made, *moves)

    def to(department, due):
        return {"responsible_department": department, "due_date": date.fromisoformat(due)}

    return {
        # resolved on time, 17 days after it was raised
        "p1": problem("land", "2023-03-01", ("assigned", "2023-03-02", to(land, "2023-03-20")),
                      ("answered", "2023-03-15"), ("resolved", "2023-03-18")),
        # resolved late, after 23 days
        "p2": problem("funding", "2023-03-05", ("assigned", "2023-03-06", to(land, "2023-03-10")),
                      ("answered", "2023-03-25"), ("resolved", "2023-03-28"), project=project_b),
        # due 30 April: 4 days late on 4 May
        "p3": problem("land", "2023-04-01", ("assigned", "2023-04-02", to(land, "2023-04-30"))),
        # due 1 April: 33 days late on 4 May
        "p4": problem("approval", "2023-03-10", ("assigned", "2023-03-11", to(dept_a, "2023-04-01"))),
        # due 20 April: 14 days late on 4 May
        "p5": problem("planning", "2023-04-10", ("assigned", "2023-04-11", to(dept_a, "2023-04-20")),
                      project=project_b),
        # still to be assigned
        "p6": problem("utilities", "2023-04-15"),
        "p7": problem("other", "2023-04-16", ("cancelled", "2023-04-17")),
        # answered after its deadline: waits for the office, not overdue
        "p8": problem("land", "2023-04-20", ("assigned", "2023-04-21", to(dept_a, "2023-04-25")),
                      ("answered", "2023-04-26")),
        # raised the year before, resolved late after 40 days
        "p9": problem("funding", "2022-12-01", ("assigned", "2022-12-02", to(land, "2022-12-31")),
                      ("answered", "2023-01-05"), ("resolved", "2023-01-10")),
        # raised after 4 May
        "p10": problem("construction", "2023-05-10", ("assigned", "2023-05-11", to(land, "2023-05-12"))),
        # answered on 20 April, resolved late on 6 May, 35 days after it was raised
        "p11": problem("demolition", "2023-04-01", ("assigned", "2023-04-02", to(land, "2023-04-10")),
                       ("answered", "2023-04-20"), ("resolved", "2023-05-06")),
        "land": land,
    }


def stats(client, **query) -> dict:
    response = client.get("/api/v1/stats/problems/", query)
    assert response.status_code == 200, response.content
    return response.json()


def zeros(codes, **counts) -> dict:
    return {code: counts.get(code, 0) for code in codes}


STATES = ["open", "assigned", "answered", "resolved", "cancelled"]
CATEGORIES = ["land", "planning", "funding", "approval", "demolition", "utilities", "construction", "other"]


def test_stats_on_4_may(reader_client, ledger, dept_a):
    body = stats(reader_client, as_of="2023-05-04")
    assert body == {
        "as_of": "2023-05-04",
        "year": None,
        "total": 10,
        "by_state": {"open": 1, "assigned": 3, "answered": 2, "resolved": 3, "cancelled": 1},
        "by_category": zeros(CATEGORIES, land=3, funding=2, approval=1, planning=1, utilities=1, other=1,
                             demolition=1),
        "overdue": 3,
        "by_escalation_level": {"0": 7, "1": 1, "2": 1, "3": 1},
        "resolved_on_time_rate": 33.3,
        "median_days_to_resolve": 23.0,
        "by_responsible_department": [
            {"department": {"id": dept_a.pk, "code": "fgw", "name": "发展改革委"},
             "open": 3, "overdue": 2, "resolved": 0, "resolved_on_time_rate": None},
            {"department": {"id": ledger["land"].pk, "code": "zrzyj", "name": "自然资源局"},
             "open": 2, "overdue": 1, "resolved": 3, "resolved_on_time_rate": 33.3},
        ],
    }


def test_stats_of_the_problems_raised_in_a_year(reader_client, ledger):
    body = stats(reader_client, as_of="2023-05-04", year="2023")
    assert (body["year"], body["total"]) == (2023, 9)
    assert (body["by_state"]["resolved"], body["by_category"]["funding"]) == (2, 1)
    assert (body["resolved_on_time_rate"], body["median_days_to_resolve"]) == (50.0, 20.0)
    assert body["by_responsible_department"][1]["resolved_on_time_rate"] == 50.0
    assert stats(reader_client, as_of="2023-05-04", year="2022")["total"] == 1


def test_stats_on_12_may(reader_client, ledger):
    body = stats(reader_client, as_of="2023-05-12")
    assert body["total"] == 11
    assert body["by_state"] == {"open": 1, "assigned": 4, "answered": 1, "resolved": 4, "cancelled": 1}
    assert (body["overdue"], body["by_escalation_level"]) == (3, {"0": 8, "1": 0, "2": 2, "3": 1})
    assert (body["resolved_on_time_rate"], body["median_days_to_resolve"]) == (25.0, 29.0)


def test_stats_take_the_problem_filters(reader_client, ledger, project_b):
    body = stats(reader_client, as_of="2023-05-04", responsible_department="zrzyj")
    assert (body["total"], body["overdue"], body["resolved_on_time_rate"]) == (5, 1, 33.3)
    assert [row["department"]["code"] for row in body["by_responsible_department"]] == ["zrzyj"]
    assert stats(reader_client, as_of="2023-05-04", project=str(project_b.pk))["total"] == 2
    assert stats(reader_client, as_of="2023-05-04", escalation_level="2,3")["total"] == 2


def test_stats_over_no_problem(reader_client, db):
    body = stats(reader_client, as_of="2023-05-04")
    assert (body["total"], body["resolved_on_time_rate"], body["median_days_to_resolve"]) == (0, None, None)
    assert body["by_responsible_department"] == []


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "1999"}, {"state": "nope"}, {"as_of": "2023-02-30"},
                                   {"responsible_department": "nope"}, {"escalation_level": "9"}])
def test_bad_parameters_are_400(reader_client, query):
    assert reader_client.get("/api/v1/stats/problems/", query).status_code == 400


# --- the weekly bulletin ---------------------------------------------------------------------------------------


def bulletin(client, week, as_of) -> dict:
    response = client.get("/api/v1/reports/weekly/", {"week": week, "as_of": as_of})
    assert response.status_code == 200, response.content
    return response.json()


def test_the_bulletins_problems_of_week_18(reader_client, ledger):
    problems = bulletin(reader_client, "2023-W18", "2023-05-07")["problems"]
    assert (problems["raised"], problems["resolved"], problems["escalated"]) == (0, 1, 2)
    assert [(row["id"], row["days_overdue"], row["escalation_level"]) for row in problems["listed"]] == [
        (ledger["p4"].pk, 36, 3), (ledger["p5"].pk, 17, 2),
    ]
    assert problems["listed"][0]["responsible_department"]["code"] == "fgw"


def test_the_bulletins_problems_of_week_19(reader_client, ledger):
    problems = bulletin(reader_client, "2023-W19", "2023-05-12")["problems"]
    assert (problems["raised"], problems["resolved"], problems["escalated"]) == (1, 0, 1)
    assert [row["id"] for row in problems["listed"]] == [ledger["p4"].pk, ledger["p5"].pk, ledger["p3"].pk]


def test_the_bulletin_stops_at_as_of(reader_client, ledger):
    """On 9 May p10 is not raised yet, and p3 (due 30 April) has just reached 督办 (9 days)."""
    problems = bulletin(reader_client, "2023-W19", "2023-05-09")["problems"]
    assert (problems["raised"], problems["escalated"]) == (0, 1)
    assert problems["listed"][-1]["id"] == ledger["p3"].pk


def test_the_bulletin_lists_projects_whose_two_lights_differ(reader_client, project_a, project_b):
    for project in (project_a, project_b):
        VisitFactory(project=project, visited_on=date(2023, 5, 2))
    AssessmentFactory(project=project_a, level="red", reason="征迁受阻", assessed_on=date(2023, 5, 1),
                      valid_until=date(2023, 5, 31))
    AssessmentFactory(project=project_b, level="green", reason="正常", assessed_on=date(2023, 5, 1),
                      valid_until=date(2023, 5, 31))
    rows = bulletin(reader_client, "2023-W18", "2023-05-04")["lights_differ"]
    assert [(row["id"], row["warning_level"], row["assessed_level"], row["assessed_reason"]) for row in rows] == [
        (project_a.pk, "green", "red", "征迁受阻"),
    ]
    assert bulletin(reader_client, "2023-W23", "2023-06-05")["lights_differ"] == []  # expired
