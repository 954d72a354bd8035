"""Spreadsheet downloads: ?format=csv|xlsx on the project and milestone lists and the weekly bulletin."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import unquote

import openpyxl
import pytest
from django.http import HttpResponse

from tests.factories import (
    MilestoneFactory,
    ProjectBatchFactory,
    ProjectFactory,
    StatusUpdateFactory,
    UserFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects/"
MILESTONES = "/api/v1/milestones/"
WEEKLY = "/api/v1/reports/weekly/"
SUMMARY = "/api/v1/stats/summary/"
BOM = b"\xef\xbb\xbf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WEEKLY_SHEETS = [
    "各单位汇总", "红黑榜", "本周进度填报", "本周完成节点", "本周新增逾期节点", "本周未填报项目", "本周招商引资", "目标任务",
    "本周督办问题", "研判与亮灯不一致", "问题台账",
]
WEEKLY_TITLE = "二七区重点项目每周通报 2023年第19周（5月8日—5月14日）"


def download(client, path: str, fmt: str, **params):
    response = client.get(path, {"as_of": "2023-05-14", "format": fmt, **params})
    assert response.status_code == 200, response.content[:500]
    if response.streaming:  # a CSV download is streamed: read it whole for the checks below
        return HttpResponse(b"".join(response.streaming_content), headers=dict(response.headers))
    return response


def csv_rows(response) -> list[list[str]]:
    assert response.content.startswith(BOM)
    text = response.content.decode("utf-8")
    assert text[0] == "\ufeff"
    return list(csv.reader(io.StringIO(text[1:])))


def workbook(response):
    assert response["Content-Type"] == XLSX_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content))


def filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    return unquote(disposition.split("filename*=UTF-8''", 1)[1])


@pytest.fixture
def portfolio(dept_a, dept_b, official_a, official_b):
    """Two projects with Chinese text, money, dates, a milestone each and a report in 2023-W19."""
    zhongjing = ProjectFactory(
        code="EQ2023-001", name="仲景医药健康产业园", department=dept_a, lead_official=official_a,
        category="start", level="provincial", status="under_construction", owner="郑州仲景医药有限公司",
        total_investment=Decimal("150000.00"), annual_plan_investment=Decimal("30000.50"),
        completed_investment=Decimal("12345.67"), progress_percent=40, zone="二七经开区",
    )
    ProjectBatchFactory(project=zhongjing, period=7, kind="starting")
    school = ProjectFactory(
        code="EQ2023-002", name="陇西南华府小学", department=dept_b, lead_official=official_b,
        category="construction", level="district", status="under_construction", owner="二七区教育局",
        total_investment=Decimal("8000.00"), annual_plan_investment=Decimal("3000.00"),
        zone="淮河路街道",
    )
    MilestoneFactory(project=zhongjing, kind="start", title="二季度实质性开工", due_period="2023-Q2",
                     due_date=date(2023, 6, 30))
    MilestoneFactory(project=zhongjing, kind="other", title="完成土地摘牌", due_date=date(2023, 5, 10),
                     completed_on=date(2023, 5, 12), note="已摘牌")
    MilestoneFactory(project=school, kind="completion", title="秋季开学前建成", due_date=date(2023, 5, 9))
    VisitFactory(project=zhongjing, visited_on=date(2023, 5, 8))
    reporter = UserFactory(username="tianbao", first_name="填报员")
    StatusUpdateFactory(project=zhongjing, reported_on=date(2023, 5, 10), reported_by=reporter,
                        note="主体结构施工中", problems="用地指标待落实",
                        completed_investment=Decimal("12345.67"), progress_percent=40)
    return {"zhongjing": zhongjing, "school": school}


# --- CSV ----------------------------------------------------------------------------------------------


def test_projects_csv_is_utf8_with_bom_and_chinese_headers(admin_client, portfolio):
    response = download(admin_client, PROJECTS, "csv")

    assert response["Content-Type"].startswith("text/csv")
    assert filename(response).endswith(".csv")
    rows = csv_rows(response)
    header = rows[0]
    assert header[:2] == ["项目编号", "项目名称"]
    assert {"年度计划投资（万元）", "年度累计完成投资（万元）", "责任单位", "分包领导", "亮灯"} <= set(header)
    assert len(rows) == 3
    record = dict(zip(header, rows[1]))
    assert record["项目编号"] == "EQ2023-001"
    assert record["项目名称"] == "仲景医药健康产业园"
    assert record["建设单位"] == "郑州仲景医药有限公司"
    assert record["所在区域"] == "二七经开区"
    assert record["类别"] == "开工类"
    assert record["级别"] == "省重点"
    assert record["状态"] == "在建"
    assert record["责任单位"] == "发展改革委"
    assert record["分包领导"] == "王一"
    assert record["三个一批"] == "第7期开工一批"
    assert Decimal(record["年度累计完成投资（万元）"]) == Decimal("12345.67")
    assert Decimal(record["年度计划投资（万元）"]) == Decimal("30000.50")
    assert record["最近节点期限"] == "2023-06-30"  # the 05-10 milestone was done on 05-12
    assert record["节点逾期"] == "否"
    school = dict(zip(header, rows[2]))
    assert school["项目名称"] == "陇西南华府小学"
    assert school["最近节点期限"] == "2023-05-09"
    assert school["节点逾期"] == "是"


def test_milestones_csv(admin_client, portfolio):
    response = download(admin_client, MILESTONES, "csv")

    assert filename(response).endswith(".csv")
    rows = csv_rows(response)
    header = rows[0]
    assert header[:3] == ["项目编号", "项目名称", "节点名称"]
    assert {"截止日期", "完成日期", "状态", "逾期天数"} <= set(header)
    records = [dict(zip(header, row)) for row in rows[1:]]
    assert len(records) == 3
    by_title = {r["节点名称"]: r for r in records}
    assert by_title["二季度实质性开工"]["项目名称"] == "仲景医药健康产业园"
    assert by_title["二季度实质性开工"]["期限"] == "2023-Q2"
    assert by_title["二季度实质性开工"]["截止日期"] == "2023-06-30"
    assert by_title["完成土地摘牌"]["完成日期"] == "2023-05-12"
    assert by_title["完成土地摘牌"]["状态"] == "逾期完成"
    assert by_title["完成土地摘牌"]["备注"] == "已摘牌"
    assert by_title["秋季开学前建成"]["状态"] == "已逾期"
    assert by_title["秋季开学前建成"]["逾期天数"] == "5"


def test_weekly_csv(admin_client, portfolio):
    response = download(admin_client, WEEKLY, "csv", week="2023-W19")

    assert filename(response) == "weekly-2023-W19.csv"
    text = response.content.decode("utf-8")
    assert response.content.startswith(BOM)
    for title in WEEKLY_SHEETS:
        assert f"【{title}】" in text
    assert "仲景医药健康产业园" in text
    assert "主体结构施工中" in text
    assert "用地指标待落实" in text
    rows = csv_rows(response)
    assert rows[0] == [WEEKLY_TITLE]
    assert rows[1] == []
    assert rows[2] == ["【各单位汇总】"]
    assert rows[3] == ["责任单位", "项目数", "本周已填报", "逾期项目", "红灯项目", "按时填报率（%）", "考核得分", "排名"]
    assert rows[4][:3] == ["发展改革委", "1", "1"]
    assert rows[5][:3] == ["教育局", "1", "0"]


def test_export_holds_every_row_not_one_page(admin_client, dept_a, official_a):
    for i in range(60):
        project = ProjectFactory(name=f"城市更新项目{i:02d}", department=dept_a, lead_official=official_a)
        MilestoneFactory(project=project, title=f"节点{i:02d}")

    page = admin_client.get(PROJECTS, {"as_of": "2023-05-14"}).json()
    assert page["count"] == 60 and len(page["results"]) == 50  # one page of the JSON list

    projects = csv_rows(download(admin_client, PROJECTS, "csv"))
    assert len(projects) == 61
    assert sorted(row[1] for row in projects[1:]) == [f"城市更新项目{i:02d}" for i in range(60)]
    milestones = csv_rows(download(admin_client, MILESTONES, "csv"))
    assert len(milestones) == 61
    book = workbook(download(admin_client, PROJECTS, "xlsx"))
    assert book.active.max_row == 61


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_filters_apply_to_the_export(admin_client, portfolio, fmt):
    def names(path, **params):
        response = download(admin_client, path, fmt, **params)
        if fmt == "csv":
            return [row[1] for row in csv_rows(response)[1:]]
        return [row[1] for row in workbook(response).active.iter_rows(min_row=2, values_only=True)]

    assert names(PROJECTS, department="jyj") == ["陇西南华府小学"]
    assert names(PROJECTS, category="start") == ["仲景医药健康产业园"]
    assert names(PROJECTS, is_overdue="true") == ["陇西南华府小学"]
    assert names(PROJECTS, search="仲景") == ["仲景医药健康产业园"]
    assert names(MILESTONES, department="fgw") == ["仲景医药健康产业园", "仲景医药健康产业园"]
    assert names(MILESTONES, state="overdue") == ["陇西南华府小学"]


def test_weekly_export_applies_the_project_filters(admin_client, portfolio):
    rows = csv_rows(download(admin_client, WEEKLY, "csv", week="2023-W19", department="jyj"))
    text = "\n".join(",".join(row) for row in rows)

    assert "陇西南华府小学" in text
    assert "仲景医药健康产业园" not in text
    assert "发展改革委" not in text


# --- XLSX ---------------------------------------------------------------------------------------------


def test_projects_xlsx_has_typed_cells(admin_client, portfolio):
    response = download(admin_client, PROJECTS, "xlsx")

    assert filename(response).endswith(".xlsx")
    sheet = workbook(response).active
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["项目编号", "项目名称"]
    row = dict(zip(header, [cell for cell in sheet[2]]))
    assert row["项目名称"].value == "仲景医药健康产业园"
    for money in ("总投资（万元）", "年度计划投资（万元）", "年度累计完成投资（万元）"):
        assert isinstance(row[money].value, (int, float)) and not isinstance(row[money].value, bool), money
        assert row[money].data_type == "n"
    assert row["年度累计完成投资（万元）"].value == pytest.approx(12345.67)
    assert row["年度计划投资（万元）"].value == pytest.approx(30000.50)
    assert row["年度"].value == 2023
    assert row["形象进度（%）"].value == 40
    assert isinstance(row["最近节点期限"].value, (datetime, date))
    assert row["最近节点期限"].value == datetime(2023, 6, 30)
    assert row["最近节点期限"].is_date
    assert row["最近调研日期"].is_date
    assert sheet.column_dimensions["B"].width >= len("仲景医药健康产业园") * 2


def test_milestones_xlsx_dates_are_dates(admin_client, portfolio):
    sheet = workbook(download(admin_client, MILESTONES, "xlsx")).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["项目编号", "项目名称", "节点名称"]
    rows = [dict(zip(header, cells)) for cells in sheet.iter_rows(min_row=2)]
    assert len(rows) == 3
    done = next(r for r in rows if r["节点名称"].value == "完成土地摘牌")
    assert done["截止日期"].is_date and done["完成日期"].is_date
    assert done["完成日期"].value == datetime(2023, 5, 12)
    open_one = next(r for r in rows if r["节点名称"].value == "秋季开学前建成")
    assert open_one["完成日期"].value is None
    assert open_one["逾期天数"].value == 5


def test_weekly_xlsx_has_a_sheet_per_part(admin_client, portfolio):
    response = download(admin_client, WEEKLY, "xlsx", week="2023-W19")

    assert filename(response) == "weekly-2023-W19.xlsx"
    book = workbook(response)
    assert book.sheetnames == WEEKLY_SHEETS
    for sheet in book.worksheets:
        assert sheet["A1"].value == WEEKLY_TITLE, sheet.title
        assert sheet.freeze_panes == "A3"
    table = book["各单位汇总"]
    assert [c.value for c in table[2]] == ["责任单位", "项目数", "本周已填报", "逾期项目", "红灯项目",
                                           "按时填报率（%）", "考核得分", "排名"]
    assert [c.value for c in table[3]] == ["发展改革委", 1, 1, 0, 0, 100.0, 100.0, 1]
    # 教育局's school: not reported, a milestone overdue, red (nothing done against its plan), never visited;
    # no problem, so only the problems term (weight 10 of 100) is earned.
    assert [c.value for c in table[4]] == ["教育局", 1, 0, 1, 1, 0.0, 10.0, 2]
    rolls = book["红黑榜"]
    assert [[c.value for c in row] for row in rolls.iter_rows(min_row=3)] == [
        ["红榜", 1, "发展改革委", 100.0], ["红榜", 2, "教育局", 10.0],
    ]
    updates = book["本周进度填报"]
    header = [c.value for c in updates[2]]
    assert header[:3] == ["项目编号", "项目名称", "填报日期"]
    update = dict(zip(header, updates[3]))
    assert update["项目名称"].value == "仲景医药健康产业园"
    assert update["填报日期"].is_date and update["填报日期"].value == datetime(2023, 5, 10)
    assert update["年度累计完成投资（万元）"].data_type == "n"
    assert update["年度累计完成投资（万元）"].value == pytest.approx(12345.67)
    assert update["存在问题"].value == "用地指标待落实"
    completed = book["本周完成节点"]
    assert [c.value for c in completed[3]][:3] == ["EQ2023-001", "仲景医药健康产业园", "完成土地摘牌"]
    overdue = book["本周新增逾期节点"]
    titles = [row[2] for row in overdue.iter_rows(min_row=3, values_only=True)]
    assert titles == ["秋季开学前建成", "完成土地摘牌"]
    silent = book["本周未填报项目"]
    assert [row[1] for row in silent.iter_rows(min_row=3, values_only=True)] == ["陇西南华府小学"]


def test_weekly_xlsx_gains_the_targets_states(admin_client, portfolio):
    from projects import services

    services.target_create(user=None, year=2023, name="“双过半”", metric="completion_rate", value=Decimal("50"),
                           due_period="2023-06-30")
    book = workbook(download(admin_client, WEEKLY, "xlsx", week="2023-W19", as_of="2023-05-14"))
    sheet = book["目标任务"]
    header = [c.value for c in sheet[2]]
    row = dict(zip(header, [c.value for c in sheet[3]]))
    assert row["目标"] == "“双过半”"
    assert row["目标值"] == 50
    assert row["截止日期"] == datetime(2023, 6, 30)
    assert row["状态"] in {"滞后于序时进度", "符合序时进度", "已完成"}
    body = admin_client.get(WEEKLY, {"week": "2023-W19", "as_of": "2023-05-14"}).json()
    assert body["title"] == WEEKLY_TITLE
    assert [t["name"] for t in body["targets"]] == ["“双过半”"]
    assert body["targets"][0]["state_display"] == row["状态"]


SUMMARY_SHEETS = ["汇总指标", "按类别", "按级别", "按状态", "按领域", "按亮灯", "节点状态", "三个一批", "目标任务",
                  "问题台账"]


def test_summary_xlsx_is_the_meeting_pack(admin_client, portfolio):
    from projects import services

    services.target_create(user=None, year=2023, name="开工率", metric="start_rate", value=Decimal("60"))
    response = download(admin_client, SUMMARY, "xlsx", as_of="2023-05-04")
    assert filename(response) == "summary-2023-2023-05-04.xlsx"
    book = workbook(response)
    assert book.sheetnames == SUMMARY_SHEETS
    api = admin_client.get(SUMMARY, {"as_of": "2023-05-04"}).json()
    figures = {row[0]: row[1] for row in book["汇总指标"].iter_rows(min_row=3, values_only=True)}
    assert book["汇总指标"]["A1"].value.startswith("二七区重点项目汇总指标（2023年")
    assert figures["项目数"] == api["project_count"]
    assert figures["时序进度（%）"] == 34.0
    assert figures["累计完成投资（万元）"] == pytest.approx(float(api["investment"]["completed"]))
    levels = {row[0]: row[1] for row in book["按级别"].iter_rows(min_row=3, values_only=True)}
    assert levels == {"省重点": api["by_level"]["provincial"], "市重点": api["by_level"]["municipal"],
                      "区重点": api["by_level"]["district"]}
    assert [c.value for c in book["目标任务"][2]][:3] == ["年度", "目标", "指标"]
    assert book["目标任务"]["B3"].value == "开工率"
    csv_text = download(admin_client, SUMMARY, "csv", as_of="2023-05-04").content.decode("utf-8-sig")
    for title in SUMMARY_SHEETS:
        assert f"【{title}】" in csv_text


# --- errors stay JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("path, params, key", [
    (PROJECTS, {"status": "bogus"}, "status"),
    (PROJECTS, {"is_overdue": "maybe"}, "is_overdue"),
    (PROJECTS, {"as_of": "2023-13-40"}, "as_of"),
    (MILESTONES, {"state": "bogus"}, "state"),
    (MILESTONES, {"due_before": "soon"}, "due_before"),
    (WEEKLY, {"week": "2023-W60"}, "week"),
    (WEEKLY, {"week": "2023-W19", "warning_level": "purple"}, "warning_level"),
    (WEEKLY, {"as_of": "abc"}, "as_of"),
])
def test_bad_request_for_a_spreadsheet_answers_json(admin_client, fmt, path, params, key):
    response = admin_client.get(path, {"as_of": "2023-05-14", "format": fmt, **params})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "Content-Disposition" not in response
    assert key in response.json()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("path", [PROJECTS, MILESTONES, WEEKLY])
def test_unauthenticated_spreadsheet_request_answers_json(anon_client, fmt, path):
    response = anon_client.get(path, {"format": fmt})

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_detail_or_write_with_a_tabular_format_is_400_naming_the_formats_offered(admin_client, project_a, fmt):
    detail = admin_client.get(f"/api/v1/projects/{project_a.pk}/", {"format": fmt})
    reports = admin_client.get(f"/api/v1/projects/{project_a.pk}/status-updates/", {"format": fmt})
    write = admin_client.patch(f"/api/v1/projects/{project_a.pk}/?format={fmt}", {"name": "x"}, format="json")
    assert (detail.status_code, reports.status_code, write.status_code) == (400, 400, 400)
    assert detail["Content-Type"].startswith("application/json")
    message = detail.json()["format"][0]
    assert fmt in message and "json" in message and "xlsx、" not in message
    project_a.refresh_from_db()
    assert project_a.name != "x"


# --- one column table ---------------------------------------------------------------------------


def test_api_download_and_admin_export_share_headers_and_cells(admin_client, portfolio, settings, django_user_model):
    """A column in both files has the same header and, for the same project, the same cell."""
    from django.test import Client

    settings.PORTFOLIO_AS_OF = date(2023, 5, 14)  # the day download() asks the API for
    staff = Client()
    staff.force_login(django_user_model.objects.create_superuser("office", "office@example.com", None))
    url = "/admin/projects/project/export/"
    form = staff.get(url).context["form"]
    selected = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    admin_rows = list(csv.reader(io.StringIO(
        staff.post(url, {"resource": "0", "format": "1", **selected}).content.decode("utf-8-sig"))))
    api_rows = csv_rows(download(admin_client, PROJECTS, "csv"))

    shared = [header for header in api_rows[0] if header in admin_rows[0]]
    assert {"项目编号", "三个一批", "年度计划投资（万元）", "分包领导", "最近节点期限", "亮灯", "节点逾期",
            "最近调研日期", "超期未调研"} <= set(shared)
    by_code = {row[0]: dict(zip(admin_rows[0], row)) for row in admin_rows[1:]}
    for row in api_rows[1:]:
        api = dict(zip(api_rows[0], row))
        admin = by_code[api["项目编号"]]
        assert {h: api[h] for h in shared} == {h: admin[h] for h in shared}
