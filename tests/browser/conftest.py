"""Headless Chromium (Debian's `chromium` + `chromium-driver`) driven by Selenium, against `live_server`.

Without the browser these tests skip with a message, except under CI=true, where they fail: CI must
run them. `.ci/run` installs the browser when it is missing.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Screenshots go to a scratch folder (`screenshots/`, ignored by git) so that a test run never
# changes the repository; `make screenshots` runs the browser tests with SCREENSHOTS_DIR pointing at
# docs/user-guide/ to retake the user guide's pictures on purpose.
_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = _ROOT / os.environ.get("SCREENSHOTS_DIR", "screenshots")
WIDTH, HEIGHT = 1366, 900  # a common office laptop
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
    f"--window-size={WIDTH},{HEIGHT}",
]


def _executable(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing_browser(message: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: the browser tests must run; .ci/run installs chromium and chromium-driver)")
    pytest.skip(f"{message}: browser tests skipped (apt-get install chromium chromium-driver to run them)")


@pytest.fixture(scope="session")
def _chromium():
    try:
        import selenium  # noqa: F401
    except ImportError:
        _missing_browser("selenium is not installed")
    browser = _executable("chromium", "chromium-browser")
    driver = _executable("chromedriver")
    if not browser or not driver:
        _missing_browser("chromium or chromedriver not found on PATH")
    return browser, driver


@pytest.fixture
def browser(_chromium, live_server, settings):
    """A fresh headless Chromium per test (own profile), asking for English pages, at 1366 px."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _chromium
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    # An English-language browser: the admin must still answer in Chinese.
    options.add_argument("--lang=en-US")
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(0)
    driver.base_url = live_server.url
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
