"""A clerk's week and an official's visit, in the browser, under the roles policy."""

from datetime import date
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from projects.domain.choices import ProjectStatus, Role
from projects.models import Project, StatusUpdate, Visit
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
PASSWORD = "Erqi-week-2023"


@pytest.fixture
def portfolio(settings):
    """工信局's project (behind on investment: 红灯) and 城市管理局's, each with its lead official."""
    settings.PORTFOLIO_AS_OF = AS_OF
    gxj = DepartmentFactory(code="gxj", name="工信局")
    cgj = DepartmentFactory(code="cgj", name="城市管理局")
    wang = OfficialFactory(name="王一", title="副区长", department=gxj)
    li = OfficialFactory(name="李二", title="副区长", department=cgj)
    own = ProjectFactory(
        code="EQ2023-001", name="仲景医药健康产业园", department=gxj, lead_official=wang,
        status=ProjectStatus.UNDER_CONSTRUCTION, annual_plan_investment=Decimal("10000"),
        completed_investment=Decimal("0"), progress_percent=20,
    )
    foreign = ProjectFactory(
        code="EQ2023-002", name="二七区智慧城管平台", department=cgj, lead_official=li,
        annual_plan_investment=Decimal("0"),
    )
    VisitFactory(project=own, official=wang, visited_on=date(2023, 4, 20))
    VisitFactory(project=foreign, official=li, visited_on=date(2023, 3, 1))
    return {"own": own, "foreign": foreign, "gxj": gxj, "wang": wang}


def person(username: str, role: str, **profile):
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    UserProfileFactory(user=user, role=role, **profile)
    return user


def light_of(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".project-light").text


def test_clerk_reports_on_its_project_and_sees_the_light_change(browser, portfolio):
    own = portfolio["own"]
    person("gxj_clerk", Role.DEPARTMENT, department=portfolio["gxj"])
    log_in(browser, "gxj_clerk", PASSWORD)

    # Lands on 我的待办; its own projects are a click away, with a filter to see all of them.
    assert browser.current_url.endswith("/admin/todo/")
    open_page(browser, "/admin/projects/project/")
    page = text(browser)
    assert "我的项目" in page and "仲景医药健康产业园" in page and "二七区智慧城管平台" not in page
    screenshot(browser, "10-clerk-my-projects")

    browser.find_element(By.LINK_TEXT, "仲景医药健康产业园").click()
    wait_for(browser, ".project-light")
    assert "红灯" in light_of(browser)
    assert "投资" in " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".warning-reason"))
    screenshot(browser, "11-clerk-project-red")

    browser.find_element(By.ID, "add-status-update").click()
    wait_for(browser, "#statusupdate_form")
    investment = browser.find_element(By.NAME, "completed_investment")
    assert Decimal(investment.get_attribute("value")) == Decimal("0")
    assert browser.find_element(By.NAME, "progress_percent").get_attribute("value") == "20"
    assert Select(browser.find_element(By.NAME, "status_to")).first_selected_option.get_attribute("value") == \
        ProjectStatus.UNDER_CONSTRUCTION
    investment.clear()
    investment.send_keys("4000")
    progress = browser.find_element(By.NAME, "progress_percent")
    progress.clear()
    progress.send_keys("35")
    browser.find_element(By.NAME, "note").send_keys("主体结构施工，本周完成投资4000万元。")
    screenshot(browser, "12-clerk-status-update-form")
    submit(browser, browser.find_element(By.NAME, "_save"), ".project-light")
    assert "绿灯" in light_of(browser)
    assert "已为“仲景医药健康产业园”新增进度填报" in text(browser)
    screenshot(browser, "13-clerk-project-green")
    own.refresh_from_db()
    assert (own.completed_investment, own.progress_percent) == (Decimal("4000"), 35)
    assert StatusUpdate.objects.get(project=own).reported_by.username == "gxj_clerk"


def test_clerks_picker_lacks_a_foreign_project_and_a_forged_post_changes_nothing(browser, portfolio):
    foreign = portfolio["foreign"]
    person("gxj_clerk", Role.DEPARTMENT, department=portfolio["gxj"])
    log_in(browser, "gxj_clerk", PASSWORD)
    open_page(browser, "/admin/projects/statusupdate/add/")
    options = [option.text for option in Select(browser.find_element(By.NAME, "project")).options]
    assert any("仲景医药健康产业园" in option for option in options)
    assert not any("二七区智慧城管平台" in option for option in options)
    assert Select(browser.find_element(By.NAME, "status_to")).first_selected_option.text == "（状态不变）"
    # Show the picker's options as a list, for the guide.
    browser.execute_script("const s = document.getElementsByName('project')[0]; s.size = s.options.length + 1;")
    screenshot(browser, "20-clerk-picker-own-projects-only")

    # A forged POST naming the other department's project, sent from the clerk's own session.
    status = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const form = new FormData(document.getElementById('statusupdate_form'));
        form.set('project', arguments[0]);
        form.set('completed_investment', '999');
        form.set('note', '越权填报');
        fetch(location.href, {method: 'POST', body: form, credentials: 'same-origin'})
            .then(r => r.text().then(body => {
                document.open(); document.write(body); document.close();
                done([r.status, body.includes('选择一个有效的选项')]);
            }));
    """, str(foreign.pk))
    assert status == [200, True]
    wait_for(browser, "#statusupdate_form")
    screenshot(browser, "21-clerk-forged-post-refused")
    assert not StatusUpdate.objects.exists()
    foreign.refresh_from_db()
    assert foreign.completed_investment == Decimal("0.00") and foreign.version == 1
    open_page(browser, f"/admin/projects/project/{foreign.pk}/change/")
    assert "新增进度填报" not in text(browser) or not browser.find_elements(By.NAME, "_save")


def test_official_sees_days_since_visits_and_logs_a_visit_in_one_form(browser, portfolio):
    own = portfolio["own"]
    person("wang_yi", Role.OFFICIAL, official=portfolio["wang"])
    log_in(browser, "wang_yi", PASSWORD)
    assert "我的待办" in text(browser)  # an official lands on the to-do; its projects are one click away
    open_page(browser, "/admin/projects/project/")
    page = text(browser)
    assert "我的项目" in page and "仲景医药健康产业园" in page and "二七区智慧城管平台" not in page
    assert "14 天" in page
    screenshot(browser, "40-official-my-projects")

    browser.find_element(By.LINK_TEXT, "仲景医药健康产业园").click()
    wait_for(browser, "#add-visit")
    browser.find_element(By.ID, "add-visit").click()
    wait_for(browser, "#visit_form")
    assert browser.find_element(By.NAME, "visited_on").get_attribute("value") == "2023/05/04"
    official_options = [o.text for o in Select(browser.find_element(By.NAME, "official")).options if o.get_attribute("value")]
    assert official_options == ["王一（副区长）"]
    Select(browser.find_element(By.NAME, "kind")).select_by_visible_text("现场督导")
    browser.find_element(By.NAME, "note").send_keys("现场查看主体施工进度，协调用电增容。")
    screenshot(browser, "41-official-visit-form")
    submit(browser, browser.find_element(By.NAME, "_save"), "#result_list")
    assert "已记录对“仲景医药健康产业园”的调研" in text(browser)
    assert "0 天" in text(browser)
    screenshot(browser, "42-official-visit-recorded")
    visit = Visit.objects.get(project=own, visited_on=AS_OF)
    assert visit.official == portfolio["wang"] and visit.kind == "inspection"
    assert Project.objects.count() == 2
