"""Lead filters, GET /stats/leads/ at boundary dates, its query count, and the bulletin's lead moves."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.reports import lead_stats
from tests.factories import DepartmentFactory, LeadFactory, OfficialFactory, move_lead

# --- filters: each with a matching and a non-matching lead -------------------------------------


@pytest.fixture
def two_leads(dept_a, dept_b, official_a):
    match = move_lead(LeadFactory(
        name="中恒保通数字中心", enterprise="中恒保通", sector="commerce", source="豫粤合作交流会",
        department=dept_a, official=official_a, received_on=date(2023, 2, 1),
    ), ("signed", "2023-03-15"))
    other = LeadFactory(
        name="其他线索", enterprise="其他企业", sector="industry", source="元宇宙产业发展大会",
        department=dept_b, official=None, received_on=date(2022, 11, 1),
    )
    return match, other


@pytest.mark.parametrize("params", [
    {"stage": "signed"}, {"stage": "landed,signed"}, {"sector": "commerce"}, {"department": "fgw"},
    {"source": "豫粤合作交流会"}, {"year": "2023"}, {"received_after": "2023-01-01"},
    {"received_before": "2023-02-01", "received_after": "2023-02-01"}, {"signed_after": "2023-03-15"},
    {"signed_before": "2023-03-15"}, {"search": "保通"}, {"search": "中恒"},
])
def test_each_lead_filter(reader_client, two_leads, params):
    match, _ = two_leads
    response = reader_client.get("/api/v1/leads/", params)
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [match.pk]


def test_official_and_department_id_filters(reader_client, two_leads, official_a, dept_a):
    match, other = two_leads
    assert [r["id"] for r in reader_client.get("/api/v1/leads/", {"official": official_a.pk}).json()["results"]] \
        == [match.pk]
    assert [r["id"] for r in reader_client.get("/api/v1/leads/", {"department": dept_a.pk}).json()["results"]] \
        == [match.pk]
    assert reader_client.get("/api/v1/leads/").json()["count"] == 2


@pytest.mark.parametrize("params", [
    {"stage": "won"}, {"sector": "nope"}, {"official": "abc"}, {"year": "1800"},
    {"received_after": "2023-02-30"}, {"signed_before": "x"},
])
def test_bad_lead_filters_are_400(reader_client, two_leads, params):
    assert reader_client.get("/api/v1/leads/", params).status_code == 400


def test_lead_list_query_count_is_constant(reader_client, dept_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert reader_client.get("/api/v1/leads/").status_code == 200
        return len(ctx.captured_queries)

    move_lead(LeadFactory(department=dept_a, official=OfficialFactory()), ("signed", "2023-03-01"))
    one = count()
    for n in range(19):
        move_lead(LeadFactory(department=DepartmentFactory(), official=OfficialFactory()),
                  ("contacted", "2023-02-01"), ("landed", "2023-03-01"))
    assert count() == one


def test_lead_list_downloads(reader_client, two_leads):
    response = reader_client.get("/api/v1/leads/", {"format": "csv"})
    assert response.status_code == 200
    text = response.getvalue().decode("utf-8-sig")  # a list download is streamed
    assert "项目名称,企业,领域,计划投资（万元）,线索来源,阶段" in text
    assert "中恒保通数字中心" in text


# --- the figures at boundary dates -------------------------------------------------------------


AS_OF = date(2023, 5, 4)


def stats(client, **params) -> dict:
    response = client.get("/api/v1/stats/leads/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_counts_at_year_boundaries(reader_client, dept_a):
    # Received on 31 Dec 2022 and signed on 1 Jan 2023: a lead of 2022, a signing of 2023.
    move_lead(LeadFactory(name="跨年", department=dept_a, received_on=date(2022, 12, 31), amount=Decimal("100.00")),
              ("contacted", "2022-12-31"), ("signed", "2023-01-01"))
    # Received on 1 Jan 2023, contacted 31 Dec 2023 (counts in 2023 only as of the year's end).
    move_lead(LeadFactory(name="年初", department=dept_a, received_on=date(2023, 1, 1)), ("contacted", "2023-12-31"))
    # Landed on 31 Dec 2022.
    move_lead(LeadFactory(name="去年落地", department=dept_a, received_on=date(2022, 3, 1), amount=Decimal("7.00")),
              ("landed", "2022-12-31"))
    s2022 = stats(reader_client, year=2022, as_of="2023-05-04")
    s2023 = stats(reader_client, year=2023, as_of="2023-05-04")
    s2023_end = stats(reader_client, year=2023, as_of="2023-12-31")
    assert (s2022["leads"], s2022["contacted"], s2022["landed"]) == (2, 2, 1)
    assert s2022["signed"] == {"count": 1, "amount": "7.00"}
    assert (s2023["leads"], s2023["contacted"], s2023["landed"]) == (1, 0, 0)
    assert s2023["signed"] == {"count": 1, "amount": "100.00"}
    assert (s2023_end["leads"], s2023_end["contacted"]) == (1, 1)


def test_a_move_after_as_of_does_not_count(reader_client, dept_a):
    lead = move_lead(LeadFactory(department=dept_a, received_on=date(2023, 3, 1), amount=Decimal("500.00")),
                     ("negotiating", "2023-04-01"))
    move_lead(lead, ("signed", "2023-05-05"))
    before = stats(reader_client, year=2023, as_of="2023-05-04")
    on_day = stats(reader_client, year=2023, as_of="2023-05-05")
    assert (before["negotiating"], before["signed"]["count"], before["signed"]["amount"]) == (1, 0, "0.00")
    assert (on_day["negotiating"], on_day["signed"]["count"], on_day["signed"]["amount"]) == (0, 1, "500.00")
    # Received after as_of: not yet a lead that day.
    LeadFactory(department=dept_a, received_on=date(2023, 5, 10))
    assert stats(reader_client, year=2023, as_of="2023-05-09")["leads"] == 1
    assert stats(reader_client, year=2023, as_of="2023-05-10")["leads"] == 2


def test_negotiating_and_dropped(reader_client, dept_a):
    move_lead(LeadFactory(department=dept_a, received_on=date(2022, 6, 1)), ("negotiating", "2022-07-01"))
    move_lead(LeadFactory(department=dept_a), ("negotiating", "2023-02-01"), ("dropped", "2023-04-01"))
    move_lead(LeadFactory(department=dept_a), ("dropped", "2023-02-01"))
    figures = stats(reader_client, year=2023, as_of="2023-05-04")
    # In talks now counts a lead received last year; the dropped ones stopped being in talks.
    assert (figures["negotiating"], figures["dropped"]) == (1, 2)
    assert stats(reader_client, year=2023, as_of="2023-03-01")["negotiating"] == 2


def test_stats_accept_filters_and_split_by_source_and_sector(reader_client, dept_a, dept_b):
    move_lead(LeadFactory(department=dept_a, source="豫粤合作交流会", sector="commerce", amount=Decimal("10.00")),
              ("signed", "2023-03-01"))
    move_lead(LeadFactory(department=dept_b, source="以商招商", sector="industry"), ("contacted", "2023-03-01"))
    figures = stats(reader_client, year=2023, as_of="2023-05-04")
    assert (figures["leads"], figures["contacted"], figures["signed"]["count"]) == (2, 2, 1)
    assert [row["source"] for row in figures["by_source"]] == ["以商招商", "豫粤合作交流会"]
    assert figures["by_source"][1]["signed"] == {"count": 1, "amount": "10.00"}
    assert figures["by_sector"]["commerce"]["signed"]["count"] == 1
    assert figures["by_sector"]["commerce"]["sector_display"] == "商贸服务"
    assert figures["by_sector"]["housing"]["leads"] == 0
    only_b = stats(reader_client, year=2023, as_of="2023-05-04", department="jyj")
    assert (only_b["leads"], only_b["signed"]["count"]) == (1, 0)
    assert reader_client.get("/api/v1/stats/leads/", {"year": "2022,2023"}).status_code == 400
    assert reader_client.get("/api/v1/stats/leads/", {"stage": "nope"}).status_code == 400


def test_stats_query_count_is_constant(reader_client, dept_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            stats(reader_client, year=2023, as_of="2023-05-04")
        return len(ctx.captured_queries)

    move_lead(LeadFactory(department=dept_a, source="甲"), ("signed", "2023-03-01"))
    one = count()
    for n in range(20):
        move_lead(LeadFactory(department=dept_a, source=f"来源{n}", sector="commerce"), ("landed", "2023-03-01"))
    assert count() == one


def test_lead_stats_function_over_all_leads(db, dept_a):
    move_lead(LeadFactory(department=dept_a, amount=Decimal("1.50")), ("landed", "2023-04-01"))
    figures = lead_stats(year=2023, as_of=AS_OF)
    assert (figures["signed"], figures["landed"]) == ({"count": 1, "amount": Decimal("1.50")}, 1)


# --- the weekly bulletin's lead moves ----------------------------------------------------------


def test_bulletin_lists_the_weeks_lead_moves(reader_client, dept_a):
    lead = move_lead(LeadFactory(name="太平洋保险总部", department=dept_a), ("contacted", "2023-04-30"),
                     ("negotiating", "2023-05-01"), ("signed", "2023-05-07"))
    move_lead(lead, ("landed", "2023-05-08"))
    week = reader_client.get("/api/v1/reports/weekly/", {"week": "2023-W18", "as_of": "2023-05-04"}).json()
    assert [(m["stage_from"], m["stage"], m["moved_on"]) for m in week["lead_moves"]] == [
        ("contacted", "negotiating", "2023-05-01")]
    assert week["lead_moves"][0]["lead"]["name"] == "太平洋保险总部"
    full = reader_client.get("/api/v1/reports/weekly/", {"week": "2023-W18", "as_of": "2023-05-07"}).json()
    assert [m["stage"] for m in full["lead_moves"]] == ["negotiating", "signed"]
    sheet = reader_client.get("/api/v1/reports/weekly/", {"week": "2023-W18", "as_of": "2023-05-07",
                                                          "format": "csv"})
    text = sheet.content.decode("utf-8-sig")
    assert "本周招商引资" in text and "太平洋保险总部" in text and "已签约" in text
