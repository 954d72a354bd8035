"""A problem from 填报 to 销号 in the browser: a clerk reports with a problem, the office hands it to another
department with a deadline, that department's clerk answers, the office closes it; the light follows."""

from datetime import date
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from projects.domain.choices import ProjectStatus, Role
from projects.models import Problem, ProblemMove
from tests.browser.pages import log_in, open_page, screenshot, submit, text, wait_for
from tests.conftest import AS_OF
from tests.factories import (
    DepartmentFactory,
    OfficialFactory,
    ProjectFactory,
    UserFactory,
    UserProfileFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Erqi-loop-2023"


@pytest.fixture
def portfolio(settings):
    """工信局's project, on track and visited (绿灯); 自然资源局 is the unit its land problem goes to."""
    settings.PORTFOLIO_AS_OF = AS_OF
    gxj = DepartmentFactory(code="gxj", name="工信局")
    zrj = DepartmentFactory(code="zrj", name="自然资源局")
    wang = OfficialFactory(name="王一", title="副区长", department=gxj)
    project = ProjectFactory(
        code="EQ2023-001", name="仲景医药健康产业园", department=gxj, lead_official=wang, year=2023,
        status=ProjectStatus.UNDER_CONSTRUCTION, annual_plan_investment=Decimal("10000"),
        completed_investment=Decimal("4000"), progress_percent=35,
    )
    VisitFactory(project=project, official=wang, visited_on=date(2023, 4, 20))
    for username, role, profile in (("gxj_clerk", Role.DEPARTMENT, {"department": gxj}),
                                    ("zrj_clerk", Role.DEPARTMENT, {"department": zrj}),
                                    ("office", Role.ADMIN, {})):
        user = UserFactory(username=username)
        user.set_password(PASSWORD)
        user.save()
        UserProfileFactory(user=user, role=role, **profile)
    return {"project": project, "gxj": gxj, "zrj": zrj}


def sign_in_as(browser, username: str) -> None:
    browser.delete_all_cookies()
    log_in(browser, username, PASSWORD)


def light_of(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".project-light").text


def type_into(browser, name: str, value: str) -> None:
    field = browser.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def test_a_problem_from_report_to_closing(browser, portfolio):
    project = portfolio["project"]
    project_page = f"/admin/projects/project/{project.pk}/change/"

    # 1. 工信局's clerk files a report dated 10 April and raises a land problem with it.
    sign_in_as(browser, "gxj_clerk")
    open_page(browser, project_page)
    assert "绿灯" in light_of(browser)
    browser.find_element(By.ID, "add-status-update").click()
    wait_for(browser, "#statusupdate_form")
    type_into(browser, "note", "主体结构施工，二期用地尚未落实。")
    type_into(browser, "reported_on", "2023-04-10")
    type_into(browser, "raised_problems-0-title", "二期用地指标未落实")
    Select(browser.find_element(By.NAME, "raised_problems-0-category")).select_by_visible_text("土地")
    type_into(browser, "raised_problems-0-description", "二期约40亩用地需调整规划指标，影响厂房开工。")
    # The whole form at once: the report above, the problem rows below it.
    browser.set_window_size(1366, browser.execute_script("return document.body.scrollHeight") + 160)
    screenshot(browser, "50-clerk-report-with-problem")
    browser.set_window_size(1366, 900)
    submit(browser, browser.find_element(By.NAME, "_save"), ".project-light")
    assert "已为“仲景医药健康产业园”新增进度填报" in text(browser)
    problem = Problem.objects.get()
    assert (problem.state, problem.source, problem.raised_on) == ("open", "report", date(2023, 4, 10))

    # 2. The office sees it 待交办 and hands it to 自然资源局, due 20 April.
    sign_in_as(browser, "office")
    open_page(browser, "/admin/projects/problem/?todo=assign")
    assert "二期用地指标未落实" in text(browser)
    screenshot(browser, "51-office-problems-to-assign")
    browser.find_element(By.CSS_SELECTOR, ".problem-action-assign").click()
    wait_for(browser, "#problemmove_form")
    assert "交办问题" in text(browser) and "二期约40亩用地" in text(browser)
    Select(browser.find_element(By.NAME, "responsible_department")).select_by_visible_text("自然资源局")
    type_into(browser, "due_date", "2023-04-20")
    type_into(browser, "moved_on", "2023-04-11")
    type_into(browser, "note", "请自然资源局协调调整规划指标，4月20日前办结并反馈。")
    screenshot(browser, "52-office-assign-form")
    submit(browser, browser.find_element(By.NAME, "_save"), ".escalation")
    assert "交办完成" in text(browser)
    screenshot(browser, "53-office-problem-assigned")
    problem.refresh_from_db()
    assert (problem.state, problem.responsible_department, problem.due_date) == (
        "assigned", portfolio["zrj"], date(2023, 4, 20))

    # On the meeting's day it is 14 days late: 督办, and the project shows yellow with the reason.
    open_page(browser, project_page)
    assert "黄灯" in light_of(browser)
    reasons = " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".warning-reason"))
    assert "二期用地指标未落实" in reasons and "14 天" in reasons
    assert browser.find_element(By.CSS_SELECTOR, ".escalation-2").text == "督办（逾期 14 天）"
    screenshot(browser, "54-project-yellow-problem-overdue")
    screenshot(browser, "55-project-problems-inline", scroll_to="#problems-group")
    open_page(browser, "/admin/?as_of=2023-05-04")
    panel = wait_for(browser, "#cockpit-problems")
    assert "自然资源局" in panel.text and "二期用地指标未落实" in panel.text
    screenshot(browser, "56-dashboard-problems", scroll_to="#cockpit-problems")

    # 3. 自然资源局's clerk finds it in 待我反馈 (a project of another department) and answers.
    sign_in_as(browser, "zrj_clerk")
    open_page(browser, "/admin/projects/problem/")
    assert "待我反馈的问题" in text(browser) and "二期用地指标未落实" in text(browser)
    screenshot(browser, "57-clerk-problems-to-answer")
    browser.find_element(By.CSS_SELECTOR, ".problem-action-answer").click()
    wait_for(browser, "#problemmove_form")
    assert not browser.find_elements(By.NAME, "due_date")
    type_into(browser, "note", "已完成规划指标调整，二期用地5月4日挂牌。")
    screenshot(browser, "58-clerk-answer-form")
    submit(browser, browser.find_element(By.NAME, "_save"), "#content")
    assert "反馈完成" in text(browser)
    problem.refresh_from_db()
    assert problem.state == "answered"

    # 4. The office closes it (销号) from 待销号; the project is green again.
    sign_in_as(browser, "office")
    open_page(browser, "/admin/projects/problem/?todo=resolve")
    browser.find_element(By.CSS_SELECTOR, ".problem-action-resolve").click()
    wait_for(browser, "#problemmove_form")
    assert "已完成规划指标调整" in text(browser)  # the answer, read before closing
    type_into(browser, "note", "经核实已挂牌，同意销号。")
    screenshot(browser, "59-office-resolve-form")
    submit(browser, browser.find_element(By.NAME, "_save"), "#content")
    problem.refresh_from_db()
    assert (problem.state, problem.resolved_on) == ("resolved", AS_OF)
    assert list(ProblemMove.objects.values_list("state_to", flat=True).order_by("id")) == [
        "assigned", "answered", "resolved"]
    open_page(browser, project_page)
    assert "绿灯" in light_of(browser)
    assert "已销号" in text(browser)
    screenshot(browser, "60-project-green-after-closing")

    # 5. The office adds its own judgement (人工研判): shown beside the computed light.
    Select(browser.find_element(By.NAME, "assessments-0-level")).select_by_visible_text("黄灯")
    type_into(browser, "assessments-0-reason", "二期用地刚挂牌，摘牌和开工仍需跟踪。")
    type_into(browser, "assessments-0-assessed_on", "2023-05-04")
    type_into(browser, "assessments-0-valid_until", "2023-06-03")
    browser.set_window_size(1366, 1100)
    screenshot(browser, "61-office-assessment-row", scroll_to="#problems-group")
    browser.set_window_size(1366, 900)
    submit(browser, browser.find_element(By.NAME, "_continue"), ".project-light")
    detail = browser.find_element(By.CSS_SELECTOR, ".assessed-light-detail").text
    assert "黄灯" in detail and "二期用地刚挂牌" in detail and "2023-06-03" in detail
    assert "绿灯" in light_of(browser)
    screenshot(browser, "62-project-two-lights")
    open_page(browser, "/admin/projects/project/")
    assert browser.find_element(By.CSS_SELECTOR, ".assessed-light.assessed-yellow").text == "黄灯"
    screenshot(browser, "63-project-list-two-lights")
