"""Photos from a phone (390 × 844): an official records a visit with photos, a clerk files a report with
one, and the office sees them on the project's page with their checks."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By

from projects.domain.choices import ProjectStatus, Role
from projects.models import Photo, StatusUpdate, Visit
from tests.browser.pages import log_in, open_page, screenshot, submit, text, wait_for
from tests.browser.test_clerk_and_official import PASSWORD, person
from tests.conftest import AS_OF
from tests.factories import DepartmentFactory, OfficialFactory, ProjectFactory
from tests.photos import images

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}


def as_phone(driver) -> None:
    """The page as a phone shows it: a 390-px-wide viewport, touch, the mobile layout."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})


def as_desktop(driver) -> None:
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.fixture
def site(settings):
    settings.PORTFOLIO_AS_OF = AS_OF
    gxj = DepartmentFactory(code="gxj", name="工信局")
    wang = OfficialFactory(name="王一", title="副区长", department=gxj)
    project = ProjectFactory(
        code="EQ2023-001", name="仲景医药健康产业园", department=gxj, lead_official=wang,
        status=ProjectStatus.UNDER_CONSTRUCTION, annual_plan_investment=Decimal("10000"),
        completed_investment=Decimal("3000"), progress_percent=35,
    )
    return {"project": project, "wang": wang, "gxj": gxj}


def no_horizontal_scroll(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def images_loaded(driver, css: str) -> list[int]:
    """The natural widths of the images under `css` once loaded (0: not shown)."""
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "document.querySelectorAll(arguments[0]).forEach(i => { i.loading = 'eager'; });"
        "const pending = [...document.querySelectorAll(arguments[0])].filter(i => !i.complete);"
        "Promise.all(pending.map(i => new Promise(r => { i.onload = i.onerror = r; }))).then(done);", css,
    )
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(i => i.naturalWidth)", css,
    )


def test_an_official_records_a_visit_with_photos_from_the_phone(browser, site, tmp_path):
    project = site["project"]
    on_site = tmp_path / "IMG_2041.jpg"
    on_site.write_bytes(images.jpeg(datetime(2023, 5, 4, 9, 40), images.ERQI_SQUARE, orientation=6,
                                    size=(1600, 1200)))
    elsewhere = tmp_path / "IMG_1987.jpg"
    elsewhere.write_bytes(images.jpeg(datetime(2023, 4, 28, 15, 5), images.ZHENGDONG, size=(1600, 1200)))
    person("wang", Role.OFFICIAL, official=site["wang"])

    as_phone(browser)
    log_in(browser, "wang", PASSWORD)
    open_page(browser, f"/admin/projects/visit/add/?project={project.pk}")
    field = wait_for(browser, "input[type=file][name=photos]")
    assert field.get_attribute("accept") == "image/*"
    assert field.get_attribute("capture") == "environment"
    assert no_horizontal_scroll(browser)
    browser.find_element(By.NAME, "note").send_keys("现场督导：厂房主体施工，塔吊两台作业。")
    browser.find_element(By.NAME, "photo_caption").send_keys("厂房主体")
    field.send_keys(f"{on_site}\n{elsewhere}")
    screenshot(browser, "60-official-visit-photos-phone", scroll_to="input[name=photos]")
    submit(browser, browser.find_element(By.NAME, "_save"))
    assert "已记录对“仲景医药健康产业园”的调研" in text(browser)
    visit = Visit.objects.get(project=project)
    assert Photo.objects.filter(visit=visit).count() == 2

    open_page(browser, f"/admin/projects/visit/{visit.pk}/change/")
    wait_for(browser, ".photo-card")
    assert all(width > 0 for width in images_loaded(browser, ".photo-card img"))
    assert no_horizontal_scroll(browser)
    screenshot(browser, "61-official-visit-photos-recorded-phone", scroll_to=".photo-gallery")


def test_the_office_sees_the_photos_by_date_with_their_checks(browser, site, tmp_path):
    project = site["project"]
    wang = person("wang", Role.OFFICIAL, official=site["wang"])
    person("office", Role.ADMIN)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.services import photo_create, visit_create

    visit = visit_create(user=wang, project=project, visited_on=date(2023, 5, 4), kind="inspection",
                         note="现场督导")
    for taken, where, caption in [
        (datetime(2023, 5, 4, 9, 40), images.ERQI_SQUARE, "厂房主体"),
        (datetime(2023, 4, 28, 15, 5), images.ZHENGDONG, "材料进场"),
        (datetime(2023, 4, 20, 10, 0), images.ERQI_SQUARE, "基础施工"),
    ]:
        content = images.jpeg(taken, where, size=(800, 600))
        photo_create(user=wang, project=project, visit=visit, caption=caption,
                     file=SimpleUploadedFile("p.jpg", content, content_type="image/jpeg"))

    log_in(browser, "office", PASSWORD)
    open_page(browser, f"/admin/projects/project/{project.pk}/change/")
    gallery = wait_for(browser, ".photo-gallery")
    assert all(width > 0 for width in images_loaded(browser, ".photo-card img"))
    days = [day.text for day in gallery.find_elements(By.CSS_SELECTOR, ".photo-day")]
    assert days == ["2023年5月4日 拍摄", "2023年4月28日 拍摄", "2023年4月20日 拍摄"]
    checks = [badge.text for badge in gallery.find_elements(By.CSS_SELECTOR, ".photo-check")]
    assert checks == ["正常", "不在辖区内", "拍摄日期不符"]
    screenshot(browser, "62-office-project-photos", scroll_to=".photo-gallery")

    as_phone(browser)
    open_page(browser, f"/admin/projects/project/{project.pk}/change/")
    wait_for(browser, ".photo-gallery")
    images_loaded(browser, ".photo-card img")
    assert no_horizontal_scroll(browser)
    screenshot(browser, "63-office-project-photos-phone", scroll_to=".photo-gallery")
    as_desktop(browser)


def test_a_clerk_files_a_report_with_a_photo_from_the_phone(browser, site, tmp_path):
    project = site["project"]
    shot = tmp_path / "IMG_2050.jpg"
    shot.write_bytes(images.jpeg(datetime(2023, 5, 4, 11, 20), images.ERQI_SQUARE, size=(1600, 1200)))
    person("clerk", Role.DEPARTMENT, department=site["gxj"])

    as_phone(browser)
    log_in(browser, "clerk", PASSWORD)
    open_page(browser, f"/admin/projects/statusupdate/add/?project={project.pk}")
    field = wait_for(browser, "input[type=file][name=photos]")
    assert (field.get_attribute("accept"), field.get_attribute("capture")) == ("image/*", "environment")
    progress = browser.find_element(By.NAME, "progress_percent")
    progress.clear()
    progress.send_keys("40")
    browser.find_element(By.NAME, "note").send_keys("厂房主体施工至三层。")
    browser.find_element(By.NAME, "photo_caption").send_keys("三层顶板浇筑")
    field.send_keys(str(shot))
    assert no_horizontal_scroll(browser)
    screenshot(browser, "64-clerk-report-photo-phone", scroll_to="input[name=photos]")
    submit(browser, browser.find_element(By.NAME, "_save"))
    report = StatusUpdate.objects.get(project=project)
    assert Photo.objects.get().status_update == report

    # A file that is no photo is refused on the same form, in Chinese, and nothing is kept.
    fake = tmp_path / "进度.jpg"
    fake.write_bytes(images.HTML)
    open_page(browser, f"/admin/projects/statusupdate/add/?project={project.pk}")
    browser.find_element(By.NAME, "note").send_keys("补充照片")
    wait_for(browser, "input[type=file][name=photos]").send_keys(str(fake))
    submit(browser, browser.find_element(By.NAME, "_save"))
    assert "不是可识别的照片" in text(browser)
    assert StatusUpdate.objects.count() == 1 and Photo.objects.count() == 1
    screenshot(browser, "65-clerk-report-photo-refused-phone", scroll_to="input[name=photos]")
