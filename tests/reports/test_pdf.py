"""GET /reports/weekly/?format=pdf: the bulletin on A4 pages, read back with poppler's tools.

The text of the PDF (pdftotext) must hold the title and every figure of the spreadsheet of the same
week; the fonts must be embedded (pdffonts); a server without the renderer answers 503 in JSON.
Without poppler-utils these tests skip, except under CI=true, where they fail (.ci/run installs it).
"""

import io
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from projects import services
from tests.factories import (
    DepartmentFactory,
    LeadFactory,
    MilestoneFactory,
    OfficialFactory,
    ProjectFactory,
    StatusUpdateFactory,
    UserFactory,
    VisitFactory,
    move_lead,
)

pytestmark = pytest.mark.django_db

WEEKLY = "/api/v1/reports/weekly/"
WEEK = {"week": "2023-W19", "as_of": "2023-05-14"}
TITLE = "二七区重点项目每周通报 2023年第19周（5月8日—5月14日）"


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path:
        return path
    message = f"{tool} (Debian's poppler-utils) is not installed"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: .ci/run installs poppler-utils)")
    pytest.skip(f"{message}: apt-get install poppler-utils to run the PDF tests")


def pdf_text(pdf: bytes) -> str:
    """The text in the order it is drawn (-raw): a table cell's lines stay together even when the cells
    beside it wrap too."""
    return subprocess.run([_poppler("pdftotext"), "-raw", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def pdf_tool(tool: str, pdf: bytes, tmp_path) -> str:
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(pdf)
    return subprocess.run([_poppler(tool), str(path)], capture_output=True, check=True).stdout.decode()


@pytest.fixture
def week(db):
    """A week with something in every part of the bulletin, in Chinese, with money and dates."""
    clerk = UserFactory(username="clerk", first_name="王填报")
    fgw = DepartmentFactory(code="fgw", name="发展改革委")
    jyj = DepartmentFactory(code="jyj", name="教育局")
    zhongjing = ProjectFactory(
        code="EQ2023-001", name="仲景医药健康产业园", department=fgw, lead_official=OfficialFactory(department=fgw),
        annual_plan_investment=Decimal("30000.50"), completed_investment=Decimal("1145000.00"), progress_percent=40,
    )
    school = ProjectFactory(code="EQ2023-002", name="陇西南华府小学", department=jyj,
                            lead_official=OfficialFactory(department=jyj))
    ProjectFactory(code="EQ2023-003", name="郑州四中华侨城校区", department=jyj, status="planned",
                   lead_official=OfficialFactory(department=jyj))
    StatusUpdateFactory(
        project=zhongjing, reported_on=date(2023, 5, 10), reported_by=clerk, completed_investment=Decimal("1145000.00"),
        progress_percent=40, note="主体结构施工至第六层，钢结构厂房完成吊装，完成投资稳步推进",
        problems="用地指标待落实，需自然资源局协调", next_steps="五月底前完成主体封顶",
    )
    StatusUpdateFactory(project=school, reported_on=date(2023, 5, 13), reported_by=clerk, note="室外管网施工")
    MilestoneFactory(project=zhongjing, title="完成土地摘牌", due_date=date(2023, 5, 10),
                     completed_on=date(2023, 5, 12))
    MilestoneFactory(project=school, kind="completion", title="秋季开学前建成", due_date=date(2023, 5, 9))
    VisitFactory(project=zhongjing, visited_on=date(2023, 5, 8))
    lead = LeadFactory(name="比亚迪全品牌形象体验中心", enterprise="郑州金博大商业有限公司", department=fgw,
                       amount=Decimal("52000.00"))
    move_lead(lead, ("contacted", "2023-05-09"))
    services.target_create(user=None, year=2023, name="省市重点项目完成投资", metric="completed_investment",
                           value=Decimal("1858000.00"), due_period="2023-Q2")


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_holds_the_title_and_every_figure_of_the_spreadsheet(reader_client, week, tmp_path):
    response = reader_client.get(WEEKLY, {**WEEK, "format": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "weekly-2023-W19.pdf" in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert TITLE in text
    assert "截至2023年5月14日" in text
    squeezed = _squeezed(text)

    book = openpyxl.load_workbook(io.BytesIO(reader_client.get(WEEKLY, {**WEEK, "format": "xlsx"}).content))
    checked = 0
    for sheet in book.worksheets:
        assert sheet.title in text
        header, *rows = list(sheet.iter_rows(min_row=2))
        for cell in header:
            assert _squeezed(cell.value) in squeezed, (sheet.title, cell.value)
        for row in rows:
            for cell in row:
                if cell.value is None:
                    continue
                if cell.number_format == "#,##0.00":
                    expected = f"{Decimal(str(cell.value)):,.2f}"  # money reads as the spreadsheet shows it
                elif cell.is_date:
                    expected = cell.value.date().isoformat()
                else:
                    expected = str(cell.value)
                assert _squeezed(expected) in squeezed, (sheet.title, cell.coordinate, expected)
                checked += 1
    assert checked > 60  # every part has rows: departments, rolls, reports, milestones, silent projects, leads, targets
    for figure in ("1,145,000.00", "1,858,000.00", "52,000.00", "主体结构施工至第六层", "比亚迪全品牌形象体验中心"):
        assert figure in squeezed


def test_a4_pages_numbered_with_the_chinese_font_embedded(reader_client, week, tmp_path):
    pdf = reader_client.get(WEEKLY, {**WEEK, "format": "pdf"}).content

    info = pdf_tool("pdfinfo", pdf, tmp_path)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    text = pdf_text(pdf)
    for page in range(1, pages + 1):
        assert f"第 {page} 页，共 {pages} 页" in text
    fonts = pdf_tool("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert fonts, "the PDF names no font"
    for line in fonts:
        emb, sub = line.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), line  # embedded, and only the glyphs used
    assert len(pdf) < 600_000


def test_the_pdf_follows_the_project_filters_as_the_json_does(reader_client, week):
    text = pdf_text(reader_client.get(WEEKLY, {**WEEK, "format": "pdf", "department": "jyj"}).content)
    assert "陇西南华府小学" in text
    assert "仲景医药健康产业园" not in text


@pytest.mark.parametrize("failure", ["import", "library"])
def test_without_the_renderer_the_pdf_is_503_in_chinese_and_the_rest_still_works(reader_client, week, monkeypatch,
                                                                                 failure):
    for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    if failure == "import":
        monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    else:
        class NoPango:
            """What a server without Pango shows: WeasyPrint's import fails loading the library."""

            def find_spec(self, name, path=None, target=None):
                if name == "weasyprint":
                    raise OSError("cannot load library 'libpango-1.0-0': No such file or directory")

        monkeypatch.setattr(sys, "meta_path", [NoPango(), *sys.meta_path])

    response = reader_client.get(WEEKLY, {**WEEK, "format": "pdf"})

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert "暂时无法生成 PDF" in response.json()["detail"]
    assert reader_client.get(WEEKLY, WEEK).status_code == 200
    assert reader_client.get(WEEKLY, {**WEEK, "format": "xlsx"}).status_code == 200


def test_a_missing_font_is_503_too(reader_client, week, settings, tmp_path):
    settings.REPORT_PDF_FONT = tmp_path / "missing.otf"

    response = reader_client.get(WEEKLY, {**WEEK, "format": "pdf"})

    assert response.status_code == 503
    assert "字体" in response.json()["detail"]


def test_only_the_bulletin_offers_a_pdf(reader_client, week):
    response = reader_client.get("/api/v1/stats/summary/", {"format": "pdf"})
    assert response.status_code == 400
    assert "csv" in response.json()["format"][0]

    bad = reader_client.get(WEEKLY, {"week": "2023-W60", "format": "pdf"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/json")
