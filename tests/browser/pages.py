"""What the browser scenarios do on the admin's pages: log in, wait, fill, save screenshots."""

from urllib.parse import urlsplit

from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import SCREENSHOTS

WAIT_SECONDS = 10


def wait_for(driver, css: str):
    return WebDriverWait(driver, WAIT_SECONDS).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def submit(driver, element, css: str = "body"):
    """Click `element` and wait until the next page has replaced this one and shows `css`: waiting for
    `css` alone could match the old page, whose elements then go stale under the test."""
    old_page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, WAIT_SECONDS).until(EC.staleness_of(old_page))
    return wait_for(driver, css)


def open_page(driver, path: str) -> None:
    driver.get(driver.base_url + path)
    wait_for(driver, "body")


def log_in(driver, username: str, password: str) -> None:
    open_page(driver, "/admin/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form#login-form [type=submit]").click()
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: "/admin/login/" not in d.current_url)


def text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def screenshot(driver, name: str, scroll_to: str | None = None) -> None:
    """<SCREENSHOTS>/<name>.png (docs/user-guide/ under `make screenshots`): what the user guide shows (scrolled to `scroll_to`, a CSS selector)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # No blinking caret and no fading scrollbars: the same page gives the same picture, so reruns
    # leave the files unchanged.
    driver.execute_script(
        "document.activeElement && document.activeElement.blur();"
        "const style = document.createElement('style');"
        "style.textContent = '.simplebar-track{visibility:hidden!important} *{caret-color:transparent!important;"
        "transition:none!important;animation:none!important}';"
        "document.head.appendChild(style);"
    )
    if scroll_to:
        element = driver.find_element(By.CSS_SELECTOR, scroll_to)
        driver.execute_script(
            "document.documentElement.style.scrollBehavior = 'auto';"
            "arguments[0].scrollIntoView({block: 'start', behavior: 'instant'});"
            "window.scrollBy({top: -80, behavior: 'instant'});", element,
        )
    else:
        driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    # The pointer rests in a corner, so no button is pictured hovered.
    pointer = ActionBuilder(driver)
    pointer.pointer_action.move_to_location(1, 1)
    pointer.perform()
    # Let the page paint what the script above changed before taking the picture.
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
    )
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def outside_requests(driver) -> list[str]:
    """Every resource the page loaded from another host (fonts, scripts, styles, images)."""
    host = urlsplit(driver.base_url).netloc
    urls = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat([...document.querySelectorAll('[src],link[href]')].map(e => e.src || e.href));"
    )
    return sorted({url for url in urls if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host})
