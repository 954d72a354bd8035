"""领导驾驶舱's 问题台账 panel and 人工研判 card: figures against numbers worked out by hand from a small
ledger, on two past days and today; every count opens the list of exactly the problems it counts."""

import re
from datetime import date
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from projects.domain.dates import today
from projects.reports.dashboard import problem_figures
from tests.factories import AssessmentFactory, DepartmentFactory, ProblemFactory, ProjectFactory, move_problem


@pytest.fixture
def office(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("office", "office@example.com", None))
    return client


@pytest.fixture
def ledger(dept_a, dept_b):
    """Eleven problems on 2023's list (and one on 2022's). On 2023-05-04:

    | problem | unit | state that day | deadline | days overdue | level |
    |---|---|---|---|---|---|
    | 1 土地手续 | 自然资源局 | assigned | 04-10 | 24 | 督办 |
    | 2 征迁 | 自然资源局 | assigned | 03-20 | 45 | 通报 |
    | 3 资金 | 发展改革委 | assigned | 05-10 | 0 | |
    | 4 规划 | 发展改革委 | assigned | 04-28 | 6 | 催办 |
    | 5 用电 | 教育局 | answered | | | |
    | 6 施工 | 教育局 | resolved 03-12 | | | |
    | 7 审批 | none | open | | | |
    | 8 道路 (raised 05-10) | none | not yet raised | | | |
    | 10 贷款 (answered 05-06, resolved 05-08) | 发展改革委 | assigned | 04-05 | 29 | 督办 |
    | 11 用工 | none | cancelled 04-20 | | | |
    | 9 (2022's list) | 自然资源局 | assigned | 03-01 | | not counted |
    """
    zrj = DepartmentFactory(code="zrj", name="自然资源局")
    p2023_a = ProjectFactory(department=dept_a, year=2023, name="仲景医药健康产业园")
    p2023_b = ProjectFactory(department=dept_b, year=2023, name="陇西南华府小学")
    p2022 = ProjectFactory(department=dept_a, year=2022, name="二七商圈改造")

    def problem(project, title, raised, *moves):
        return move_problem(ProblemFactory(project=project, title=title, raised_on=date.fromisoformat(raised)), *moves)

    def to(unit, due):
        return {"responsible_department": unit, "due_date": date.fromisoformat(due)}

    return {
        1: problem(p2023_a, "土地手续", "2023-03-30", ("assigned", "2023-04-01", to(zrj, "2023-04-10"))),
        2: problem(p2023_b, "征迁", "2023-02-20", ("assigned", "2023-03-01", to(zrj, "2023-03-20"))),
        3: problem(p2023_a, "资金", "2023-04-18", ("assigned", "2023-04-20", to(dept_a, "2023-05-10"))),
        4: problem(p2023_a, "规划", "2023-03-30", ("assigned", "2023-04-01", to(dept_a, "2023-04-28"))),
        5: problem(p2023_b, "用电", "2023-03-30", ("assigned", "2023-04-01", to(dept_b, "2023-04-15")),
                   ("answered", "2023-04-14")),
        6: problem(p2023_b, "施工", "2023-02-28", ("assigned", "2023-03-01", to(dept_b, "2023-03-15")),
                   ("answered", "2023-03-10"), ("resolved", "2023-03-12")),
        7: problem(p2023_a, "审批", "2023-04-30"),
        8: problem(p2023_b, "道路", "2023-05-10"),
        9: problem(p2022, "旧项目问题", "2023-02-01", ("assigned", "2023-02-02", to(zrj, "2023-03-01"))),
        10: problem(p2023_a, "贷款", "2023-03-30", ("assigned", "2023-04-01", to(dept_a, "2023-04-05")),
                    ("answered", "2023-05-06"), ("resolved", "2023-05-08")),
        11: problem(p2023_b, "用工", "2023-04-01", ("cancelled", "2023-04-20")),
    }


def table(figures) -> list[tuple]:
    return [(row["department"].name if row["department"] else None, row["open"], row["overdue"])
            for row in figures["by_department"]]


def test_the_panel_on_the_day_of_the_meeting(ledger):
    figures = problem_figures(as_of=date(2023, 5, 4), year=2023)
    assert table(figures) == [("发展改革委", 3, 2), ("自然资源局", 2, 2), ("教育局", 1, 0), (None, 1, 0)]
    assert (figures["open"], figures["overdue"], figures["escalated_count"]) == (7, 4, 3)
    assert [(p.title, p.days_overdue, p.escalation_level, p.escalation_level_display) for p in figures["escalated"]] == [
        ("征迁", 45, 3, "通报"), ("贷款", 29, 2, "督办"), ("土地手续", 24, 2, "督办"),
    ]


def test_the_panel_two_weeks_later(ledger):
    """05-20: 资金 10 days late (督办), 规划 22, 土地手续 40 and 征迁 61 (通报); 贷款 closed; 道路 raised."""
    figures = problem_figures(as_of=date(2023, 5, 20), year=2023)
    assert table(figures) == [("发展改革委", 2, 2), ("自然资源局", 2, 2), ("教育局", 1, 0), (None, 2, 0)]
    assert (figures["open"], figures["overdue"], figures["escalated_count"]) == (7, 4, 4)
    assert [(p.title, p.days_overdue, p.escalation_level) for p in figures["escalated"]] == [
        ("征迁", 61, 3), ("土地手续", 40, 3), ("规划", 22, 2), ("资金", 10, 2),
    ]


def test_the_panel_today_reads_the_current_states(ledger):
    """Today every assigned problem is years late (通报); the figures come from the rows as they are now."""
    figures = problem_figures(as_of=today(), year=2023)
    assert table(figures) == [("发展改革委", 2, 2), ("自然资源局", 2, 2), ("教育局", 1, 0), (None, 2, 0)]
    assert (figures["open"], figures["overdue"], figures["escalated_count"]) == (7, 4, 4)
    assert {p.escalation_level for p in figures["escalated"]} == {3}


def _links(page: str, css: str) -> list[tuple[str, str]]:
    return [(unescape(href), count) for href, count in
            re.findall(rf'class="{css}" href="([^"]+)">(\d+)</a>', page)]


def test_each_count_opens_the_problems_it_counts(ledger, office):
    response = office.get("/admin/", {"as_of": "2023-05-04"})
    page = response.content.decode()
    assert 'id="cockpit-problems"' in page and "逾期问题" in page
    links = _links(page, "problem-cell") + _links(page, "problem-cell problem-cell-overdue")
    assert sorted(int(count) for _, count in links) == sorted([3, 2, 1, 1, 2, 2])
    for href, count in links:
        listed = office.get(href)
        assert listed.status_code == 200
        assert listed.context["cl"].result_count == int(count), href
    escalated = re.search(r'href="([^"]+)">共 3 个 ›', page)
    assert office.get(unescape(escalated[1])).context["cl"].result_count == 3
    assert 'class="escalation escalation-3">通报' in page


def test_the_assessed_card_shows_both_lights_differing_first(ledger, office, dept_a):
    # Neither project was ever visited, so both show yellow; the office agrees on one and not the other.
    agreeing = ProjectFactory(department=dept_a, year=2023, name="郑州国际陆港")
    differing = ledger[1].project
    AssessmentFactory(project=agreeing, level="yellow", assessed_on=date(2023, 5, 1), valid_until=date(2023, 5, 31))
    AssessmentFactory(project=differing, level="red", reason="用地报批受阻", assessed_on=date(2023, 5, 2),
                      valid_until=date(2023, 5, 31))
    AssessmentFactory(project=ledger[2].project, level="red", assessed_on=date(2023, 3, 1),
                      valid_until=date(2023, 3, 31))  # expired by the meeting
    figures = office.get("/admin/", {"as_of": "2023-05-04"}).context["dashboard"]
    rows = [(p.name, p.warning_level, p.assessed_level, p.lights_differ) for p in figures["assessed"]]
    assert rows == [("仲景医药健康产业园", "yellow", "red", True), ("郑州国际陆港", "yellow", "yellow", False)]
    page = office.get("/admin/", {"as_of": "2023-05-04"}).content.decode()
    card = page[page.index('id="cockpit-assessed"'):]
    card = card.split("</table>")[0]
    assert "用地报批受阻" in card and card.count("不一致") == 1 and "陇西南华府小学" not in card
