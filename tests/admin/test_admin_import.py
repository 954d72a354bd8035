"""Importing the annual list in the admin: the encodings Excel and WPS save, every row's errors, the template."""

import io

import openpyxl
import pytest
from django.urls import reverse

from projects.models import Project
from tests.admin.test_admin import (  # noqa: F401  (fixtures)
    CSV_FORMAT,
    IMPORT_HEADER,
    ROW_KANGSHIFU,
    ROW_XINGJIA,
    XLSX_FORMAT,
    confirm,
    page,
    pinned_as_of,
    staff,
    superuser,
    upload,
)

BAD_NUMBER = "EQ2023-105,华智龙人工智能产业总部,2023,开工类,区重点,产业,二七经开区,,一万,华智龙,fgw,王一"
BAD_DEPARTMENT = "EQ2023-106,郑州国际文化创意产业园,2023,开工类,区重点,产业,二七经开区,,0,文创集团,nope,王一"


def sheet(*rows: str, encoding: str) -> bytes:
    return "\r\n".join([IMPORT_HEADER, *rows]).encode(encoding)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_every_encoding_excel_saves_is_imported(staff, dept_a, dept_b, official_a, official_b, encoding):
    preview = upload(staff, "2023.csv", sheet(ROW_XINGJIA, ROW_KANGSHIFU, encoding=encoding), CSV_FORMAT)
    assert confirm(staff, preview).status_code == 302
    assert Project.objects.get(code="EQ2023-101").name == "星驾科技氢能源项目"
    assert Project.objects.get(code="EQ2023-102").owner == "康师傅"


def test_every_bad_row_is_listed_in_chinese_with_its_column_and_nothing_is_imported(staff, dept_a, official_a):
    preview = upload(staff, "2023.csv", sheet(ROW_XINGJIA, BAD_NUMBER, BAD_DEPARTMENT, encoding="gbk"), CSV_FORMAT)
    content = page(preview)
    assert preview.status_code == 200 and "confirm_form" not in preview.context
    assert "“一万”不是有效的数字。" in content and "年度计划投资（万元）" in content
    assert "找不到代码为“nope”的单位。" in content and "责任单位代码" in content
    assert "ConversionSyntax" not in content and "Traceback" not in content
    result = preview.context["result"]
    assert [row.number for row in result.invalid_rows] == [2, 3]
    assert not Project.objects.exists()


def test_a_file_in_no_known_encoding_is_refused_in_chinese(staff, dept_a):
    content = page(upload(staff, "2023.csv", b"\xff\xfe\x00\xd8\x00\xdc\x81", CSV_FORMAT))
    assert "无法识别文件编码" in content
    assert "UnicodeDecodeError" not in content
    assert not Project.objects.exists()


def test_import_page_links_the_template(staff):
    content = page(staff.get(reverse("admin:projects_project_import")))
    url = reverse("admin:projects_project_import_template")
    assert "template" in url
    assert f'href="{url}"' in content and "下载导入模板" in content


def test_the_template_has_the_headers_and_an_example_row_that_imports(staff, dept_a, official_a):
    response = staff.get(reverse("admin:projects_project_import_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 2
    assert rows[0][:3] == ("项目编号", "项目名称", "年度") and "三个一批" in rows[0] and "责任单位代码" in rows[0]
    assert rows[1][0] == "EQ2023-101"
    preview = upload(staff, "template.xlsx", response.content, XLSX_FORMAT)
    assert confirm(staff, preview).status_code == 302
    project = Project.objects.get(code="EQ2023-101")
    assert (project.department, project.lead_official) == (dept_a, official_a)
