"""Rules of docs/contract.md that no other test file checks strictly, each checked through HTTP.

One test (or one parametrized test) per rule, named for it. as_of is always pinned.
"""

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from projects.domain.dates import today
from projects.models import ApprovalItem, Department, Project, StatusUpdate, Visit
from tests.conftest import AS_OF
from tests.factories import (
    ApprovalItemFactory,
    MilestoneFactory,
    OfficialFactory,
    ProjectBatchFactory,
    ProjectFactory,
    StatusUpdateFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db
PIN = {"as_of": AS_OF.isoformat()}
OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
CJK = re.compile(r"[\u4e00-\u9fff]")


def get(client, url, **params) -> dict:
    response = client.get(url, {**PIN, **params})
    assert response.status_code == 200, (url, response.content)
    return response.json()


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@pytest.fixture
def world(project_a, dept_a, official_a, admin_client):
    """One of everything around project_a, all dated on or before AS_OF, one status update through the API."""
    Project.objects.filter(pk=project_a.pk).update(
        total_investment=Decimal("150000"), annual_plan_investment=Decimal("30000.5"),
        completed_investment=Decimal("1000"), category="start", level="provincial", sector="housing",
    )
    ProjectBatchFactory(project=project_a, period=7, kind="starting")
    milestone = MilestoneFactory(project=project_a, kind="start", title="二季度实质性开工", due_date=date(2023, 4, 1))
    visit = VisitFactory(project=project_a, visited_on=date(2023, 3, 1), kind="inspection")
    approval = ApprovalItemFactory(project=project_a, department=dept_a, mode="parallel", due_date=date(2023, 4, 1))
    response = admin_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/", {
        "note": "主体施工", "completed_investment": "2000", "progress_percent": 30, "reported_on": "2023-05-04",
    }, format="json")
    assert response.status_code == 201, response.content
    return {"project": project_a, "milestone": milestone, "visit": visit, "approval": approval,
            "report": StatusUpdate.objects.get(pk=response.json()["id"])}


def detail_urls(w) -> dict:
    return {
        "project": f"/api/v1/projects/{w['project'].pk}/",
        "milestone": f"/api/v1/milestones/{w['milestone'].pk}/",
        "visit": f"/api/v1/visits/{w['visit'].pk}/",
        "approval": f"/api/v1/approvals/{w['approval'].pk}/",
        "status_update": f"/api/v1/status-updates/{w['report'].pk}/",
        "official": f"/api/v1/officials/{w['project'].lead_official_id}/",
        "department": f"/api/v1/departments/{w['project'].department_id}/",
    }


LISTS = ["/api/v1/departments/", "/api/v1/officials/", "/api/v1/projects/", "/api/v1/milestones/",
         "/api/v1/status-updates/", "/api/v1/visits/", "/api/v1/approvals/"]


# --- Conventions: UTF-8, Chinese text as is ------------------------------------------------------


def test_chinese_text_with_rare_cjk_and_emoji_round_trips(admin_client, project_a):
    name = "二七区𠀀𪚥 产业园🏗️﨑"  # 4-byte CJK extension B, emoji with variation selector, compatibility ideograph
    response = admin_client.patch(f"/api/v1/projects/{project_a.pk}/", {"name": name}, format="json")
    assert response.status_code == 200, response.content
    assert Project.objects.get(pk=project_a.pk).name == name
    read = admin_client.get(f"/api/v1/projects/{project_a.pk}/", PIN)
    assert read.json()["name"] == name
    assert name.encode("utf-8") in read.content  # raw UTF-8, not \\u escapes
    report = admin_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/", {"note": name}, format="json")
    assert report.json()["note"] == name
    assert get(admin_client, "/api/v1/status-updates/")["results"][0]["note"] == name


# --- Conventions: money, datetimes, numbers -------------------------------------------------------


def test_money_is_a_decimal_string_with_two_places_everywhere(reader_client, world):
    project = get(reader_client, detail_urls(world)["project"])
    assert (project["total_investment"], project["annual_plan_investment"], project["completed_investment"]) == (
        "150000.00", "30000.50", "2000.00")
    listed = get(reader_client, "/api/v1/projects/")["results"][0]
    assert listed["total_investment"] == "150000.00"
    report = get(reader_client, detail_urls(world)["status_update"])
    assert report["completed_investment"] == "2000.00"
    nested = get(reader_client, f"/api/v1/projects/{world['project'].pk}/status-updates/")["results"][0]
    assert nested["completed_investment"] == "2000.00"
    weekly = get(reader_client, "/api/v1/reports/weekly/", week="2023-W18")
    assert [row["completed_investment"] for row in weekly["status_updates"]] == ["2000.00"]
    investment = get(reader_client, "/api/v1/stats/summary/")["investment"]
    assert (investment["annual_plan"], investment["completed"]) == ("30000.50", "2000.00")


def test_datetimes_carry_the_shanghai_offset(reader_client, world):
    urls = detail_urls(world)
    stamps = []
    for key, fields in [("project", ["created_at", "updated_at"]), ("milestone", ["created_at", "updated_at"]),
                        ("approval", ["created_at", "updated_at"]), ("visit", ["created_at"]),
                        ("status_update", ["created_at"])]:
        body = get(reader_client, urls[key])
        stamps += [(key, field, body[field]) for field in fields]
    assert [s for s in stamps if not OFFSET.match(s[2] or "")] == []


def test_dates_are_iso_8601(reader_client, world):
    project = get(reader_client, detail_urls(world)["project"])
    assert (project["next_due_date"], project["last_visit_on"]) == ("2023-04-01", "2023-03-01")
    assert get(reader_client, detail_urls(world)["milestone"])["due_date"] == "2023-04-01"
    assert get(reader_client, detail_urls(world)["status_update"])["reported_on"] == "2023-05-04"


def test_counts_and_progress_are_integers_rates_are_numbers(reader_client, world):
    project = get(reader_client, detail_urls(world)["project"])
    assert all(is_int(project[f]) for f in ("id", "year", "progress_percent", "overdue_milestone_count", "version"))
    assert is_int(get(reader_client, detail_urls(world)["milestone"])["days_overdue"])
    official = get(reader_client, detail_urls(world)["official"])
    assert all(is_int(official[f]) for f in ("project_count", "overdue_project_count", "visit_overdue_project_count"))
    summary = get(reader_client, "/api/v1/stats/summary/")
    counts = [summary["project_count"], summary["year"]]
    for key in ("by_category", "by_level", "by_status", "by_sector", "by_warning_level", "milestones"):
        counts += list(summary[key].values())
    counts += [summary["start_rate"]["target"], summary["start_rate"]["started"], summary["approvals"]["total"],
               summary["approvals"]["done"], summary["visits"]["active_projects"], summary["visits"]["overdue"]]
    counts += [b[f] for b in summary["batches"] for f in ("period", "count", "achieved")]
    assert summary["project_count"] == 1 and all(is_int(c) for c in counts), counts
    rates = [summary["investment"]["completion_rate"], summary["investment"]["time_progress"],
             summary["start_rate"]["rate"], summary["approvals"]["rate"], summary["visits"]["compliance_rate"]]
    assert all(is_number(r) for r in rates), rates
    weekly = get(reader_client, "/api/v1/reports/weekly/", week="2023-W18")
    assert weekly["departments"]
    assert all(is_int(row[f]) for row in weekly["departments"] for f in ("projects", "updated", "overdue", "red"))


# --- Conventions: codes with their Chinese labels --------------------------------------------------

# Labels the contract states; other codes need a Chinese label of some kind.
LABELS = {
    "category": {"start": "开工类", "construction": "在建类", "preparation": "前期类"},
    "level": {"provincial": "省重点", "municipal": "市重点", "district": "区重点"},
    "sector": {"industry": "产业", "housing": "安居保障"},
    "status": {"planned": "谋划中", "signed": "已签约", "under_construction": "在建", "completed": "已建成",
               "operating": "已投产达效", "suspended": "停缓建", "cancelled": "已取消"},
    "batch": {"signing": "签约一批", "starting": "开工一批", "commissioning": "投产一批"},
    "milestone": {"signing": "签约", "start": "开工", "completion": "建成", "commissioning": "投产"},
    "visit": {"survey": "调研", "inspection": "现场督导", "call": "电话联系"},
    "mode": {"parallel": "并联审批", "tolerance": "容缺办理"},
}


def check_display(obj: dict, field: str, labels: dict | None = None) -> None:
    assert f"{field}_display" in obj, (field, obj)
    label = obj[f"{field}_display"]
    assert isinstance(label, str) and CJK.search(label), (field, label)
    if labels and obj[field] in labels:
        assert label == labels[obj[field]], (field, obj[field], label)


def test_every_coded_field_has_its_chinese_display(reader_client, world):
    urls = detail_urls(world)
    project = get(reader_client, urls["project"])
    for field in ("category", "level", "sector", "status"):
        check_display(project, field, LABELS[field])
    check_display(project, "warning_level")
    check_display(project["batches"][0], "kind", LABELS["batch"])
    check_display(project["milestones"][0], "kind", LABELS["milestone"])
    check_display(project["milestones"][0], "state")
    milestone = get(reader_client, urls["milestone"])
    check_display(milestone, "kind", LABELS["milestone"])
    check_display(milestone, "state")
    report = get(reader_client, urls["status_update"])
    check_display(report, "status_from", LABELS["status"])
    check_display(report, "status_to", LABELS["status"])
    check_display(get(reader_client, urls["visit"]), "kind", LABELS["visit"])
    check_display(get(reader_client, urls["approval"]), "mode", LABELS["mode"])
    weekly = get(reader_client, "/api/v1/reports/weekly/", week="2023-W18")
    check_display(weekly["status_updates"][0], "status_to", LABELS["status"])


def test_warning_reasons_codes_have_their_display(reader_client, world):
    reasons = get(reader_client, detail_urls(world)["project"])["warning_reasons"]
    assert {r["rule"] for r in reasons} >= {"milestone_overdue", "visit_overdue"}
    for reason in reasons:
        check_display(reason, "rule")
        check_display(reason, "level")


# --- Conventions: related objects -------------------------------------------------------------------


def test_related_objects_read_as_brief_nested_objects(reader_client, world, dept_a, official_a):
    urls = detail_urls(world)
    brief_dept = {"id": dept_a.pk, "code": "fgw", "name": "发展改革委"}
    p = world["project"]
    brief_project = {"id": p.pk, "code": p.code, "name": p.name}
    project = get(reader_client, urls["project"])
    assert project["department"] == brief_dept
    assert (project["lead_official"]["id"], project["lead_official"]["name"]) == (official_a.pk, "王一")
    assert get(reader_client, urls["official"])["department"] == brief_dept
    for key in ("milestone", "visit", "approval", "status_update"):
        assert get(reader_client, urls[key])["project"] == brief_project, key
    assert get(reader_client, urls["approval"])["department"] == brief_dept
    assert get(reader_client, urls["visit"])["official"]["id"] == official_a.pk


def test_related_objects_are_written_as_ids_and_a_nested_object_is_400(admin_client, world, dept_a):
    p = world["project"]
    body = {"project": p.pk, "name": "施工许可证", "department": dept_a.pk, "mode": "normal", "due_date": "2023-06-30"}
    assert admin_client.post("/api/v1/approvals/", body, format="json").status_code == 201
    before = ApprovalItem.objects.count()
    nested = {**body, "department": {"id": dept_a.pk, "code": "fgw", "name": "发展改革委"}}
    response = admin_client.post("/api/v1/approvals/", nested, format="json")
    assert response.status_code == 400 and "department" in response.json()
    assert ApprovalItem.objects.count() == before


# --- Conventions: lists ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS + ["project-status-updates"])
def test_every_list_is_paginated_with_count_next_previous_results(reader_client, world, url):
    if url == "project-status-updates":
        url = f"/api/v1/projects/{world['project'].pk}/status-updates/"
    body = get(reader_client, url, page_size=1)
    assert set(body) == {"count", "next", "previous", "results"}
    assert is_int(body["count"]) and body["count"] >= 1 and len(body["results"]) == 1
    assert body["previous"] is None


def _default_ordering(url) -> tuple[list[str], type]:
    """The field names of the default order of a list endpoint's queryset, and its model."""
    from projects import selectors

    qs = {
        "departments": selectors.department_list, "officials": lambda: selectors.official_list(as_of=AS_OF),
        "projects": lambda: selectors.project_list(as_of=AS_OF),
        "milestones": lambda: selectors.milestone_list(as_of=AS_OF),
        "status-updates": selectors.status_update_list, "visits": selectors.visit_list,
        "approvals": lambda: selectors.approval_item_list(as_of=AS_OF),
    }[url.strip("/").split("/")[-1]]()
    terms = list(qs.query.order_by) or list(qs.model._meta.ordering)
    return [getattr(getattr(t, "expression", t), "name", str(t)).lstrip("-") for t in terms], qs.model


@pytest.mark.parametrize("url", LISTS)
def test_every_list_default_order_ends_in_a_unique_key(url):
    names, model = _default_ordering(url)
    last = model._meta.get_field("id" if names[-1] == "pk" else names[-1])
    assert last.primary_key or last.unique, (url, names)


def test_equal_sort_keys_come_back_by_id(reader_client, project_a, dept_a):
    twins = [MilestoneFactory(project=project_a, due_date=date(2023, 6, 30)) for _ in range(3)]
    assert [r["id"] for r in get(reader_client, "/api/v1/milestones/")["results"]] == sorted(m.pk for m in twins)
    same = [OfficialFactory(name="同名", title=f"职务{n}", department=dept_a) for n in (3, 1, 2)]
    rows = get(reader_client, "/api/v1/officials/", search="同名")["results"]
    assert [r["id"] for r in rows] == sorted(o.pk for o in same)
    items = [ApprovalItemFactory(project=project_a, department=dept_a, due_date=date(2023, 6, 30)) for _ in range(3)]
    assert [r["id"] for r in get(reader_client, "/api/v1/approvals/")["results"]] == sorted(i.pk for i in items)


def test_visits_list_newest_first_ties_by_newer_id(reader_client, project_a):
    old = VisitFactory(project=project_a, visited_on=date(2023, 4, 1))
    twins = [VisitFactory(project=project_a, visited_on=date(2023, 5, 1)) for _ in range(2)]
    assert [r["id"] for r in get(reader_client, "/api/v1/visits/")["results"]] == [twins[1].pk, twins[0].pk, old.pk]


# --- Conventions: ?as_of everywhere ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["project", "milestone", "visit", "approval", "status_update", "official",
                                 "department", "project_status_updates", "summary", "weekly", *LISTS])
def test_as_of_is_accepted_and_validated_on_every_list_detail_and_report(reader_client, world, key):
    url = {**detail_urls(world), "project_status_updates": f"/api/v1/projects/{world['project'].pk}/status-updates/",
           "summary": "/api/v1/stats/summary/", "weekly": "/api/v1/reports/weekly/"}.get(key, key)
    assert reader_client.get(url, PIN).status_code == 200
    bad = reader_client.get(url, {"as_of": "2023-02-30"})
    assert bad.status_code == 400 and "as_of" in bad.json()


def test_as_of_moves_the_flags_of_official_milestone_and_approval_details(reader_client, world):
    urls = detail_urls(world)  # the milestone and approval are due 2023-04-01, open
    assert get(reader_client, urls["milestone"], as_of="2023-04-01")["state"] == "due_soon"
    assert get(reader_client, urls["milestone"])["state"] == "overdue"
    assert get(reader_client, urls["approval"], as_of="2023-04-01")["is_overdue"] is False
    assert get(reader_client, urls["approval"])["is_overdue"] is True
    assert get(reader_client, urls["official"], as_of="2023-03-02")["overdue_project_count"] == 0
    assert get(reader_client, urls["official"])["overdue_project_count"] == 1
    assert get(reader_client, urls["project"], as_of="2023-03-02")["is_overdue"] is False


def test_a_visit_after_as_of_does_not_count_on_the_official_or_in_the_list(reader_client, project_a, official_a):
    VisitFactory(project=project_a, visited_on=date(2023, 3, 1))
    VisitFactory(project=project_a, visited_on=date(2023, 5, 10))
    row = get(reader_client, "/api/v1/projects/")["results"][0]
    assert (row["last_visit_on"], row["visit_overdue"]) == ("2023-03-01", True)
    assert get(reader_client, f"/api/v1/officials/{official_a.pk}/")["visit_overdue_project_count"] == 1
    assert get(reader_client, "/api/v1/stats/summary/")["visits"]["overdue"] == 1


# --- Conventions: a completion or visit dated after today is 400 --------------------------------------


def test_approval_completed_after_today_is_400(admin_client, world, dept_a):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    body = {"project": world["project"].pk, "name": "施工许可证", "department": dept_a.pk, "mode": "normal",
            "due_date": "2023-06-30", "completed_on": tomorrow}
    response = admin_client.post("/api/v1/approvals/", body, format="json")
    assert response.status_code == 400 and "completed_on" in response.json()
    approval = world["approval"]
    response = admin_client.patch(f"/api/v1/approvals/{approval.pk}/", {"completed_on": tomorrow}, format="json")
    assert response.status_code == 400 and "completed_on" in response.json()
    approval.refresh_from_db()
    assert approval.completed_on is None
    assert ApprovalItem.objects.count() == 1


def test_visit_dated_after_today_is_400(admin_client, world):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    body = {"project": world["project"].pk, "visited_on": tomorrow, "kind": "survey"}
    response = admin_client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 400 and "visited_on" in response.json()
    visit = world["visit"]
    response = admin_client.patch(f"/api/v1/visits/{visit.pk}/", {"visited_on": tomorrow}, format="json")
    assert response.status_code == 400 and "visited_on" in response.json()
    visit.refresh_from_db()
    assert visit.visited_on == date(2023, 3, 1) and Visit.objects.count() == 1


def test_completion_and_visit_dated_today_are_accepted(admin_client, world):
    today_ = today().isoformat()
    assert admin_client.patch(f"/api/v1/milestones/{world['milestone'].pk}/", {"completed_on": today_},
                              format="json").status_code == 200
    assert admin_client.patch(f"/api/v1/visits/{world['visit'].pk}/", {"visited_on": today_},
                              format="json").status_code == 200


# --- Conventions: errors are never a 500 --------------------------------------------------------------


@pytest.mark.parametrize("path, body", [
    ("/api/v1/approvals/", {"department": 10 ** 30}),
    ("/api/v1/approvals/", {"project": "abc"}),
    ("/api/v1/visits/", {"official": 10 ** 30}),
    ("/api/v1/milestones/", {"project": -1}),
    ("/api/v1/projects/", {"total_investment": "1e400"}),
    ("/api/v1/projects/", {"progress_percent": 10 ** 30}),
    ("/api/v1/projects/", {"progress_percent": 101}),
])
def test_bad_write_values_are_400_not_500(admin_client, world, dept_a, path, body):
    base = {
        "/api/v1/approvals/": {"project": world["project"].pk, "name": "许可证", "department": dept_a.pk,
                               "mode": "normal"},
        "/api/v1/visits/": {"project": world["project"].pk, "visited_on": "2023-05-01", "kind": "survey"},
        "/api/v1/milestones/": {"project": world["project"].pk, "kind": "start", "title": "开工"},
        "/api/v1/projects/": {"code": "EQ-NEW", "name": "新项目", "year": 2023, "category": "start",
                              "level": "district", "sector": "industry", "department": dept_a.pk},
    }[path]
    response = admin_client.post(path, {**base, **body}, format="json")
    assert response.status_code == 400, response.content
    assert set(body) <= set(response.json())


@pytest.mark.parametrize("payload, content_type", [("{not json", "application/json"), ("[1, 2]", "application/json")])
def test_malformed_json_body_is_400(admin_client, world, payload, content_type):
    response = admin_client.generic("POST", f"/api/v1/projects/{world['project'].pk}/status-updates/", payload,
                                    content_type=content_type)
    assert response.status_code == 400
    assert StatusUpdate.objects.count() == 1


# --- Departments and officials ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["fgw", "发改委", "with space", "123", "1_2"])
def test_department_code_is_a_unique_slug_with_a_letter(admin_client, dept_a, code):
    before = Department.objects.count()
    response = admin_client.post("/api/v1/departments/", {"code": code, "name": "新单位"}, format="json")
    assert response.status_code == 400 and "code" in response.json(), response.content
    assert Department.objects.count() == before


def test_resource_fields_are_those_of_the_contract(reader_client, world):
    urls = detail_urls(world)
    expected = {
        "department": {"id", "code", "name"},
        "official": {"id", "name", "title", "department", "phone", "is_active", "project_count",
                     "overdue_project_count", "visit_overdue_project_count"},
        "project": {"id", "code", "name", "year", "category", "level", "sector", "zone", "status", "batches",
                    "total_investment", "annual_plan_investment", "completed_investment", "progress_percent",
                    "floor_area", "owner", "department", "lead_official", "description", "milestones",
                    "next_due_date", "is_overdue", "overdue_milestone_count", "warning_level", "warning_reasons",
                    "last_visit_on", "visit_overdue", "version", "created_at", "updated_at"},
        "milestone": {"id", "project", "kind", "title", "due_period", "due_date", "completed_on", "note", "state",
                      "is_overdue", "days_overdue"},
        "status_update": {"status_from", "status_to", "reported_by", "reported_on", "created_at", "note",
                          "problems", "next_steps", "completed_investment", "progress_percent"},
        "visit": {"id", "project", "official", "visited_on", "kind", "note"},
        "approval": {"id", "project", "name", "department", "mode", "due_date", "completed_on", "is_overdue"},
    }
    missing = {key: fields - set(get(reader_client, urls[key])) for key, fields in expected.items()}
    assert {k: v for k, v in missing.items() if v} == {}
    reasons = get(reader_client, urls["project"])["warning_reasons"]
    assert reasons and all({"rule", "detail"} <= set(r) for r in reasons)
    assert set(get(reader_client, urls["project"])["batches"][0]) >= {"period", "kind"}


# --- Projects ------------------------------------------------------------------------------------------


def test_project_batches_are_written_as_period_and_kind(admin_client, project_a):
    body = {"batches": [{"period": 7, "kind": "starting"}, {"period": 8, "kind": "signing"}]}
    response = admin_client.patch(f"/api/v1/projects/{project_a.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    assert [(b["period"], b["kind"]) for b in response.json()["batches"]] == [(7, "starting"), (8, "signing")]
    bad = admin_client.patch(f"/api/v1/projects/{project_a.pk}/", {"batches": [{"period": 7, "kind": "x"}]},
                             format="json")
    assert bad.status_code == 400
    assert project_a.batches.count() == 2


def test_put_with_stale_if_match_is_412_and_changes_nothing(admin_client, project_a):
    url = f"/api/v1/projects/{project_a.pk}/"
    stale = admin_client.get(url, PIN)["ETag"]
    assert admin_client.patch(url, {"name": "新名"}, format="json").status_code == 200
    before = Project.objects.filter(pk=project_a.pk).values().get()
    body = {"code": project_a.code, "name": "改名", "year": 2023, "category": project_a.category,
            "level": project_a.level, "sector": project_a.sector, "department": project_a.department_id,
            "lead_official": project_a.lead_official_id}
    assert admin_client.put(url, body, format="json", HTTP_IF_MATCH=stale).status_code == 412
    assert Project.objects.filter(pk=project_a.pk).values().get() == before


def test_project_detail_etag_changes_with_a_status_update(admin_client, project_a):
    url = f"/api/v1/projects/{project_a.pk}/"
    first = admin_client.get(url, PIN)["ETag"]
    admin_client.post(f"{url}status-updates/", {"note": "进展", "progress_percent": 5}, format="json")
    assert admin_client.get(url, PIN)["ETag"] != first


# --- Status updates ---------------------------------------------------------------------------------------


def test_project_status_updates_list_newest_first(reader_client, project_a, project_b):
    may1 = StatusUpdateFactory(project=project_a, reported_on=date(2023, 5, 1))
    may3 = StatusUpdateFactory(project=project_a, reported_on=date(2023, 5, 3))
    may2 = StatusUpdateFactory(project=project_a, reported_on=date(2023, 5, 2))
    may3_later = StatusUpdateFactory(project=project_a, reported_on=date(2023, 5, 3))
    StatusUpdateFactory(project=project_b, reported_on=date(2023, 5, 4))
    expected = [may3_later.pk, may3.pk, may2.pk, may1.pk]
    rows = get(reader_client, f"/api/v1/projects/{project_a.pk}/status-updates/")["results"]
    assert [r["id"] for r in rows] == expected
    flat = get(reader_client, "/api/v1/status-updates/", project=project_a.pk)["results"]
    assert [r["id"] for r in flat] == expected


def test_status_update_records_who_and_when(department_client, project_a):
    response = department_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/",
                                      {"note": "进展", "reported_on": "2023-05-04"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["reported_by"]["id"] == department_client.user.pk
    assert (body["reported_on"], body["status_from"], body["status_to"]) == (
        "2023-05-04", project_a.status, project_a.status)


def test_status_update_of_unknown_project_is_404(admin_client, db):
    response = admin_client.post("/api/v1/projects/999999/status-updates/", {"note": "x"}, format="json")
    assert response.status_code == 404
    assert StatusUpdate.objects.count() == 0


# --- Visits -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "department"])
def test_visit_official_defaults_to_the_projects_lead_official(role_clients, project_a, official_a, role):
    body = {"project": project_a.pk, "visited_on": "2023-05-02", "kind": "call"}
    response = role_clients[role].post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["official"]["id"] == official_a.pk
    assert Visit.objects.get().official_id == official_a.pk


def test_visit_overdue_only_for_active_projects(reader_client, dept_a, official_a):
    for status in ("operating", "cancelled", "suspended", "planned"):
        ProjectFactory(code=status, status=status, department=dept_a, lead_official=official_a)
    rows = {r["code"]: r["visit_overdue"] for r in get(reader_client, "/api/v1/projects/")["results"]}
    assert rows == {"operating": False, "cancelled": False, "suspended": True, "planned": True}


# --- Warning levels: thresholds are settings ----------------------------------------------------------------


def test_warning_thresholds_are_settings(reader_client, project_a, settings):
    VisitFactory(project=project_a, visited_on=AS_OF)
    MilestoneFactory(project=project_a, due_date=AS_OF - timedelta(days=11))
    url = f"/api/v1/projects/{project_a.pk}/"
    assert get(reader_client, url)["warning_level"] == "yellow"
    settings.PORTFOLIO_WARNING = {**django_settings.PORTFOLIO_WARNING, "RED_OVERDUE_DAYS": 10}
    assert get(reader_client, url)["warning_level"] == "red"


# --- Running it: configuration from the environment -----------------------------------------------------------


def test_configuration_defaults_debug_off_and_sqlite_in_the_project_folder():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "DATABASE_URL", "PORTFOLIO_AS_OF", "REDIS_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "portfolio.settings"
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.PORTFOLIO_AS_OF)")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=django_settings.BASE_DIR, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[0] == "False" and out[1] == "projects.fast.db.sqlite3" and out[3] == "None"  # Django's, with the commit hook
    assert os.path.dirname(out[2]) == str(django_settings.BASE_DIR)
