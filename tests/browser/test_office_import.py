"""The office imports the annual list from a GBK CSV: a bad row is listed in Chinese, fixed, then imported."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from projects.models import Project
from tests.browser.pages import log_in, open_page, screenshot, submit, text
from tests.factories import DepartmentFactory, OfficialFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "项目编号,项目名称,年度,类别,级别,领域,所在区域,三个一批,年度计划投资（万元）,建设单位,责任单位代码,分包领导"
GOOD = "EQ2023-201,星驾科技氢能源项目,2023,开工类,市重点,产业,二七经开区,第7期开工一批,10000,星驾科技,gxj,王一"
BAD = "EQ2023-202,康师傅饮品中原总部,2023,在建类,区重点,产业,二七经开区,,一万二,康师傅,cgj,王一"
FIXED = BAD.replace("一万二", "12000").replace(",cgj,", ",gxj,")


def upload(browser, path) -> None:
    open_page(browser, "/admin/projects/project/import/")
    Select(browser.find_element(By.NAME, "format")).select_by_visible_text("csv")
    browser.find_element(By.NAME, "import_file").send_keys(str(path))
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] [type=submit]"))


def test_office_imports_a_gbk_sheet_after_fixing_the_bad_row(browser, django_user_model, tmp_path, settings):
    settings.PORTFOLIO_AS_OF = None
    DepartmentFactory(code="gxj", name="工信局")
    OfficialFactory(name="王一", title="副区长")
    django_user_model.objects.create_superuser("office", "", "Office-pass-2023")
    log_in(browser, "office", "Office-pass-2023")

    open_page(browser, "/admin/projects/project/import/")
    link = browser.find_element(By.ID, "import-template-link")
    assert "模板" in link.text and link.get_attribute("href").endswith("/admin/projects/project/import/template/")

    bad = tmp_path / "2023年重点项目.csv"
    bad.write_bytes("\r\n".join([HEADER, GOOD, BAD]).encode("gbk"))
    upload(browser, bad)
    page = text(browser)
    assert "“一万二”不是有效的数字。" in page and "年度计划投资（万元）" in page
    assert "找不到代码为“cgj”的单位。" in page and "责任单位代码" in page
    assert "UnicodeDecodeError" not in page and "ConversionSyntax" not in page
    screenshot(browser, "30-office-import-errors", scroll_to="#import-row-errors")
    assert not Project.objects.exists()

    fixed = tmp_path / "2023年重点项目（已改）.csv"
    fixed.write_bytes("\r\n".join([HEADER, GOOD, FIXED]).encode("gbk"))
    upload(browser, fixed)
    screenshot(browser, "31-office-import-preview")
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='process_import/'] [type=submit]"),
           "#result_list")
    assert set(Project.objects.values_list("code", flat=True)) == {"EQ2023-201", "EQ2023-202"}
    assert "康师傅饮品中原总部" in text(browser)
    screenshot(browser, "32-office-import-done")
