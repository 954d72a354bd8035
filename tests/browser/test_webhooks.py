"""推送订阅 in the browser: the office adds a subscription, sees its secret once, and not on the next visit."""

import pytest
from selenium.webdriver.common.by import By

from projects.domain.choices import Role
from projects.models import WebhookSubscription
from tests.browser.pages import log_in, open_page, screenshot, submit, text
from tests.factories import UserFactory, UserProfileFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Erqi-hooks-2023"


def test_the_office_adds_a_subscription_and_copies_its_secret_once(browser, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    user = UserFactory(username="xmb_office", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    UserProfileFactory(user=user, role=Role.ADMIN)

    log_in(browser, "xmb_office", PASSWORD)
    open_page(browser, "/admin/projects/webhooksubscription/add/")
    browser.find_element(By.NAME, "url").send_keys("https://evil.example.com/hooks")
    submit(browser, browser.find_element(By.NAME, "_save"), ".errorlist")
    assert "不在允许的外发主机（WEBHOOK_ALLOWED_HOSTS）" in text(browser)

    url = browser.find_element(By.NAME, "url")
    url.clear()
    url.send_keys("https://127.0.0.1:8443/hooks/portfolio")
    browser.find_element(By.NAME, "description").send_keys("市重点项目平台")
    for event_type in ("project.changed", "problem.created"):
        browser.find_element(By.CSS_SELECTOR, f"input[name=types][value='{event_type}']").click()
    submit(browser, browser.find_element(By.NAME, "_save"), ".webhook-secret")
    subscription = WebhookSubscription.objects.get()
    shown = browser.find_element(By.CSS_SELECTOR, ".webhook-secret-value").text
    assert shown == subscription.secret and shown.startswith("whsec_")
    assert "只显示这一次" in text(browser)
    assert subscription.types == ["project.changed", "problem.created"]
    screenshot(browser, "30-office-webhook-secret-once")

    browser.refresh()
    assert subscription.secret not in browser.page_source
    assert not browser.find_elements(By.CSS_SELECTOR, ".webhook-secret")
