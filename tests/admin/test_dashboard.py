"""领导驾驶舱 on /admin/: the figures equal the API's for the same day, the links open the lists they count."""

import json
import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from projects.domain.choices import Role, WarningLevel
from projects.models import Project, Target
from projects.reports.dashboard import dashboard_figures
from tests.factories import (
    ApprovalItemFactory,
    MilestoneFactory,
    ProjectFactory,
    UserFactory,
    UserProfileFactory,
    VisitFactory,
)

MEETING = "2023-05-04"


@pytest.fixture
def seed(db):
    call_command("loaddata", "erqi_2023", verbosity=0)


@pytest.fixture
def office(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("office", "office@example.com", None))
    return client


def _context(response) -> dict:
    assert response.status_code == 200, response.content[:300]
    return response.context


def _json(value):
    return json.loads(json.dumps(value, default=str))


def test_dashboard_is_the_admin_index_as_of_the_day_asked(seed, office):
    response = office.get("/admin/", {"as_of": MEETING})
    page = response.content.decode()
    assert "领导驾驶舱" in page
    assert "截至 2023年5月4日" in page
    assert 'value="2023-05-04"' in page  # the date picker shows the day
    assert _context(response)["dashboard"]["summary"]["investment"]["time_progress"] == 34.0
    assert "projects/vendor/echarts/echarts.min.js" in page
    assert "cdn" not in page.lower()
    assert 'id="cockpit-data"' in page
    assert "重点项目" in page  # the list of models stays below


def test_dashboard_defaults_to_the_pinned_day(seed, office, settings):
    settings.PORTFOLIO_AS_OF = date(2023, 5, 4)
    assert _context(office.get("/admin/"))["dashboard"]["as_of"] == date(2023, 5, 4)


@pytest.mark.parametrize("bad", ["2023-02-30", "0023-05-04x", "3000-01-01"])
def test_a_bad_day_is_said_and_the_default_shown(seed, office, settings, bad):
    settings.PORTFOLIO_AS_OF = date(2023, 5, 4)
    response = office.get("/admin/", {"as_of": bad})
    assert _context(response)["dashboard"]["as_of"] == date(2023, 5, 4)
    assert "errornote" in response.content.decode()


def test_dashboard_figures_equal_the_apis(seed, office, reader_client):
    context = _context(office.get("/admin/", {"as_of": MEETING}))["dashboard"]
    summary = reader_client.get("/api/v1/stats/summary/", {"as_of": MEETING}).json()
    from projects.api.serializers.reports import StatsSummarySerializer

    assert _json(StatsSummarySerializer(context["summary"]).data) == summary
    targets = reader_client.get("/api/v1/stats/targets/", {"as_of": MEETING}).json()["targets"]
    assert [(p.target.name, None if p.actual is None else str(p.actual), p.rate, p.time_progress, p.state)
            for p in context["targets"]] == \
        [(t["name"], t["actual"], t["rate"], t["time_progress"], t["state"]) for t in targets]
    for level in ("provincial", "municipal", "district"):
        rows = [r for r in context["investment_by_level"] if r["level"] == level]
        api = reader_client.get("/api/v1/stats/summary/", {"as_of": MEETING, "level": level}).json()["investment"]
        if api["annual_plan"] == "0.00" and not rows:
            continue
        assert _json({k: v for k, v in rows[0].items() if k in api}) == api
    leads = reader_client.get("/api/v1/stats/leads/", {"as_of": MEETING, "year": "2023"}).json()
    assert {k: v for k, v in _json(context["leads"]).items() if k not in ("by_source", "by_sector")} == \
        {k: v for k, v in leads.items() if k not in ("by_source", "by_sector")}
    for row in context["lights"]:
        dept = row["department"]["code"]
        api = reader_client.get("/api/v1/stats/summary/", {"as_of": MEETING, "department": dept}).json()
        assert {level: row[level] for level in WarningLevel.values} == api["by_warning_level"]
        assert row["total"] == api["project_count"]


def test_seed_targets_as_of_the_meeting(seed, reader_client):
    body = reader_client.get("/api/v1/stats/targets/", {"as_of": MEETING}).json()
    by_name = {t["name"]: t for t in body["targets"]}
    assert by_name["省市重点项目完成投资"]["value"] == "1858000.00"
    assert by_name["省市重点项目完成投资"]["time_progress"] == 68.5
    assert by_name["“双过半”"]["due_date"] == "2023-06-30"
    assert by_name["年度新开工"]["time_progress"] == 34.0
    # From the seed: no project has completed investment or an annual plan (so 双过半's rate has no
    # base), none is a housing project (the 安居 areas sum nothing), there is no 2022 list (no growth),
    # and the two leads signed in 2023 name no amount. Every target trails its time progress.
    assert {name: (t["actual"], t["rate"], t["state"]) for name, t in by_name.items()} == {
        "省市重点项目完成投资": ("0.00", 0.0, "behind"),
        "“双过半”": (None, None, "behind"),
        "“三个一批”全年签约项目总投资": ("0.00", 0.0, "behind"),
        "年度新开工": ("0.00", 0.0, "behind"),
        "加快在建": ("0.00", 0.0, "behind"),
        "新建成": ("0.00", 0.0, "behind"),
        "全年工业技改投资增速": (None, None, "behind"),
    }


def _cell_links(page: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'class="light-cell light-cell-\w+" href="([^"]+)"', page)]


def test_each_light_cell_opens_the_project_list_it_counts(office, dept_a, dept_b):
    ProjectFactory(department=dept_a, annual_plan_investment=Decimal("100"))  # lag 34: red as of the meeting
    ProjectFactory(department=dept_a)
    VisitFactory(project=ProjectFactory(department=dept_b), visited_on=date(2023, 5, 1))
    page = office.get("/admin/", {"as_of": MEETING}).content.decode()
    links = _cell_links(page)
    assert len(links) == 6  # two departments × three lights
    counts = {}
    for link in links:
        listing = office.get(link)
        assert listing.status_code == 200, link
        assert "2023-05-04" in listing.context["title"]
        counts[link] = listing.context["cl"].result_count
    context = office.get("/admin/", {"as_of": MEETING}).context["dashboard"]
    for row in context["lights"]:
        for level in WarningLevel.values:
            [link] = [u for u in links if f"department__id__exact={row['department']['id']}&" in u
                      and f"warning_level={level}&" in u]
            assert counts[link] == row[level], (link, row)
    assert sum(counts.values()) == 3
    # By hand: A's planned project has completed nothing against a plan of 100 (lag 34 > 30: red), A's
    # other project was never visited (yellow), B's was visited on 1 May (green).
    by_department = {(dept_a.pk, "red"): 1, (dept_a.pk, "yellow"): 1, (dept_a.pk, "green"): 0,
                     (dept_b.pk, "red"): 0, (dept_b.pk, "yellow"): 0, (dept_b.pk, "green"): 1}
    assert {(int(re.search(r"department__id__exact=(\d+)", link)[1]), re.search(r"warning_level=(\w+)", link)[1]):
            count for link, count in counts.items()} == by_department


def test_project_list_evaluates_flags_as_of_the_day_in_the_link(office, dept_a):
    project = ProjectFactory(department=dept_a)
    MilestoneFactory(project=project, due_date=date(2023, 5, 10))
    VisitFactory(project=project, visited_on=date(2023, 5, 1))
    url = "/admin/projects/project/"
    assert office.get(url, {"warning_level": "yellow", "as_of": "2023-05-10"}).context["cl"].result_count == 0
    assert office.get(url, {"warning_level": "yellow", "as_of": "2023-05-11"}).context["cl"].result_count == 1


def test_overdue_lists_and_their_links(office, dept_a):
    project = ProjectFactory(department=dept_a)
    MilestoneFactory(project=project, title="二季度实质性开工", due_date=date(2023, 3, 31))
    MilestoneFactory(project=project, title="完成当天", due_date=date(2023, 3, 31), completed_on=date(2023, 5, 4))
    MilestoneFactory(project=project, title="次日完成", due_date=date(2023, 3, 31), completed_on=date(2023, 5, 5))
    ApprovalItemFactory(project=project, name="建设工程规划许可证", due_date=date(2023, 4, 30))
    response = office.get("/admin/", {"as_of": MEETING})
    context = response.context["dashboard"]
    assert [m.title for m in context["overdue_milestones"]] == ["二季度实质性开工", "次日完成"]
    assert context["overdue_milestones"][0].days_overdue == 34
    assert context["overdue_milestone_count"] == 2
    assert [a.name for a in context["overdue_approvals"]] == ["建设工程规划许可证"]
    page = response.content.decode()
    milestone_link = unescape(re.search(r'href="(/admin/projects/milestone/\?is_overdue=1[^"]*)"', page)[1])
    assert office.get(milestone_link).context["cl"].result_count == 2
    approval_link = unescape(re.search(r'href="(/admin/projects/approvalitem/\?is_overdue=1[^"]*)"', page)[1])
    assert office.get(approval_link).context["cl"].result_count == 1


def test_visit_compliance_per_official(office, dept_a, official_a, official_b):
    visited = ProjectFactory(department=dept_a, lead_official=official_a)
    VisitFactory(project=visited, visited_on=date(2023, 4, 20))
    ProjectFactory(department=dept_a, lead_official=official_a)  # never visited
    ProjectFactory(department=dept_a, lead_official=official_b, status="operating")  # not active
    rows = {r["official"]["name"]: r for r in office.get("/admin/", {"as_of": MEETING}).context["dashboard"][
        "visits_by_official"]}
    assert (rows["王一"]["active_projects"], rows["王一"]["overdue"], rows["王一"]["compliance_rate"]) == (2, 1, 50.0)
    assert rows["李二"]["compliance_rate"] is None


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.OFFICIAL])
def test_clerks_and_officials_see_their_own_lights_first(role, dept_a, dept_b, official_a, official_b):
    own = ProjectFactory(department=dept_a, lead_official=official_a, name="仲景医药健康产业园")
    ProjectFactory(department=dept_b, lead_official=official_b, name="陇西南华府小学")
    profile = UserProfileFactory(user=UserFactory(), role=role, department=dept_a if role == Role.DEPARTMENT else None,
                                 official=official_a if role == Role.OFFICIAL else None)
    figures = dashboard_figures(user=profile.user, as_of=date(2023, 5, 4))
    assert [p.pk for p in figures["own_projects"]] == [own.pk]
    assert [row["department"]["code"] for row in figures["own_lights"]] == [dept_a.code]
    assert len(figures["lights"]) == 2  # and everyone's lights below


def test_the_office_has_no_own_list(db):
    office = get_user_model().objects.create_superuser("office2", "o@example.com", None)
    ProjectFactory()
    assert dashboard_figures(user=office, as_of=date(2023, 5, 4))["own_projects"] is None


def _chart_data(page: str) -> dict:
    return json.loads(re.search(r'<script id="cockpit-data" type="application/json">(.*?)</script>', page, re.S)[1])


def test_chart_data_is_plain_json_and_not_empty(seed, office):
    data = _chart_data(office.get("/admin/", {"as_of": MEETING}).content.decode())
    assert data["investment"]["time_progress"] == 34.0
    assert len(data["lights"]["departments"]) == 7  # the seed's nine departments, two without a project
    assert len(data["targets"]["names"]) == 7
    assert data["colours"] == {"red": "#d93025", "yellow": "#f2a600", "green": "#1e8e3e"}
    assert sum(sum(data["lights"][level]) for level in ("red", "yellow", "green")) == 29


# --- the page's figures against the seed, counted by hand -------------------------------------------


@pytest.fixture
def meeting_day(seed):
    """The seed, with the figures a week of reporting would add to three of its projects.

    As of 4 May 2023 (时序进度: day 124 of 365 = 34.0%; a visit is due within 31 days, since 3 April):
    - EQ2023-003 (发展改革委, 在建类, district, culture): visited on 20 April; no dated milestone,
      no annual plan: green.
    - EQ2023-016 (发展改革委, 开工类, municipal, other, under construction): plan 1000, completed 200
      (20.0%, 14.0 points behind: yellow), visited on 1 May.
    - EQ2023-015 (工信局, 开工类, municipal, industry, under construction): plan 3000, completed 100
      (3.3%, 30.7 points behind: red), never visited.
    Every other project of the seed is active and never visited (yellow); no open milestone is due
    before 30 June and no other project has an annual plan.
    """
    Project.objects.filter(code="EQ2023-016").update(annual_plan_investment=Decimal("1000"),
                                                     completed_investment=Decimal("200"))
    Project.objects.filter(code="EQ2023-015").update(annual_plan_investment=Decimal("3000"),
                                                     completed_investment=Decimal("100"))
    VisitFactory(project=Project.objects.get(code="EQ2023-003"), visited_on=date(2023, 4, 20))
    VisitFactory(project=Project.objects.get(code="EQ2023-016"), visited_on=date(2023, 5, 1))


def _kpis(page: str) -> dict:
    found = re.findall(r'<span class="kpi-label">(.*?)</span><span class="kpi-value">(.*?)</span>'
                       r'<span class="kpi-note">(.*?)</span>', page)
    return {label: (value, note) for label, value, note in found}


def _light_rows(page: str) -> dict:
    cells = r'\s*<td class="num"><a [^>]*>(\d+)</a></td>'
    return {name: tuple(int(n) for n in counts)
            for name, *counts in re.findall(r"<tr><td>([^<]+)</td>" + cells * 4 + r"</tr>", page)}


def test_the_pages_figures_counted_by_hand(meeting_day, office):
    page = office.get("/admin/", {"as_of": MEETING}).content.decode()
    # (red, yellow, green, total) per department in code order: cgj 012-013, fgw 003 016, gxj 001 004
    # 015 019 020, jkq 002 014 021-024 028 029, jyj 005-006, swj 007-010 017 018 025-027, zjj 011.
    assert _light_rows(page) == {
        "城市管理局": (0, 2, 0, 2),
        "发展改革委": (0, 1, 1, 2),
        "工信局": (1, 4, 0, 5),
        "二七经开区管委会": (0, 8, 0, 8),
        "教育局": (0, 2, 0, 2),
        "商务局": (0, 9, 0, 9),
        "住建局": (0, 1, 0, 1),
    }
    kpis = _kpis(page)
    assert kpis["重点项目"] == ("29", "个")
    # 300 of 4000 planned: 7.5%.
    assert kpis["投资完成率"] == ("7.5", "% · 时序进度 34.0%")
    assert kpis["完成投资"] == ("300.00", "万元 / 计划 4000.00")
    # 开工类: 001 008 009 010 (planned) and 015 016 (under construction): 2 of 6.
    assert kpis["开工率"] == ("33.3", "% · 2/6 个开工类")
    # 29 active projects, 27 of them not visited since 3 April: 2 of 29 comply.
    assert kpis["调研合规率"] == ("6.9", "% · 超期 27 个")
    assert kpis["逾期节点"] == ("0", "个")

    data = _chart_data(page)
    assert data["start_rate"] == 33.3
    # All, then 市重点 (015 016: 300 of 4000), 区重点 (no plan), then the sectors with projects: 产业
    # (015: 100 of 3000), four sectors with no plan, 其他 (016: 200 of 1000).
    assert data["investment"]["completion_rate"] == [7.5, 7.5, None, 3.3, None, None, None, None, 20.0]
    # Leads of 2023 as of 4 May: five received on 30 April (all contacted), three of them in talks,
    # two signed that day; three signed on 31 December 2022 landed on 30 April.
    assert [stage["value"] for stage in data["funnel"]] == [5, 5, 3, 2, 3]
    # 示例领导甲 leads 001 003 004 015 016 018 019 020 025: 003 and 016 visited, 2 of 9.
    assert dict(zip(data["visits"]["officials"], data["visits"]["compliance_rate"])) == {
        "示例领导甲": 22.2, "示例领导乙": 0.0, "示例领导丙": 0.0,
    }
    # 双过半 (completion rate, target 50): 7.5 of 50 = 15.0; 省市重点项目完成投资: 300 of 1858000 = 0.0.
    rates = dict(zip(data["targets"]["names"], data["targets"]["rate"]))
    assert (rates["“双过半”"], rates["省市重点项目完成投资"]) == (15.0, 0.0)


def test_department_scores_over_the_last_eight_weeks_equal_the_apis(seed, office, reader_client):
    response = office.get("/admin/", {"as_of": MEETING})
    scores = _context(response)["dashboard"]["department_scores"]
    api = reader_client.get("/api/v1/stats/departments/", {"as_of": MEETING, "year": "2023"}).json()

    assert scores["weeks"] == [f"2023-W{n}" for n in range(11, 19)]  # the eight weeks ending with 4 May's
    assert (api["from_week"], api["to_week"]) == ("2023-W11", "2023-W18")
    assert _json(scores["departments"]) == api["departments"]
    page = response.content.decode()
    assert 'id="chart-scores"' in page and "各单位考核得分" in page
    data = json.loads(re.search(r'<script id="cockpit-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert data["scores"]["weeks"] == scores["weeks"]
    assert [series["name"] for series in data["scores"]["series"]] == [
        row["department"]["name"] for row in api["departments"]]
    assert data["scores"]["series"][0]["data"] == [week["score"] for week in api["departments"][0]["by_week"]]


def test_the_office_sets_a_target_in_the_admin_through_the_service(office):
    response = office.post("/admin/projects/target/add/", {
        "year": 2023, "name": "省市重点项目完成投资", "metric": "completed_investment",
        "scope": "level=provincial,municipal", "value": "1858000", "due_period": "2023-Q2", "note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    target = Target.objects.get()
    assert target.due_date == date(2023, 6, 30)
    refused = office.post(f"/admin/projects/target/{target.pk}/change/", {
        "year": 2023, "name": "省市重点项目完成投资", "metric": "completed_investment",
        "scope": "level=nope", "value": "1", "due_period": "", "note": "",
    })
    assert refused.status_code == 200
    # The form shows the filters' own refusal next to the scope field.
    error = re.search(r'<ul class="errorlist" id="id_scope_error"><li>(.*?)</li>', refused.content.decode())
    assert error and error[1] == "level：选择一个有效的选项。 nope 不在可用的选项中。"
    target.refresh_from_db()
    assert (target.scope, target.value) == ("level=provincial,municipal", Decimal("1858000.00"))
