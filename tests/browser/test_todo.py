"""我的待办 in the browser: a clerk signs in, lands on it, files the week's report from it, and the line is gone."""

from datetime import date

import pytest
from selenium.webdriver.common.by import By

from projects.domain.choices import Role
from projects.models import StatusUpdate
from tests.browser.pages import log_in, open_page, screenshot, submit, text
from tests.conftest import AS_OF
from tests.factories import DepartmentFactory, MilestoneFactory, OfficialFactory, ProjectFactory, UserFactory, UserProfileFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Erqi-todo-2023"


def test_a_clerk_files_the_weeks_report_from_its_todo(browser, settings):
    settings.PORTFOLIO_AS_OF = AS_OF  # Thursday 4 May 2023: the report is due Friday 5 May
    gxj = DepartmentFactory(code="gxj", name="工信局")
    wang = OfficialFactory(name="王一", title="副区长", department=gxj)
    own = ProjectFactory(code="EQ2023-001", name="仲景医药健康产业园", department=gxj, lead_official=wang)
    other = ProjectFactory(code="EQ2023-003", name="二七区数字产业园", department=gxj, lead_official=wang)
    MilestoneFactory(project=own, title="二季度实质性开工", due_date=date(2023, 4, 30))
    user = UserFactory(username="gxj_clerk")
    user.set_password(PASSWORD)
    user.save()
    UserProfileFactory(user=user, role=Role.DEPARTMENT, department=gxj)

    log_in(browser, "gxj_clerk", PASSWORD)
    assert browser.current_url.endswith("/admin/todo/")
    page = text(browser)
    assert "我的待办" in page and "本周待填报进度" in page and "仲景医药健康产业园（EQ2023-001）" in page
    assert "二季度实质性开工" in page and "逾期 4 天" in page
    screenshot(browser, "14-clerk-todo")

    reports = browser.find_element(By.ID, "todo-reports_due")
    assert len(reports.find_elements(By.CSS_SELECTOR, ".todo-line")) == 2
    line = next(row for row in reports.find_elements(By.CSS_SELECTOR, ".todo-line") if "EQ2023-001" in row.text)
    line.find_element(By.LINK_TEXT, "填报进度").click()
    # The page is pinned to 4 May 2023 (PORTFOLIO_AS_OF): the report is dated that day too.
    day = browser.find_element(By.NAME, "reported_on")
    day.clear()
    day.send_keys(AS_OF.isoformat())
    browser.find_element(By.NAME, "note").send_keys("主体结构施工，本周完成投资4000万元。")
    submit(browser, browser.find_element(By.NAME, "_save"), ".project-light")
    assert StatusUpdate.objects.get(project=own).reported_on == AS_OF

    open_page(browser, "/admin/todo/")
    reports = browser.find_element(By.ID, "todo-reports_due")
    codes = [row.text for row in reports.find_elements(By.CSS_SELECTOR, ".todo-line")]
    assert len(codes) == 1 and "EQ2023-003" in codes[0] and other.name in codes[0]
    screenshot(browser, "15-clerk-todo-after-report")
