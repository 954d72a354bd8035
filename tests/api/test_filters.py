"""Every filter of every list endpoint, through HTTP, with a matching and a non-matching row."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from projects.domain.choices import ProjectStatus
from projects.models import Department, Project
from tests.conftest import AS_OF
from tests.factories import (
    ApprovalItemFactory,
    DepartmentFactory,
    MilestoneFactory,
    OfficialFactory,
    ProjectBatchFactory,
    ProjectFactory,
    StatusUpdateFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _get(client, path, params=None):
    params = {"as_of": AS_OF.isoformat(), **(params or {})}
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def codes(client, **params) -> set[str]:
    return {row["code"] for row in _get(client, "/api/v1/projects/", params)["results"]}


def ordered_codes(client, **params) -> list[str]:
    return [row["code"] for row in _get(client, "/api/v1/projects/", params)["results"]]


def ids(client, path, **params) -> set[int]:
    return {row["id"] for row in _get(client, path, params)["results"]}


# --- projects: plain attributes ----------------------------------------------------------------


@pytest.mark.parametrize("field, wanted, other", [
    ("category", "start", "construction"),
    ("level", "provincial", "district"),
    ("sector", "housing", "industry"),
    ("status", "signed", "under_construction"),
    ("year", 2023, 2022),
    ("zone", "二七商圈", "二七经开区"),
])
def test_project_filter_by_attribute(reader_client, field, wanted, other):
    ProjectFactory(code="MATCH", **{field: wanted})
    ProjectFactory(code="OTHER", **{field: other})
    assert codes(reader_client, **{field: wanted}) == {"MATCH"}
    assert codes(reader_client, **{field: other}) == {"OTHER"}


def test_project_multi_value_filter_repeated_and_comma_separated(reader_client):
    ProjectFactory(code="P1", status=ProjectStatus.SIGNED)
    ProjectFactory(code="P2", status=ProjectStatus.UNDER_CONSTRUCTION)
    ProjectFactory(code="P3", status=ProjectStatus.PLANNED)
    assert codes(reader_client, status=["signed", "under_construction"]) == {"P1", "P2"}
    assert codes(reader_client, status="signed,under_construction") == {"P1", "P2"}
    assert codes(reader_client, status="signed, planned") == {"P1", "P3"}


def test_project_filter_by_batch_kind_and_period(reader_client):
    starting = ProjectFactory(code="START7")
    ProjectBatchFactory(project=starting, period=7, kind="starting")
    signing = ProjectFactory(code="SIGN6")
    ProjectBatchFactory(project=signing, period=6, kind="signing")
    ProjectBatchFactory(project=signing, period=6, kind="commissioning")
    ProjectFactory(code="NONE")
    assert codes(reader_client, batch="starting") == {"START7"}
    assert codes(reader_client, batch="signing,commissioning") == {"SIGN6"}
    assert codes(reader_client, batch_period=7) == {"START7"}
    assert codes(reader_client, batch_period=[6, 7]) == {"START7", "SIGN6"}
    assert _get(reader_client, "/api/v1/projects/", {"batch_period": 6})["count"] == 1  # no duplicate rows


def test_project_filter_by_department_id_and_code(reader_client, dept_a, dept_b):
    ProjectFactory(code="A", department=dept_a)
    ProjectFactory(code="B", department=dept_b)
    ProjectFactory(code="C")
    assert codes(reader_client, department=dept_a.pk) == {"A"}
    assert codes(reader_client, department="fgw") == {"A"}
    assert codes(reader_client, department=f"{dept_a.pk},jyj") == {"A", "B"}


def test_project_filter_by_lead_official(reader_client, official_a, official_b):
    ProjectFactory(code="A", lead_official=official_a)
    ProjectFactory(code="B", lead_official=official_b)
    ProjectFactory(code="C")
    assert codes(reader_client, lead_official=official_a.pk) == {"A"}
    assert codes(reader_client, lead_official=f"{official_a.pk},{official_b.pk}") == {"A", "B"}


# --- projects: flags, as of as_of ----------------------------------------------------------------


def test_project_filter_is_overdue(reader_client):
    MilestoneFactory(project=ProjectFactory(code="LATE"), due_date=date(2023, 5, 3))
    MilestoneFactory(project=ProjectFactory(code="DUE_TODAY"), due_date=AS_OF)
    assert codes(reader_client, is_overdue="true") == {"LATE"}
    assert codes(reader_client, is_overdue="false") == {"DUE_TODAY"}


def test_project_filter_warning_level(reader_client):
    red = ProjectFactory(code="RED")
    MilestoneFactory(project=red, due_date=date(2023, 1, 1))
    ProjectFactory(code="YELLOW")  # never visited
    VisitFactory(project=ProjectFactory(code="GREEN"), visited_on=date(2023, 5, 1))
    assert codes(reader_client, warning_level="red") == {"RED"}
    assert codes(reader_client, warning_level="yellow,green") == {"YELLOW", "GREEN"}


def test_project_filter_visit_overdue(reader_client):
    VisitFactory(project=ProjectFactory(code="VISITED"), visited_on=date(2023, 5, 1))
    ProjectFactory(code="NEVER")
    assert codes(reader_client, visit_overdue="true") == {"NEVER"}
    assert codes(reader_client, visit_overdue="false") == {"VISITED"}


@pytest.mark.parametrize("params, expected", [
    ({"due_before": "2023-05-10"}, {"MAY10"}),
    ({"due_before": "2023-05-09"}, set()),
    ({"due_after": "2023-05-20"}, {"MAY20"}),
    ({"due_after": "2023-05-21"}, set()),
    ({"due_after": "2023-05-10", "due_before": "2023-05-20"}, {"MAY10", "MAY20"}),
    ({"due_after": "2023-05-11", "due_before": "2023-05-19"}, set()),
])
def test_project_filter_due_range_includes_bounds(reader_client, params, expected):
    MilestoneFactory(project=ProjectFactory(code="MAY10"), due_date=date(2023, 5, 10))
    MilestoneFactory(project=ProjectFactory(code="MAY20"), due_date=date(2023, 5, 20))
    ProjectFactory(code="NO_DEADLINE")
    assert codes(reader_client, **params) == expected


@pytest.mark.parametrize("period, expected", [
    ("2023-Q2", {"JUNE30", "MAY31", "DONE_AFTER_AS_OF"}),
    ("2023-06", {"JUNE30", "DONE_AFTER_AS_OF"}),
    ("2023-05", {"MAY31"}),
    ("2023-06-30", {"JUNE30"}),
    ("2023-Q3", {"JULY15"}),
])
def test_project_filter_due_period_has_open_milestone_due_in_it(reader_client, period, expected):
    MilestoneFactory(project=ProjectFactory(code="JUNE30"), due_date=date(2023, 6, 30))
    MilestoneFactory(project=ProjectFactory(code="MAY31"), due_date=date(2023, 5, 31))
    MilestoneFactory(project=ProjectFactory(code="JULY15"), due_date=date(2023, 7, 15))
    # completed before as_of: no longer open, does not count
    MilestoneFactory(project=ProjectFactory(code="DONE_BEFORE_AS_OF"), due_date=date(2023, 6, 15),
                     completed_on=date(2023, 5, 1))
    # completed after as_of: still open on as_of, counts
    MilestoneFactory(project=ProjectFactory(code="DONE_AFTER_AS_OF"), due_date=date(2023, 6, 15),
                     completed_on=date(2023, 5, 10))
    assert codes(reader_client, due_period=period) == expected


@pytest.mark.parametrize("field, term", [("name", "医药"), ("code", "X-77"), ("owner", "花花牛")])
def test_project_search(reader_client, field, term):
    ProjectFactory(code="EQX-770", name="仲景医药健康产业园", owner="花花牛集团")
    ProjectFactory(code="EQ-OTHER", name="陇西南华府小学", owner="区教育局")
    assert codes(reader_client, search=term) == {"EQX-770"}
    assert codes(reader_client, search="不存在的项目") == set()


def test_project_search_is_case_insensitive(reader_client):
    ProjectFactory(code="EQ-ABC", name="Wanxiang City")
    ProjectFactory(code="EQ-DEF", name="Other")
    assert codes(reader_client, search="wanxiang") == {"EQ-ABC"}


def test_project_filter_updated_after_includes_bound(reader_client):
    old, new = ProjectFactory(code="OLD"), ProjectFactory(code="NEW")
    cutoff = datetime(2023, 5, 4, 9, 0, tzinfo=SHANGHAI)
    Project.objects.filter(pk=old.pk).update(updated_at=datetime(2023, 5, 4, 8, 59, 59, tzinfo=SHANGHAI))
    Project.objects.filter(pk=new.pk).update(updated_at=cutoff)
    assert codes(reader_client, updated_after="2023-05-04T09:00:00+08:00") == {"NEW"}
    assert codes(reader_client, updated_after="2023-05-04T00:59:59Z") == {"OLD", "NEW"}
    assert codes(reader_client, updated_after="2023-05-04T09:00:01+08:00") == set()


# --- projects: ordering --------------------------------------------------------------------------


@pytest.fixture
def three_projects(db):
    rows = [
        # code, name, next due, total, completed, updated
        ("A1", "Charlie", date(2023, 6, 10), "300.00", "10.00", datetime(2023, 5, 3, tzinfo=SHANGHAI)),
        ("A2", "Alpha", date(2023, 6, 1), "100.00", "30.00", datetime(2023, 5, 1, tzinfo=SHANGHAI)),
        ("A3", "Bravo", None, "200.00", "20.00", datetime(2023, 5, 2, tzinfo=SHANGHAI)),
    ]
    for code, name, due, total, completed, updated in rows:
        project = ProjectFactory(code=code, name=name, total_investment=Decimal(total),
                                 completed_investment=Decimal(completed))
        if due:
            MilestoneFactory(project=project, due_date=due)
        Project.objects.filter(pk=project.pk).update(updated_at=updated)


@pytest.mark.parametrize("ordering, expected", [
    ("name", ["A2", "A3", "A1"]),
    ("-name", ["A1", "A3", "A2"]),
    ("code", ["A1", "A2", "A3"]),
    ("-code", ["A3", "A2", "A1"]),
    ("next_due_date", ["A2", "A1", "A3"]),  # no deadline last
    ("-next_due_date", ["A1", "A2", "A3"]),  # no deadline still last
    ("updated_at", ["A2", "A3", "A1"]),
    ("-updated_at", ["A1", "A3", "A2"]),
    ("total_investment", ["A2", "A3", "A1"]),
    ("-total_investment", ["A1", "A3", "A2"]),
    ("completed_investment", ["A1", "A3", "A2"]),
    ("-completed_investment", ["A2", "A3", "A1"]),
])
def test_project_ordering(reader_client, three_projects, ordering, expected):
    assert ordered_codes(reader_client, ordering=ordering) == expected


def test_project_default_order_is_by_code(reader_client):
    for code in ["EQ-3", "EQ-1", "EQ-2"]:
        ProjectFactory(code=code)
    assert ordered_codes(reader_client) == ["EQ-1", "EQ-2", "EQ-3"]


def test_project_ordering_ties_break_by_id(reader_client):
    for code in ["EQ-3", "EQ-1", "EQ-2"]:
        ProjectFactory(code=code, total_investment=Decimal("100.00"))
    assert ordered_codes(reader_client, ordering="total_investment") == ["EQ-3", "EQ-1", "EQ-2"]
    assert ordered_codes(reader_client, ordering="-total_investment") == ["EQ-3", "EQ-1", "EQ-2"]


def test_project_ordering_by_two_fields(reader_client):
    ProjectFactory(code="B", name="Same", total_investment=Decimal("1.00"))
    ProjectFactory(code="A", name="Same", total_investment=Decimal("2.00"))
    ProjectFactory(code="C", name="Alpha", total_investment=Decimal("3.00"))
    assert ordered_codes(reader_client, ordering="name,-total_investment") == ["C", "A", "B"]


# --- bad values ---------------------------------------------------------------------------------


@pytest.mark.parametrize("param, value", [
    ("is_overdue", "perhaps"),
    ("visit_overdue", "maybe"),
    ("status", "bogus"),
    ("category", "bogus"),
    ("warning_level", "purple"),
    ("batch", "bogus"),
    ("as_of", "2023-02-30"),
    ("as_of", "yesterday"),
    ("due_period", "2023-Q5"),
    ("due_period", "%s"),
    ("due_period", "100%"),
    ("due_before", "notadate"),
    ("due_after", "2023-13-01"),
    ("updated_after", "notadatetime"),
    ("lead_official", "abc"),
    ("batch_period", "abc"),
    ("ordering", "bogus"),
    ("year", "abc"),
    ("lead_official", "9" * 30),  # beyond any id: 400, not an overflow in the driver
    ("batch_period", "9" * 20),
])
def test_project_bad_filter_value_is_400_keyed_by_field(reader_client, project_a, param, value):
    response = reader_client.get("/api/v1/projects/", {param: value})
    assert response.status_code == 400, response.content
    assert param in response.json()


@pytest.mark.parametrize("path, param, value", [
    ("/api/v1/milestones/", "is_overdue", "perhaps"),
    ("/api/v1/milestones/", "completed", "perhaps"),
    ("/api/v1/milestones/", "state", "bogus"),
    ("/api/v1/milestones/", "kind", "bogus"),
    ("/api/v1/milestones/", "due_period", "2023-Q5"),
    ("/api/v1/milestones/", "due_before", "notadate"),
    ("/api/v1/milestones/", "project", "abc"),
    ("/api/v1/milestones/", "project", "9" * 20),
    ("/api/v1/milestones/", "as_of", "2023-02-30"),
    ("/api/v1/approvals/", "mode", "bogus"),
    ("/api/v1/approvals/", "is_overdue", "perhaps"),
    ("/api/v1/approvals/", "due_after", "notadate"),
    ("/api/v1/status-updates/", "reported_after", "notadate"),
    ("/api/v1/status-updates/", "project", "abc"),
    ("/api/v1/visits/", "official", "abc"),
    ("/api/v1/officials/", "is_active", "perhaps"),
])
def test_bad_filter_value_is_400_on_every_list(reader_client, project_a, path, param, value):
    response = reader_client.get(path, {param: value})
    assert response.status_code == 400, response.content
    assert param in response.json()


@pytest.mark.parametrize("path", ["/api/v1/projects/", "/api/v1/milestones/", "/api/v1/officials/",
                                  "/api/v1/projects/{pk}/"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_as_of_too_far_out_is_400_not_overflow(reader_client, project_a, path, value):
    response = reader_client.get(path.format(pk=project_a.pk), {"as_of": value})
    assert response.status_code == 400, response.content
    assert "as_of" in response.json()


@pytest.mark.parametrize("value", ["²", "１x", "9" * 30])
def test_department_odd_digits_are_400_not_500(reader_client, project_a, value):
    response = reader_client.get("/api/v1/projects/", {"department": value})
    assert response.status_code == 400 and "department" in response.json()


def test_department_full_width_digits_are_an_id(reader_client, project_a):
    full_width = str(project_a.department_id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert codes(reader_client, department=full_width) == {project_a.code}


@pytest.mark.parametrize("value", ["abc", "0", "-5", "%s"])
def test_bad_page_size_falls_back_not_500(reader_client, project_a, value):
    response = reader_client.get("/api/v1/projects/", {"page_size": value, "as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize("value", ["abc", "0", "999"])
def test_page_out_of_range_is_404_not_500(reader_client, project_a, value):
    assert reader_client.get("/api/v1/projects/", {"page": value}).status_code == 404


# --- milestones and approvals -------------------------------------------------------------------


@pytest.fixture
def milestone_pair(dept_a, dept_b, official_a, official_b):
    """An overdue start milestone of A (dept fgw, official A) and a pending completion one of B."""
    project_a = ProjectFactory(department=dept_a, lead_official=official_a)
    project_b = ProjectFactory(department=dept_b, lead_official=official_b)
    late = MilestoneFactory(project=project_a, kind="start", due_date=date(2023, 4, 30))
    later = MilestoneFactory(project=project_b, kind="completion", due_date=date(2023, 7, 1))
    return late, later


@pytest.mark.parametrize("params, expected", [
    ({"kind": "start"}, "late"),
    ({"kind": "completion"}, "later"),
    ({"state": "overdue"}, "late"),
    ({"state": "pending"}, "later"),
    ({"is_overdue": "true"}, "late"),
    ({"is_overdue": "false"}, "later"),
    ({"due_period": "2023-Q2"}, "late"),
    ({"due_period": "2023-04"}, "late"),
    ({"due_period": "2023-07"}, "later"),
    ({"due_before": "2023-04-30"}, "late"),
    ({"due_after": "2023-07-01"}, "later"),
    ({"department": "fgw"}, "late"),
    ({"department": "jyj"}, "later"),
])
def test_milestone_filter(reader_client, milestone_pair, params, expected):
    late, later = milestone_pair
    wanted = {"late": late, "later": later}[expected]
    assert ids(reader_client, "/api/v1/milestones/", **params) == {wanted.pk}


def test_milestone_filter_by_related_ids(reader_client, milestone_pair, dept_a, official_a, official_b):
    late, later = milestone_pair
    assert ids(reader_client, "/api/v1/milestones/", project=late.project_id) == {late.pk}
    assert ids(reader_client, "/api/v1/milestones/", department=dept_a.pk) == {late.pk}
    assert ids(reader_client, "/api/v1/milestones/", lead_official=official_a.pk) == {late.pk}
    assert ids(reader_client, "/api/v1/milestones/", lead_official=official_b.pk) == {later.pk}
    assert ids(reader_client, "/api/v1/milestones/", state="overdue,pending") == {late.pk, later.pk}


def test_milestone_filter_due_range_excludes_outside(reader_client, milestone_pair):
    assert ids(reader_client, "/api/v1/milestones/", due_after="2023-05-01", due_before="2023-06-30") == set()


def test_milestone_filter_completed_is_as_of(reader_client, project_a):
    done = MilestoneFactory(project=project_a, due_date=date(2023, 6, 30), completed_on=date(2023, 5, 4))
    done_later = MilestoneFactory(project=project_a, due_date=date(2023, 6, 30), completed_on=date(2023, 5, 5))
    open_ = MilestoneFactory(project=project_a, due_date=date(2023, 6, 30))
    assert ids(reader_client, "/api/v1/milestones/", completed="true") == {done.pk}
    assert ids(reader_client, "/api/v1/milestones/", completed="false") == {done_later.pk, open_.pk}
    assert ids(reader_client, "/api/v1/milestones/", completed="true", as_of="2023-05-05") == {done.pk, done_later.pk}


@pytest.fixture
def approval_pair(dept_a, dept_b, official_a, official_b):
    """Approvals issued by the other department: `department` filters on the project's department."""
    project_a = ProjectFactory(department=dept_a, lead_official=official_a)
    project_b = ProjectFactory(department=dept_b, lead_official=official_b)
    late = ApprovalItemFactory(project=project_a, department=dept_b, mode="parallel", due_date=date(2023, 4, 30))
    later = ApprovalItemFactory(project=project_b, department=dept_a, mode="tolerance", due_date=date(2023, 7, 1))
    return late, later


@pytest.mark.parametrize("params, expected", [
    ({"mode": "parallel"}, "late"),
    ({"mode": "tolerance"}, "later"),
    ({"is_overdue": "true"}, "late"),
    ({"is_overdue": "false"}, "later"),
    ({"due_period": "2023-Q2"}, "late"),
    ({"due_period": "2023-07"}, "later"),
    ({"due_before": "2023-04-30"}, "late"),
    ({"due_after": "2023-07-01"}, "later"),
    ({"department": "fgw"}, "late"),
    ({"department": "jyj"}, "later"),
])
def test_approval_filter(reader_client, approval_pair, params, expected):
    late, later = approval_pair
    wanted = {"late": late, "later": later}[expected]
    assert ids(reader_client, "/api/v1/approvals/", **params) == {wanted.pk}


def test_approval_filter_by_related_ids(reader_client, approval_pair, dept_a, official_a, official_b):
    late, later = approval_pair
    assert ids(reader_client, "/api/v1/approvals/", project=late.project_id) == {late.pk}
    assert ids(reader_client, "/api/v1/approvals/", department=dept_a.pk) == {late.pk}
    assert ids(reader_client, "/api/v1/approvals/", lead_official=official_a.pk) == {late.pk}
    assert ids(reader_client, "/api/v1/approvals/", lead_official=official_b.pk) == {later.pk}
    assert ids(reader_client, "/api/v1/approvals/", mode=["parallel", "tolerance"]) == {late.pk, later.pk}


def test_approval_filter_completed_is_as_of(reader_client, project_a, dept_a):
    done = ApprovalItemFactory(project=project_a, department=dept_a, completed_on=date(2023, 5, 4))
    done_later = ApprovalItemFactory(project=project_a, department=dept_a, completed_on=date(2023, 5, 5))
    open_ = ApprovalItemFactory(project=project_a, department=dept_a)
    assert ids(reader_client, "/api/v1/approvals/", completed="true") == {done.pk}
    assert ids(reader_client, "/api/v1/approvals/", completed="false") == {done_later.pk, open_.pk}


def test_approval_filter_by_approving_department(reader_client, approval_pair, dept_a):
    late, later = approval_pair  # late is issued by jyj for a project of fgw
    assert ids(reader_client, "/api/v1/approvals/", approving_department="jyj") == {late.pk}
    assert ids(reader_client, "/api/v1/approvals/", approving_department=dept_a.pk) == {later.pk}


# --- status updates, visits, officials ----------------------------------------------------------


def test_status_update_filter_by_project_and_department(reader_client, project_a, project_b, dept_a):
    mine = StatusUpdateFactory(project=project_a)
    other = StatusUpdateFactory(project=project_b)
    assert ids(reader_client, "/api/v1/status-updates/", project=project_a.pk) == {mine.pk}
    assert ids(reader_client, "/api/v1/status-updates/", department=dept_a.pk) == {mine.pk}
    assert ids(reader_client, "/api/v1/status-updates/", department="jyj") == {other.pk}


@pytest.mark.parametrize("params, expected", [
    ({"reported_after": "2023-05-04"}, {"may4", "may8"}),
    ({"reported_after": "2023-05-05"}, {"may8"}),
    ({"reported_before": "2023-05-04"}, {"may1", "may4"}),
    ({"reported_before": "2023-05-03"}, {"may1"}),
    ({"reported_after": "2023-05-04", "reported_before": "2023-05-04"}, {"may4"}),
])
def test_status_update_filter_reported_range_includes_bounds(reader_client, project_a, params, expected):
    made = {name: StatusUpdateFactory(project=project_a, reported_on=day).pk for name, day in [
        ("may1", date(2023, 5, 1)), ("may4", date(2023, 5, 4)), ("may8", date(2023, 5, 8)),
    ]}
    assert ids(reader_client, "/api/v1/status-updates/", **params) == {made[name] for name in expected}


def test_visit_filters(reader_client, project_a, project_b, official_a, official_b, dept_a):
    mine = VisitFactory(project=project_a, official=official_a)
    other = VisitFactory(project=project_b, official=official_b)
    assert ids(reader_client, "/api/v1/visits/", project=project_a.pk) == {mine.pk}
    assert ids(reader_client, "/api/v1/visits/", official=official_b.pk) == {other.pk}
    assert ids(reader_client, "/api/v1/visits/", department=dept_a.pk) == {mine.pk}
    assert ids(reader_client, "/api/v1/visits/", department="jyj") == {other.pk}


def test_visit_filter_by_kind(reader_client, project_a):
    survey = VisitFactory(project=project_a, kind="survey")
    call = VisitFactory(project=project_a, kind="call")
    assert ids(reader_client, "/api/v1/visits/", kind="survey") == {survey.pk}
    assert ids(reader_client, "/api/v1/visits/", kind="call,inspection") == {call.pk}


@pytest.mark.parametrize("params, expected", [
    ({"visited_after": "2023-05-04"}, {"may4", "may8"}),
    ({"visited_after": "2023-05-05"}, {"may8"}),
    ({"visited_before": "2023-05-04"}, {"may1", "may4"}),
    ({"visited_before": "2023-04-30"}, set()),
])
def test_visit_filter_visited_range_includes_bounds(reader_client, project_a, params, expected):
    made = {name: VisitFactory(project=project_a, visited_on=day).pk for name, day in [
        ("may1", date(2023, 5, 1)), ("may4", date(2023, 5, 4)), ("may8", date(2023, 5, 8)),
    ]}
    assert ids(reader_client, "/api/v1/visits/", **params) == {made[name] for name in expected}


def test_official_search_by_name(reader_client, official_a, official_b):
    assert ids(reader_client, "/api/v1/officials/", search="王") == {official_a.pk}


def test_official_filters(reader_client, official_a, official_b, dept_a):
    retired = OfficialFactory(name="赵三", department=dept_a, is_active=False)
    assert ids(reader_client, "/api/v1/officials/", department=dept_a.pk) == {official_a.pk, retired.pk}
    assert ids(reader_client, "/api/v1/officials/", department="jyj") == {official_b.pk}
    assert ids(reader_client, "/api/v1/officials/", is_active="false") == {retired.pk}
    assert ids(reader_client, "/api/v1/officials/", is_active="true") == {official_a.pk, official_b.pk}


# --- pagination ---------------------------------------------------------------------------------


def _bulk_projects(n: int) -> None:
    department = DepartmentFactory()
    Project.objects.bulk_create(
        Project(code=f"EQ-{i:04d}", name=f"项目{i}", year=2023, category="start", department=department)
        for i in range(n)
    )


def test_pagination_default_page_is_50(reader_client):
    _bulk_projects(51)
    body = _get(reader_client, "/api/v1/projects/")
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], len(body["results"]), body["previous"]) == (51, 50, None)
    assert body["next"] is not None
    second = _get(reader_client, "/api/v1/projects/", {"page": 2})
    assert [row["code"] for row in second["results"]] == ["EQ-0050"]
    assert (second["next"], second["previous"] is not None) == (None, True)


def test_pagination_page_size_is_honoured(reader_client):
    _bulk_projects(12)
    assert len(_get(reader_client, "/api/v1/projects/", {"page_size": 5})["results"]) == 5


def test_pagination_page_size_is_capped_at_500(reader_client):
    Department.objects.bulk_create(Department(code=f"d{i:04d}", name=f"单位{i}") for i in range(501))
    body = _get(reader_client, "/api/v1/departments/", {"page_size": 1000})
    assert (body["count"], len(body["results"])) == (501, 500)


def test_pagination_projects_page_size_is_capped_at_500(reader_client):
    _bulk_projects(501)
    body = _get(reader_client, "/api/v1/projects/", {"page_size": 1000})
    assert (body["count"], len(body["results"])) == (501, 500)
