"""An English-language browser still gets the admin in Chinese, and no page loads anything from outside."""

import pytest

from tests.browser.pages import log_in, open_page, outside_requests, screenshot, submit, text, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_english_browser_gets_chinese_login_and_admin(browser, django_user_model):
    django_user_model.objects.create_superuser("office", "", "Office-pass-2023")
    open_page(browser, "/")
    wait_for(browser, "form#login-form")
    assert browser.current_url.startswith(browser.base_url + "/admin/login/")
    page = text(browser)
    assert "用户名" in page and "密码" in page and "登录" in page
    assert "Username" not in page and "Password" not in page and "Log in" not in page
    assert browser.execute_script("return navigator.language") == "en-US"
    screenshot(browser, "00-login")
    assert outside_requests(browser) == []

    browser.find_element("name", "username").send_keys("office")
    browser.find_element("name", "password").send_keys("wrong-password")
    submit(browser, browser.find_element("css selector", "form#login-form [type=submit]"), "form#login-form")
    assert "请输入一个正确的" in text(browser)

    log_in(browser, "office", "Office-pass-2023")
    open_page(browser, "/admin/projects/project/")
    page = text(browser)
    assert "输入以搜索" in browser.page_source
    for english in ("Type to search", "Filters", "Add ", "Search", "Log out"):
        assert english not in page
    assert outside_requests(browser) == []
