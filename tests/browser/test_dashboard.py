"""The dashboard in headless Chromium: every chart drawn, a light cell opens the list it counts, a screenshot for the guide."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

# The headless-Chromium fixtures and page helpers of the browser tests.
pages = pytest.importorskip("tests.browser.pages")
By = pytest.importorskip("selenium.webdriver.common.by").By

CHARTS = [
    "chart-lights", "chart-investment", "chart-start-rate", "chart-batches", "chart-targets", "chart-funnel",
    "chart-visits", "chart-scores",
]


@pytest.fixture
def meeting(transactional_db, settings):
    """The seed's portfolio as the meeting of 4 May 2023 saw it, and the office's login."""
    settings.PORTFOLIO_AS_OF = date(2023, 5, 4)
    call_command("loaddata", "erqi_2023", verbosity=0)
    call_command("demo_leads", verbosity=0)
    get_user_model().objects.create_superuser("office", "office@example.com", "office-pass-2023")


def test_dashboard_draws_its_charts_and_a_light_cell_opens_the_filtered_list(browser, meeting):
    pages.log_in(browser, "office", "office-pass-2023")
    pages.open_page(browser, "/admin/?as_of=2023-05-04")
    pages.wait_for(browser, "#chart-targets svg")
    for chart in CHARTS:
        drawn = browser.execute_script(
            "return document.querySelectorAll(arguments[0] + ' svg path, ' + arguments[0] + ' svg text').length",
            f"#{chart}",
        )
        assert drawn > 0, chart
    body = browser.find_element(By.ID, "cockpit").text
    assert "领导驾驶舱" in body and "截至 2023年5月4日" in body
    assert "省市重点项目完成投资" in body and "滞后于序时进度" in body
    assert "签约总额 270,200.00 万元" in body or "签约总额 270200.00 万元" in body
    assert pages.outside_requests(browser) == []

    height = browser.execute_script("return document.body.scrollHeight")
    browser.set_window_size(1366, height)
    pages.screenshot(browser, "10-dashboard")
    browser.set_window_size(1366, 800)

    cell = next(c for c in browser.find_elements(By.CSS_SELECTOR, ".cockpit-lights .light-cell-yellow")
                if c.text != "0")
    expected = int(cell.text)
    cell.click()
    pages.wait_for(browser, "#changelist")
    assert "warning_level=yellow" in browser.current_url and "as_of=2023-05-04" in browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert len(rows) == expected
    assert "评价日 2023-05-04" in browser.title or "评价日 2023-05-04" in browser.find_element(By.TAG_NAME, "body").text
