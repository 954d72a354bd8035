"""Hostile and careless input: never a 500, always a 400 keyed by field, in Chinese, nothing written."""

import io
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.domain.dates import today
from projects.models import ApprovalItem, Lead, LeadMove, Milestone, Project, StatusUpdate, Visit
from tests.factories import ApprovalItemFactory, LeadFactory, MilestoneFactory, ProjectFactory, VisitFactory

TOMORROW = "tomorrow"


def _date(text: str) -> str:
    return (today() + timedelta(days=1)).isoformat() if text == TOMORROW else text


def bad(response, field: str) -> list[str]:
    """The Chinese messages of a 400 keyed by `field`."""
    assert response.status_code == 400, (response.status_code, response.content)
    messages = response.json()[field]
    assert messages and all(any("\u4e00" <= char <= "\u9fff" for char in message) for message in messages)
    return messages


# --- query dates -------------------------------------------------------------------------------------

DATE_PARAMETERS = [
    ("/api/v1/projects/", "as_of"),
    ("/api/v1/projects/", "due_before"),
    ("/api/v1/projects/", "due_after"),
    ("/api/v1/milestones/", "due_before"),
    ("/api/v1/milestones/", "due_after"),
    ("/api/v1/approvals/", "due_before"),
    ("/api/v1/approvals/", "due_after"),
    ("/api/v1/visits/", "visited_after"),
    ("/api/v1/visits/", "visited_before"),
    ("/api/v1/status-updates/", "reported_after"),
    ("/api/v1/status-updates/", "reported_before"),
    ("/api/v1/stats/summary/", "as_of"),
    ("/api/v1/stats/summary/", "due_before"),
    ("/api/v1/reports/weekly/", "as_of"),
    ("/api/v1/leads/", "received_after"),
    ("/api/v1/leads/", "signed_before"),
    ("/api/v1/targets/", "due_after"),
]


@pytest.mark.parametrize("url, param", DATE_PARAMETERS)
@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_query_date_outside_1900_2999_is_400(reader_client, project_a, url, param, value):
    assert "1900-01-01" in " ".join(bad(reader_client.get(url, {param: value}), param))


@pytest.mark.parametrize("url, param", DATE_PARAMETERS)
def test_query_date_bounds_are_accepted(reader_client, project_a, url, param):
    for value in ("1900-01-01", "2999-12-31"):
        assert reader_client.get(url, {param: value}).status_code == 200, (url, param, value)


@pytest.mark.parametrize("url, param", DATE_PARAMETERS)
def test_impossible_query_day_is_named(reader_client, project_a, url, param):
    assert bad(reader_client.get(url, {param: "2023-02-30"}), param) == ["2023-02-30 不是有效日期。"]


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "1899-W52", "3000-W02"])
def test_week_of_a_year_outside_1900_2999_is_400_not_500(reader_client, project_a, week):
    bad(reader_client.get("/api/v1/reports/weekly/", {"week": week}), "week")


@pytest.mark.parametrize("url, value", [
    ("/api/v1/projects/", "0001-01-01"),
    ("/api/v1/projects/", "0001-01-01T00:00:00"),
    ("/api/v1/stats/summary/", "0001-01-01T00:00:00"),
    ("/api/v1/reports/weekly/", "9999-12-31T23:59:59+08:00"),
    ("/api/v1/projects/", "2023-02-30T08:00:00"),
    ("/api/v1/projects/", "yesterday"),
])
def test_updated_after_outside_the_range_or_malformed_is_400_not_500(reader_client, project_a, url, value):
    bad(reader_client.get(url, {"updated_after": value}), "updated_after")


def test_updated_after_naive_datetime_is_read_in_shanghai(reader_client, project_a):
    # 08:00 in Shanghai is 00:00 UTC.
    Project.objects.filter(pk=project_a.pk).update(updated_at=datetime(2023, 5, 4, 0, 0, tzinfo=timezone.utc))

    def count(value):
        return reader_client.get("/api/v1/projects/", {"updated_after": value}).json()["count"]

    assert count("2023-05-04T08:00:00") == 1
    assert count("2023-05-04T08:00:01") == 0
    assert count("2023-05-04T00:00:01Z") == 0
    assert count("2023-05-04") == 1  # a date is its midnight in Shanghai


# --- unknown references in filters ------------------------------------------------------------------


@pytest.mark.parametrize("url, params, field", [
    ("/api/v1/projects/", {"department": "nope"}, "department"),
    ("/api/v1/projects/", {"department": "CGJ"}, "department"),
    ("/api/v1/projects/", {"department": "fgw,nope"}, "department"),
    ("/api/v1/projects/", {"department": "999999"}, "department"),
    ("/api/v1/projects/", {"lead_official": "999999"}, "lead_official"),
    ("/api/v1/projects/", {"lead_official": "abc"}, "lead_official"),
    ("/api/v1/stats/summary/", {"department": "nope"}, "department"),
    ("/api/v1/stats/summary/", {"lead_official": "999999"}, "lead_official"),
    ("/api/v1/reports/weekly/", {"department": "CGJ"}, "department"),
    ("/api/v1/milestones/", {"project": "999999"}, "project"),
    ("/api/v1/milestones/", {"department": "nope"}, "department"),
    ("/api/v1/approvals/", {"approving_department": "nope"}, "approving_department"),
    ("/api/v1/visits/", {"official": "999999"}, "official"),
    ("/api/v1/status-updates/", {"project": "999999"}, "project"),
    ("/api/v1/officials/", {"department": "nope"}, "department"),
    ("/api/v1/leads/", {"official": "999999"}, "official"),
    ("/api/v1/leads/", {"department": "CGJ"}, "department"),
])
def test_unknown_code_or_id_in_a_filter_is_400_naming_it(reader_client, project_a, url, params, field):
    unknown = next(part for part in params[field].split(",") if part != "fgw")
    assert unknown in " ".join(bad(reader_client.get(url, params), field))


def test_known_references_still_filter(reader_client, project_a, project_b, dept_a, official_b):
    def codes(**params):
        return {row["code"] for row in reader_client.get("/api/v1/projects/", params).json()["results"]}

    assert codes(department=f"fgw,{project_b.department_id}") == {project_a.code, project_b.code}
    assert codes(lead_official=official_b.pk) == {project_b.code}


# --- ?format= ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url, offered", [
    ("/api/v1/projects/", ["json", "csv", "xlsx"]),
    ("/api/v1/milestones/", ["json", "csv", "xlsx"]),
    ("/api/v1/reports/weekly/", ["json", "csv", "xlsx", "pdf"]),
    ("/api/v1/stats/summary/", ["json", "csv", "xlsx"]),
    ("/api/v1/visits/", ["json"]),
])
def test_unsupported_format_is_400_naming_the_formats_offered(reader_client, project_a, url, offered):
    message = " ".join(bad(reader_client.get(url, {"format": "docx"}), "format"))
    assert "docx" in message and all(fmt in message for fmt in offered)
    assert ("csv" in message) == ("csv" in offered)
    assert ("pdf" in message) == ("pdf" in offered)


@pytest.mark.parametrize("url", ["/api/v1/reports/weekly/", "/api/v1/projects/"])
def test_options_with_a_spreadsheet_format_answers_json_not_500(admin_client, url):
    # The report has no action, so csv is offered and OPTIONS answers; a list's OPTIONS offers json only.
    response = admin_client.options(f"{url}?format=csv")
    assert response.status_code in (200, 400) and response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("ordering, expected", [(",,,,", 200), ("name,,-code", 200), (",", 200), ("name,bogus", 400)])
def test_ordering_with_empty_parts_is_not_500(reader_client, project_a, ordering, expected):
    assert reader_client.get("/api/v1/projects/", {"ordering": ordering}).status_code == expected


@pytest.mark.parametrize("method", ["get", "post"])
def test_status_updates_of_a_non_integer_project_id_is_404_not_500(admin_client, method):
    response = getattr(admin_client, method)("/api/v1/projects/null,null/status-updates/", {"note": "x"},
                                             format="json")
    assert response.status_code == 404


def test_official_without_department_reads_as_null(reader_client, official_a):
    official_a.department = None
    official_a.save()
    assert reader_client.get(f"/api/v1/officials/{official_a.pk}/").json()["department"] is None


# --- dates written -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0001-01-01", "0023-05-04", "1999-12-31", "2100-01-01", TOMORROW])
def test_status_update_reported_on_out_of_range_is_400_and_changes_nothing(department_client, project_a, value):
    before = (project_a.version, project_a.progress_percent, project_a.status)
    response = department_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/",
                                      {"note": "x", "reported_on": _date(value), "progress_percent": 50},
                                      format="json")
    bad(response, "reported_on")
    project_a.refresh_from_db()
    assert (project_a.version, project_a.progress_percent, project_a.status) == before
    assert StatusUpdate.objects.count() == 0


def test_written_dates_at_the_lower_bound_are_accepted(department_client, project_a):
    response = department_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/",
                                      {"note": "x", "reported_on": "2000-01-01"}, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("body, field", [
    ({"visited_on": "0001-01-01"}, "visited_on"),
    ({"visited_on": "2100-01-01"}, "visited_on"),
    ({"visited_on": TOMORROW}, "visited_on"),
    ({"visited_on": "2023-02-30"}, "visited_on"),
])
def test_visit_date_out_of_range_is_400_and_nothing_written(department_client, project_a, body, field):
    body = {"project": project_a.pk, "kind": "survey", **{k: _date(v) for k, v in body.items()}}
    bad(department_client.post("/api/v1/visits/", body, format="json"), field)
    assert Visit.objects.count() == 0


@pytest.mark.parametrize("body, field", [
    ({"due_period": "0001-Q1"}, "due_period"),
    ({"due_period": "2100-06"}, "due_period"),
    ({"due_period": "1999-12-31"}, "due_period"),
    ({"due_date": "0001-01-01"}, "due_date"),
    ({"due_date": "2100-01-01"}, "due_date"),
    ({"completed_on": "0023-05-04"}, "completed_on"),
    ({"completed_on": TOMORROW}, "completed_on"),
])
def test_milestone_dates_out_of_range_are_400_and_nothing_written(department_client, project_a, body, field):
    body = {"project": project_a.pk, "kind": "start", "title": "开工", **{k: _date(v) for k, v in body.items()}}
    bad(department_client.post("/api/v1/milestones/", body, format="json"), field)
    assert Milestone.objects.count() == 0


def test_milestone_patch_with_year_0001_changes_nothing(department_client, project_a):
    milestone = MilestoneFactory(project=project_a)
    for body, field in (({"completed_on": "0001-01-01"}, "completed_on"), ({"due_period": "0001-Q1"}, "due_period")):
        bad(department_client.patch(f"/api/v1/milestones/{milestone.pk}/", body, format="json"), field)
    milestone.refresh_from_db()
    assert (milestone.completed_on, milestone.due_date) == (None, date(2023, 6, 30))


@pytest.mark.parametrize("body, field", [
    ({"due_date": "0001-01-01"}, "due_date"),
    ({"completed_on": "2100-01-01"}, "completed_on"),
    ({"completed_on": TOMORROW}, "completed_on"),
])
def test_approval_dates_out_of_range_are_400_and_changes_nothing(department_client, project_a, dept_a, body, field):
    approval = ApprovalItemFactory(project=project_a, department=dept_a)
    body = {k: _date(v) for k, v in body.items()}
    bad(department_client.patch(f"/api/v1/approvals/{approval.pk}/", body, format="json"), field)
    create = {"project": project_a.pk, "name": "施工许可证", "department": dept_a.pk, "mode": "normal", **body}
    bad(department_client.post("/api/v1/approvals/", create, format="json"), field)
    approval.refresh_from_db()
    assert (approval.due_date, approval.completed_on) == (date(2023, 6, 30), None)
    assert ApprovalItem.objects.count() == 1


@pytest.mark.parametrize("call", ["status_update", "visit", "milestone_period", "milestone_completed", "approval"])
def test_services_refuse_dates_out_of_range_so_the_admin_does_too(admin_client, project_a, dept_a, call):
    user, old = admin_client.user, date(1, 1, 1)
    write = {
        "status_update": lambda: services.status_update_create(project=project_a, user=user, note="x",
                                                               reported_on=old),
        "visit": lambda: services.visit_create(user=user, project=project_a, visited_on=old),
        "milestone_period": lambda: services.milestone_create(project=project_a, user=user, kind="start",
                                                              title="开工", due_period="0001-Q1"),
        "milestone_completed": lambda: services.milestone_create(project=project_a, user=user, kind="start",
                                                                 title="开工", completed_on=old),
        "approval": lambda: services.approval_item_create(user=user, project=project_a, name="证",
                                                          department=dept_a, due_date=date(2100, 1, 1)),
    }[call]
    with pytest.raises(ValidationError) as caught:
        write()
    assert set(caught.value.message_dict) <= {"reported_on", "visited_on", "due_period", "completed_on", "due_date"}
    assert (StatusUpdate.objects.count(), Visit.objects.count(), Milestone.objects.count(),
            ApprovalItem.objects.count()) == (0, 0, 0, 0)


@pytest.mark.parametrize("value", ["0001-01-01", "2100-01-01", TOMORROW, "2023-02-30"])
def test_lead_dates_out_of_range_are_400_and_nothing_written(admin_client, dept_a, value):
    lead = LeadFactory(department=dept_a)
    bad(admin_client.post(f"/api/v1/leads/{lead.pk}/moves/", {"stage": "contacted", "moved_on": _date(value)},
                          format="json"), "moved_on")
    body = {"name": "新线索", "enterprise": "某企业", "sector": "industry", "amount": "100.00", "source": "交流会",
            "department": dept_a.pk, "received_on": _date(value)}
    bad(admin_client.post("/api/v1/leads/", body, format="json"), "received_on")
    lead.refresh_from_db()
    assert (lead.stage, Lead.objects.count(), LeadMove.objects.count()) == ("lead", 1, 0)


@pytest.mark.parametrize("value", ["0001-01-01", "2100-01-01", TOMORROW])
def test_delivery_stalled_since_out_of_range_is_400_and_changes_nothing(admin_client, project_a, value):
    response = admin_client.patch(f"/api/v1/projects/{project_a.pk}/", {"delivery": {"stalled_since": _date(value)}},
                                  format="json")
    assert response.status_code == 400, response.content
    project_a.refresh_from_db()
    assert project_a.delivery_stalled_since is None


@pytest.mark.parametrize("due_period", ["0001-Q1", "2100-12-31", "2023-02-30"])
def test_target_due_period_out_of_range_is_400_and_nothing_written(admin_client, due_period):
    body = {"year": 2023, "name": "省市重点项目完成投资", "metric": "completed_investment", "value": "100",
            "due_period": due_period}
    bad(admin_client.post("/api/v1/targets/", body, format="json"), "due_period")
    assert admin_client.get("/api/v1/targets/").json()["count"] == 0


def test_a_visit_patched_into_the_future_changes_nothing(department_client, project_a):
    visit = VisitFactory(project=project_a)
    bad(department_client.patch(f"/api/v1/visits/{visit.pk}/", {"visited_on": _date(TOMORROW)}, format="json"),
        "visited_on")
    visit.refresh_from_db()
    assert visit.visited_on == date(2023, 5, 1)


# --- errors people can act on ----------------------------------------------------------------------------


@pytest.mark.parametrize("url, body, field", [
    ("status-updates", {"note": "x", "reported_on": "2023-02-30"}, "reported_on"),
    ("/api/v1/visits/", {"kind": "survey", "visited_on": "2023-02-30"}, "visited_on"),
    ("/api/v1/milestones/", {"kind": "start", "title": "开工", "due_date": "2023-02-30"}, "due_date"),
    ("/api/v1/milestones/", {"kind": "start", "title": "开工", "due_period": "2023-02-30"}, "due_period"),
])
def test_impossible_day_in_a_body_is_named(department_client, project_a, url, body, field):
    if url == "status-updates":
        url = f"/api/v1/projects/{project_a.pk}/status-updates/"
    else:
        body = {"project": project_a.pk, **body}
    assert bad(department_client.post(url, body, format="json"), field) == ["2023-02-30 不是有效日期。"]


@pytest.mark.parametrize("value", ["2023/05/04", "04-05-2023", "2023-5-4", "yesterday"])
def test_malformed_date_in_a_body_says_the_format(department_client, project_a, value):
    response = department_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/",
                                      {"note": "x", "reported_on": value}, format="json")
    assert "YYYY-MM-DD" in bad(response, "reported_on")[0]


@pytest.mark.parametrize("payload, expected", [
    ('{"note": "x",', "第 1 行第 14 列"),
    ("{note: x}", "第 1 行第 2 列"),
    ('{"note": NaN}', "NaN"),
    ("[" * 100000 + "]" * 100000, "嵌套"),
])
def test_malformed_json_is_400_in_chinese_and_records_nothing(department_client, project_a, payload, expected):
    response = department_client.generic("POST", f"/api/v1/projects/{project_a.pk}/status-updates/", payload,
                                         content_type="application/json")
    assert response.status_code == 400
    assert expected in response.json()["detail"] and "JSON" in response.json()["detail"]
    assert StatusUpdate.objects.count() == 0


def test_body_that_is_not_utf8_is_400_in_chinese(department_client, project_a):
    response = department_client.generic("POST", f"/api/v1/projects/{project_a.pk}/status-updates/",
                                         '{"note": "进展"}'.encode("gbk"), content_type="application/json")
    assert response.status_code == 400 and "UTF-8" in response.json()["detail"]


# --- a finished project is 100% built ----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["completed", "operating"])
def test_report_that_finishes_a_project_without_progress_sets_100(department_client, project_a, status):
    response = department_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/",
                                      {"note": "竣工", "status": status}, format="json")
    assert response.status_code == 201, response.content
    project_a.refresh_from_db()
    assert (project_a.status, project_a.progress_percent) == (status, 100)
    assert response.json()["progress_percent"] == 100


@pytest.mark.parametrize("status", ["completed", "operating"])
def test_report_that_finishes_a_project_below_100_is_400_and_changes_nothing(department_client, project_a, status):
    before = (project_a.status, project_a.progress_percent, project_a.version)
    response = department_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/",
                                      {"note": "竣工", "status": status, "progress_percent": 0}, format="json")
    assert "100" in bad(response, "progress_percent")[0]
    project_a.refresh_from_db()
    assert (project_a.status, project_a.progress_percent, project_a.version) == before
    assert StatusUpdate.objects.count() == 0


def test_report_below_100_on_a_finished_project_is_400(department_client, dept_a, official_a):
    project = ProjectFactory(department=dept_a, lead_official=official_a, status="completed", progress_percent=100)
    response = department_client.post(f"/api/v1/projects/{project.pk}/status-updates/",
                                      {"note": "x", "progress_percent": 90}, format="json")
    bad(response, "progress_percent")
    project.refresh_from_db()
    assert project.progress_percent == 100


# --- downloads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_text_with_control_characters_downloads_instead_of_500(admin_client, project_a, fmt):
    Project.objects.filter(pk=project_a.pk).update(name="二七\x1d产业园\x0b", owner="\x07业主")
    response = admin_client.get("/api/v1/projects/", {"format": fmt})
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        header = [cell.value for cell in sheet[1]]
        assert sheet.cell(row=2, column=header.index("项目名称") + 1).value == "二七产业园"


@pytest.mark.parametrize("url", ["/api/v1/projects/1.5/history/", "/api/v1/nowhere/", "/api/v1/projects/abc/"])
def test_an_api_url_no_route_matches_is_404_in_json(reader_client, url):
    response = reader_client.get(url)
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("未找到")
