"""目标任务: the resource, its checks, each metric against matching and non-matching projects, states and dates.

Who may write targets, and that everyone signed in reads them, is in the role matrix (test_permissions).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.domain.choices import MilestoneKind, ProjectCategory, ProjectLevel, ProjectStatus, Sector, TargetState
from projects.models import Target
from projects.reports.targets import same_day_previous_year, target_progress, target_state
from tests.factories import MilestoneFactory, ProjectFactory, StatusUpdateFactory

TARGETS = "/api/v1/targets/"
STATS = "/api/v1/stats/targets/"
pytestmark = pytest.mark.django_db


def _target(metric, value, scope="", due_period="", year=2023, name=None):
    return services.target_create(user=None, year=year, name=name or f"{metric}{scope}{due_period}", metric=metric,
                                  scope=scope, value=Decimal(value), due_period=due_period)


def _figures(as_of, year=2023) -> dict:
    return {p.target.name: p for p in target_progress(targets=Target.objects.filter(year=year), as_of=as_of)}


def _one(target, as_of):
    return next(p for p in target_progress(targets=Target.objects.filter(pk=target.pk), as_of=as_of))


# --- the resource -----------------------------------------------------------------------------


def test_admin_creates_a_target_with_derived_deadline_and_unit(admin_client):
    response = admin_client.post(TARGETS, {
        "year": 2023, "name": "省市重点项目完成投资", "metric": "completed_investment",
        "scope": "level=provincial,municipal", "value": "1858000", "due_period": "2023-q2",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["due_period"] == "2023-Q2"
    assert body["due_date"] == "2023-06-30"
    assert body["unit"] == "万元"
    assert body["metric_display"] == "完成投资"
    assert body["value"] == "1858000.00"


def test_due_period_defaults_to_the_year_end(admin_client):
    response = admin_client.post(TARGETS, {"year": 2024, "name": "开工率", "metric": "start_rate", "value": "80"},
                                 format="json")
    assert response.status_code == 201, response.content
    assert response.json()["due_date"] == "2024-12-31"
    assert response.json()["unit"] == "%"


@pytest.mark.parametrize("body, field", [
    ({"scope": "level=nope"}, "scope"),
    ({"scope": "department_code=fgw"}, "scope"),
    ({"scope": "year=2022"}, "scope"),
    ({"scope": "is_overdue=maybe"}, "scope"),
    ({"scope": "due_period=2023-Q5"}, "scope"),
    ({"scope": "level"}, "scope"),
    ({"due_period": "2023-Q5"}, "due_period"),
    ({"due_period": "2024-Q1"}, "due_period"),
    ({"value": "0"}, "value"),
    ({"value": "-5"}, "value"),
    ({"metric": "gdp"}, "metric"),
    ({"year": 1999}, "year"),
])
def test_bad_target_is_400_and_writes_nothing(admin_client, body, field):
    data = {"year": 2023, "name": "目标", "metric": "project_count", "value": "10", **body}
    response = admin_client.post(TARGETS, data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Target.objects.exists()


def test_a_scope_the_project_filters_accept_is_stored(admin_client, dept_a):
    response = admin_client.post(TARGETS, {
        "year": 2023, "name": "发改委开工", "metric": "start_rate", "value": "60",
        "scope": "?department=fgw&category=start&warning_level=red,yellow",
    }, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["scope"] == "department=fgw&category=start&warning_level=red,yellow"


def test_update_checks_again_and_a_refused_update_changes_nothing(admin_client):
    target = _target("project_count", "10")
    url = f"{TARGETS}{target.pk}/"
    assert admin_client.patch(url, {"scope": "sector=industry"}, format="json").status_code == 200
    assert admin_client.patch(url, {"scope": "sector=mining", "value": "20"}, format="json").status_code == 400
    target.refresh_from_db()
    assert (target.scope, target.value) == ("sector=industry", Decimal("10.00"))
    assert admin_client.patch(url, {"due_period": "2023-06"}, format="json").json()["due_date"] == "2023-06-30"


def test_same_name_twice_in_a_year_is_400(admin_client):
    _target("project_count", "10", name="双过半")
    response = admin_client.post(TARGETS, {"year": 2023, "name": "双过半", "metric": "project_count", "value": "1"},
                                 format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["2023年已有名为“双过半”的目标任务。"]}
    assert Target.objects.count() == 1


def test_target_filters(admin_client):
    _target("project_count", "10", year=2023, name="a")
    _target("start_rate", "60", year=2023, name="b", due_period="2023-Q2")
    _target("project_count", "10", year=2024, name="c")
    names = lambda params: [t["name"] for t in admin_client.get(TARGETS, params).json()["results"]]  # noqa: E731
    assert sorted(names({"year": "2023"})) == ["a", "b"]
    assert names({"metric": "start_rate"}) == ["b"]
    assert names({"due_before": "2023-06-30"}) == ["b"]
    assert sorted(names({"due_after": "2023-07-01"})) == ["a", "c"]
    assert admin_client.get(TARGETS, {"metric": "gdp"}).status_code == 400


# --- each metric ------------------------------------------------------------------------------

AS_OF = date(2023, 5, 4)


def test_completed_investment_sums_the_scope_only():
    ProjectFactory(level=ProjectLevel.PROVINCIAL, completed_investment=Decimal("100.50"))
    ProjectFactory(level=ProjectLevel.MUNICIPAL, completed_investment=Decimal("200.00"))
    ProjectFactory(level=ProjectLevel.DISTRICT, completed_investment=Decimal("999.00"))  # out of scope
    ProjectFactory(level=ProjectLevel.PROVINCIAL, completed_investment=Decimal("999.00"), year=2022)  # other year
    target = _target("completed_investment", "1000", scope="level=provincial,municipal")
    figures = _one(target, AS_OF)
    assert figures.actual == Decimal("300.50")
    assert figures.rate == 30.1  # 30.05 half up


def test_completion_rate_and_empty_scope():
    ProjectFactory(annual_plan_investment=Decimal("300"), completed_investment=Decimal("100"))
    ProjectFactory(annual_plan_investment=Decimal("100"), completed_investment=Decimal("0"), sector=Sector.COMMERCE)
    everything = _target("completion_rate", "50", name="双过半", due_period="2023-06-30")
    industry = _target("completion_rate", "50", scope="sector=industry", name="产业")
    nothing = _target("completion_rate", "50", scope="sector=housing", name="安居")
    figures = _figures(AS_OF)
    assert figures["双过半"].actual == Decimal("25.00")
    assert figures["产业"].actual == Decimal("33.30")
    assert figures["安居"].actual is None and figures["安居"].rate is None
    assert figures["安居"].state == TargetState.BEHIND
    assert {everything.pk, industry.pk, nothing.pk} == set(Target.objects.values_list("pk", flat=True))


def test_start_rate_counts_started_start_projects_of_the_scope():
    ProjectFactory(category=ProjectCategory.START, status=ProjectStatus.UNDER_CONSTRUCTION)
    ProjectFactory(category=ProjectCategory.START, status=ProjectStatus.PLANNED)
    ProjectFactory(category=ProjectCategory.START, status=ProjectStatus.SUSPENDED,
                   suspended_from=ProjectStatus.UNDER_CONSTRUCTION)
    ProjectFactory(category=ProjectCategory.CONSTRUCTION, status=ProjectStatus.UNDER_CONSTRUCTION)  # not start
    target = _target("start_rate", "60")
    assert _one(target, AS_OF).actual == Decimal("66.70")


def test_project_count_of_the_scope(dept_a, dept_b):
    ProjectFactory(department=dept_a)
    ProjectFactory(department=dept_a, year=2024)
    ProjectFactory(department=dept_b)
    target = _target("project_count", "4", scope=f"department={dept_a.code}")
    figures = _one(target, AS_OF)
    assert (figures.actual, figures.rate) == (Decimal("1.00"), 25.0)


def test_floor_area_started_counts_start_milestones_done_in_the_year_up_to_as_of():
    housing = {"sector": Sector.HOUSING}
    counted = ProjectFactory(floor_area=Decimal("1000"), **housing)
    MilestoneFactory(project=counted, kind=MilestoneKind.START, completed_on=AS_OF)
    tomorrow = ProjectFactory(floor_area=Decimal("20000"), **housing)
    MilestoneFactory(project=tomorrow, kind=MilestoneKind.START, completed_on=date(2023, 5, 5))
    last_year = ProjectFactory(floor_area=Decimal("300000"), **housing)
    MilestoneFactory(project=last_year, kind=MilestoneKind.START, completed_on=date(2022, 12, 31))
    wrong_kind = ProjectFactory(floor_area=Decimal("4000000"), **housing)
    MilestoneFactory(project=wrong_kind, kind=MilestoneKind.COMPLETION, completed_on=date(2023, 3, 1))
    other_sector = ProjectFactory(floor_area=Decimal("50000000"), sector=Sector.INDUSTRY)
    MilestoneFactory(project=other_sector, kind=MilestoneKind.START, completed_on=date(2023, 3, 1))
    target = _target("floor_area_started", "1240000", scope="sector=housing")
    assert _one(target, AS_OF).actual == Decimal("1000.00")
    assert _one(target, date(2023, 5, 5)).actual == Decimal("21000.00")


def test_floor_area_completed_counts_completion_milestones_done_in_the_year():
    done = ProjectFactory(floor_area=Decimal("600"), sector=Sector.HOUSING)
    MilestoneFactory(project=done, kind=MilestoneKind.COMPLETION, completed_on=date(2023, 1, 1))
    open_ = ProjectFactory(floor_area=Decimal("7000"), sector=Sector.HOUSING)
    MilestoneFactory(project=open_, kind=MilestoneKind.COMPLETION, completed_on=None)
    target = _target("floor_area_completed", "600000", scope="sector=housing")
    assert _one(target, AS_OF).actual == Decimal("600.00")
    assert _one(target, date(2022, 12, 31)).actual == Decimal("0.00")


def test_floor_area_under_construction_includes_suspended_after_start():
    ProjectFactory(floor_area=Decimal("100"), status=ProjectStatus.UNDER_CONSTRUCTION)
    ProjectFactory(floor_area=Decimal("20"), status=ProjectStatus.SUSPENDED,
                   suspended_from=ProjectStatus.UNDER_CONSTRUCTION)
    ProjectFactory(floor_area=Decimal("3000"), status=ProjectStatus.SUSPENDED, suspended_from=ProjectStatus.SIGNED)
    ProjectFactory(floor_area=Decimal("40000"), status=ProjectStatus.COMPLETED)
    ProjectFactory(floor_area=None, status=ProjectStatus.UNDER_CONSTRUCTION)
    target = _target("floor_area_under_construction", "4900000")
    assert _one(target, AS_OF).actual == Decimal("120.00")


# --- growth against the previous year's list ---------------------------------------------------


def test_growth_compares_with_the_previous_years_list_at_the_same_day():
    ProjectFactory(year=2023, completed_investment=Decimal("150"))
    ProjectFactory(year=2023, completed_investment=Decimal("999"), sector=Sector.COMMERCE)  # out of scope
    last_year = ProjectFactory(year=2022, completed_investment=Decimal("400"))
    StatusUpdateFactory(project=last_year, reported_on=date(2022, 4, 1), completed_investment=Decimal("60"))
    StatusUpdateFactory(project=last_year, reported_on=date(2022, 5, 4), completed_investment=Decimal("100"))
    StatusUpdateFactory(project=last_year, reported_on=date(2022, 5, 5), completed_investment=Decimal("300"))
    other = ProjectFactory(year=2022, sector=Sector.COMMERCE)
    StatusUpdateFactory(project=other, reported_on=date(2022, 5, 1), completed_investment=Decimal("5000"))
    target = _target("completed_investment_growth", "50", scope="sector=industry")
    figures = _one(target, AS_OF)
    assert figures.actual == Decimal("50.00")  # 150 against 100 on 4 May 2022
    assert figures.state == TargetState.ACHIEVED
    later = _one(target, date(2023, 5, 5))
    assert later.actual == Decimal("-50.00")  # 150 against 300 on 5 May 2022
    assert later.state == TargetState.BEHIND


def test_growth_is_null_without_previous_year_figures():
    ProjectFactory(year=2023, completed_investment=Decimal("150"))
    last_year = ProjectFactory(year=2022)
    StatusUpdateFactory(project=last_year, reported_on=date(2022, 5, 5), completed_investment=Decimal("100"))
    target = _target("completed_investment_growth", "50")
    figures = _one(target, AS_OF)
    assert (figures.actual, figures.rate, figures.state) == (None, None, TargetState.BEHIND)
    assert _one(target, date(2023, 5, 5)).actual == Decimal("50.00")  # the figure of 5 May 2022 now counts


def test_same_day_previous_year():
    assert same_day_previous_year(date(2024, 2, 29)) == date(2023, 2, 28)
    assert same_day_previous_year(date(2023, 5, 4)) == date(2022, 5, 4)


# --- time progress and states ------------------------------------------------------------------


def test_time_progress_runs_toward_the_due_date():
    year_end = _target("project_count", "10", name="全年")
    half = _target("project_count", "10", name="上半年", due_period="2023-Q2")
    figures = _figures(AS_OF)
    assert figures["全年"].time_progress == 34.0
    assert figures["上半年"].time_progress == 68.5  # 124 of 181 days
    assert _one(half, date(2023, 6, 30)).time_progress == 100.0
    assert _one(year_end, date(2022, 12, 31)).time_progress == 0.0
    assert _one(year_end, date(2023, 1, 1)).time_progress == 0.3


def test_state_on_the_due_day_and_the_day_after():
    ProjectFactory(annual_plan_investment=Decimal("100"), completed_investment=Decimal("40"))
    target = _target("completion_rate", "50", due_period="2023-06-30")
    assert _one(target, date(2023, 6, 30)).state == TargetState.BEHIND
    assert _one(target, date(2023, 7, 1)).state == TargetState.MISSED


def test_state_moves_from_behind_to_on_track_to_achieved(admin_client):
    project = ProjectFactory(annual_plan_investment=Decimal("1000"))
    target = _target("completed_investment", "1000", due_period="2023-12-31")
    assert _one(target, AS_OF).state == TargetState.BEHIND
    services.status_update_create(project=project, user=admin_client.user, note="进展", reported_on=AS_OF,
                                  completed_investment=Decimal("340"))
    figures = _one(target, AS_OF)
    assert (figures.rate, figures.time_progress, figures.state) == (34.0, 34.0, TargetState.ON_TRACK)
    services.status_update_create(project=project, user=admin_client.user, note="完成", reported_on=AS_OF,
                                  completed_investment=Decimal("1000"))
    assert _one(target, AS_OF).state == TargetState.ACHIEVED
    assert _one(target, date(2024, 1, 1)).state == TargetState.ACHIEVED


@pytest.mark.parametrize("actual, rate, progress, as_of, expected", [
    (Decimal("50"), 100.0, 10.0, date(2023, 6, 30), TargetState.ACHIEVED),
    (Decimal("60"), 120.0, 10.0, date(2023, 7, 1), TargetState.ACHIEVED),
    (Decimal("49.99"), 100.0, 100.0, date(2023, 7, 1), TargetState.MISSED),
    (Decimal("20"), 40.0, 40.0, date(2023, 6, 30), TargetState.ON_TRACK),
    (Decimal("19.9"), 39.8, 40.0, date(2023, 6, 30), TargetState.BEHIND),
    (None, None, 0.0, date(2023, 1, 1), TargetState.BEHIND),
])
def test_target_state_table(actual, rate, progress, as_of, expected):
    assert target_state(actual=actual, value=Decimal("50"), rate_=rate, time_progress=progress, as_of=as_of,
                        due_date=date(2023, 6, 30)) == expected


# --- the endpoint -----------------------------------------------------------------------------


def test_stats_targets_returns_every_target_of_the_year(admin_client):
    ProjectFactory(level=ProjectLevel.PROVINCIAL, completed_investment=Decimal("929000"))
    _target("completed_investment", "1858000", scope="level=provincial,municipal", due_period="2023-Q2",
            name="省市重点项目完成投资")
    _target("project_count", "1", year=2024, name="明年")
    body = admin_client.get(STATS, {"as_of": "2023-05-04"}).json()
    assert body["year"] == 2023 and body["as_of"] == "2023-05-04"
    [row] = body["targets"]
    assert row["name"] == "省市重点项目完成投资"
    assert row["actual"] == "929000.00"
    assert row["rate"] == 50.0
    assert row["time_progress"] == 68.5
    assert (row["state"], row["state_display"]) == ("behind", "滞后于序时进度")
    assert row["unit"] == "万元"
    assert [t["name"] for t in admin_client.get(STATS, {"year": "2024", "as_of": "2023-05-04"}).json()["targets"]] \
        == ["明年"]


@pytest.mark.parametrize("params, key", [
    ({"year": "abc"}, "year"), ({"year": "1800"}, "year"), ({"as_of": "2023-02-30"}, "as_of"),
])
def test_stats_targets_bad_parameters_are_400(admin_client, params, key):
    response = admin_client.get(STATS, params)
    assert response.status_code == 400
    assert key in response.json()


def _count(client, params) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(STATS, params)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_stats_targets_query_count_is_constant(admin_client):
    params = {"as_of": "2023-05-04"}

    def portfolio(n):
        for _ in range(n):
            project = ProjectFactory(floor_area=Decimal("10"), completed_investment=Decimal("5"))
            MilestoneFactory(project=project, kind=MilestoneKind.START, completed_on=date(2023, 3, 1))
            StatusUpdateFactory(project=ProjectFactory(year=2022), reported_on=date(2022, 3, 1))

    portfolio(1)
    _target("completed_investment", "10", name="a")
    admin_client.get(STATS, params)
    one = _count(admin_client, params)
    portfolio(19)
    for metric in ("completion_rate", "start_rate", "project_count", "floor_area_started",
                   "floor_area_under_construction", "floor_area_completed", "completed_investment_growth"):
        _target(metric, "10", scope="is_overdue=false&level=district", name=metric)
    for metric in ("leads_signed_amount", "leads_signed", "leads_landed"):
        _target(metric, "10", name=metric)
    one += 3  # the lead figures of the year: reports.lead_stats, whatever the number of lead targets
    assert _count(admin_client, params) == one
    assert one <= 8


# --- 招商引资 metrics (reports.lead_stats) --------------------------------------------------------


def test_lead_metrics_count_moves_dated_in_the_year_up_to_as_of():
    from tests.factories import LeadFactory, move_lead

    move_lead(LeadFactory(amount=Decimal("1000"), received_on=date(2022, 12, 1)), ("signed", "2022-12-31"),
              ("landed", "2023-01-01"))
    move_lead(LeadFactory(amount=Decimal("200"), received_on=date(2022, 12, 20)), ("signed", "2023-01-01"))
    move_lead(LeadFactory(amount=Decimal("30")), ("signed", "2023-05-04"), ("landed", "2023-05-04"))
    tomorrow = LeadFactory(amount=Decimal("4000"))
    amount = _target("leads_signed_amount", "1900000", name="“三个一批”全年签约项目总投资")
    signed = _target("leads_signed", "10", name="新签约")
    landed = _target("leads_landed", "2", name="落户")
    figures = _figures(AS_OF)
    assert figures[amount.name].actual == Decimal("230.00")  # the 2022 signing is not 2023's
    assert figures[signed.name].actual == Decimal("2.00")
    assert figures[landed.name].actual == Decimal("2.00")
    assert figures[landed.name].state == TargetState.ACHIEVED
    move_lead(tomorrow, ("signed", "2023-05-05"))
    assert _figures(AS_OF)[amount.name].actual == Decimal("230.00")  # dated after as_of
    assert _figures(date(2023, 5, 5))[amount.name].actual == Decimal("4230.00")


def test_lead_metrics_equal_stats_leads(admin_client):
    from tests.factories import LeadFactory, move_lead

    move_lead(LeadFactory(amount=Decimal("270200")), ("signed", "2023-03-01"))
    _target("leads_signed_amount", "1900000", name="签约总额")
    stats = admin_client.get("/api/v1/stats/leads/", {"year": "2023", "as_of": "2023-05-04"}).json()
    [row] = admin_client.get(STATS, {"as_of": "2023-05-04"}).json()["targets"]
    assert row["actual"] == stats["signed"]["amount"] == "270200.00"
    assert row["rate"] == 14.2


def test_lead_metrics_take_no_scope(admin_client):
    response = admin_client.post(TARGETS, {"year": 2023, "name": "签约", "metric": "leads_signed", "value": "10",
                                           "scope": "sector=industry"}, format="json")
    assert response.status_code == 400
    assert "scope" in response.json()
    assert not Target.objects.exists()
