"""The admin of the 重点项目办: lists, filters, service-backed writes, import and export."""

import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from projects.domain.choices import ProjectCategory, ProjectLevel, ProjectStatus, Role, Sector
from projects.models import Milestone, Project, StatusUpdate
from tests.conftest import AS_OF
from tests.factories import (
    ApprovalItemFactory,
    MilestoneFactory,
    ProjectBatchFactory,
    ProjectFactory,
    StatusUpdateFactory,
    UserProfileFactory,
    VisitFactory,
)

IMPORT_HEADER = "项目编号,项目名称,年度,类别,级别,领域,所在区域,三个一批,年度计划投资（万元）,建设单位,责任单位代码,分包领导"
CSV_FORMAT, XLSX_FORMAT = "0", "1"  # ProjectAdmin.import_formats
EXPORT_XLSX, EXPORT_CSV = "0", "1"  # ProjectAdmin.export_formats


@pytest.fixture(autouse=True)
def pinned_as_of(settings):
    settings.PORTFOLIO_AS_OF = AS_OF


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("office", "office@example.com", None)


@pytest.fixture
def staff(superuser) -> Client:
    """A browser session of a 重点项目办 superuser (conftest's admin_client is a DRF client)."""
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def red_project(dept_a, official_a):
    """Under construction, a start milestone 123 days overdue on AS_OF, never visited: 红灯."""
    project = ProjectFactory(
        code="EQ2023-001", name="仲景医药健康产业园", owner="仲景宛西制药", year=2023,
        category=ProjectCategory.START, level=ProjectLevel.PROVINCIAL, sector=Sector.INDUSTRY,
        status=ProjectStatus.UNDER_CONSTRUCTION, zone="二七经开区", department=dept_a, lead_official=official_a,
    )
    ProjectBatchFactory(project=project, period=7, kind="starting")
    MilestoneFactory(project=project, title="实质性开工", due_date=date(2023, 1, 1))
    return project


@pytest.fixture
def green_project(dept_b, official_b):
    """Last year's list, signed, visited three days before AS_OF, nothing due: 绿灯."""
    project = ProjectFactory(
        code="EQ2022-002", name="陇西南华府小学", owner="区教育局", year=2022,
        category=ProjectCategory.CONSTRUCTION, level=ProjectLevel.DISTRICT, sector=Sector.CULTURE_SPORTS_EDUCATION,
        status=ProjectStatus.SIGNED, zone="二七商圈", department=dept_b, lead_official=official_b,
    )
    ProjectBatchFactory(project=project, period=8, kind="commissioning")
    VisitFactory(project=project, visited_on=date(2023, 5, 1))
    return project


@pytest.fixture
def portfolio(red_project, green_project):
    return red_project, green_project


def changelist(model: str, app: str = "projects") -> str:
    return reverse(f"admin:{app}_{model}_changelist")


def page(response) -> str:
    return response.content.decode()


def management_data(response, total: dict | None = None) -> dict:
    """The management forms of every inline on an add page, with `total` rows where given."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {
            f"{prefix}-TOTAL_FORMS": str((total or {}).get(prefix, 0)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def project_form(dept, official, **overrides) -> dict:
    return {
        "code": "EQ2023-050", "name": "联东U谷·工业总部港", "year": "2023", "category": "start",
        "level": "municipal", "sector": "industry", "zone": "二七经开区", "owner": "联东集团",
        "department": str(dept.pk), "lead_official": str(official.pk), "description": "",
        "status": "signed", "total_investment": "100000", "annual_plan_investment": "20000",
        "completed_investment": "0", "progress_percent": "0", "floor_area": "",
        **overrides,
    }


# --- lists ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "app", "header"),
    [
        ("project", "projects", "项目名称"),
        ("milestone", "projects", "节点名称"),
        ("statusupdate", "projects", "填报日期"),
        ("visit", "projects", "方式"),
        ("approvalitem", "projects", "事项名称"),
        ("department", "projects", "代码"),
        ("official", "projects", "职务"),
        ("userprofile", "projects", "角色"),
        ("user", "auth", "角色"),
    ],
)
def test_every_changelist_renders_in_chinese(staff, portfolio, superuser, model, app, header):
    StatusUpdateFactory(project=portfolio[0])
    ApprovalItemFactory(project=portfolio[0])
    UserProfileFactory(user=superuser, role=Role.ADMIN)
    response = staff.get(changelist(model, app))
    assert response.status_code == 200
    assert header in page(response)
    assert "二七区重点项目管理" in page(response)


def test_project_list_shows_the_warning_light_next_to_the_name(staff, portfolio):
    content = page(staff.get(changelist("project")))
    assert "background:#d93025" in content
    assert re.search(r'title="红灯"><span class="warning-light warning-red"[^>]*></span></span>仲景医药健康产业园', content)
    assert re.search(r'title="绿灯"><span class="warning-light warning-green"[^>]*></span></span>陇西南华府小学', content)
    assert "评价日 2023-05-04" in content


def test_project_list_offers_import_and_export(staff, portfolio):
    content = page(staff.get(changelist("project")))
    assert reverse("admin:projects_project_import") in content
    assert reverse("admin:projects_project_export") in content


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("category__exact=start", "red"),
        ("category__exact=construction", "green"),
        ("level__exact=provincial", "red"),
        ("sector__exact=culture_sports_education", "green"),
        ("status__exact=signed", "green"),
        ("year=2023", "red"),
        ("zone=二七商圈", "green"),
        ("department__id__exact={dept_a}", "red"),
        ("lead_official__id__exact={official_b}", "green"),
        ("batches__kind__exact=starting", "red"),
        ("batches__period=8", "green"),
        ("warning_level=red", "red"),
        ("warning_level=green", "green"),
        ("is_overdue=1", "red"),
        ("is_overdue=0", "green"),
        ("visit_overdue=1", "red"),
        ("visit_overdue=0", "green"),
    ],
)
def test_each_list_filter_narrows_the_list(staff, portfolio, dept_a, official_b, query, shown):
    red, green = portfolio
    url = changelist("project") + "?" + query.format(dept_a=dept_a.pk, official_b=official_b.pk)
    response = staff.get(url)
    assert response.status_code == 200
    expected, other = (red, green) if shown == "red" else (green, red)
    assert list(response.context["cl"].result_list) == [expected]
    assert other.code not in page(response)


@pytest.mark.parametrize(("term", "shown"), [("仲景", "EQ2023-001"), ("EQ2022", "EQ2022-002"), ("区教育局", "EQ2022-002")])
def test_search_by_name_code_and_owner(staff, portfolio, term, shown):
    response = staff.get(changelist("project"), {"q": term})
    assert [project.code for project in response.context["cl"].result_list] == [shown]


def test_milestone_list_filters_on_state(staff, portfolio):
    red, _ = portfolio
    MilestoneFactory(project=red, title="二季度基本建成", kind="completion", due_date=date(2023, 6, 30))
    response = staff.get(changelist("milestone"), {"state": "overdue"})
    assert [m.title for m in response.context["cl"].result_list] == ["实质性开工"]


# --- writes through the services --------------------------------------------------------------


def test_adding_a_project_with_a_milestone_sets_its_cached_deadline(staff, dept_a, official_a):
    url = reverse("admin:projects_project_add")
    data = project_form(dept_a, official_a) | management_data(staff.get(url), {"milestones": 1, "batches": 1}) | {
        "milestones-0-kind": "start", "milestones-0-title": "二季度实质性开工", "milestones-0-due_period": "2023-q2",
        "milestones-0-completed_on": "", "milestones-0-note": "",
        "batches-0-period": "7", "batches-0-kind": "starting",
    }
    response = staff.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(code="EQ2023-050")
    assert project.cached_next_due_date == date(2023, 6, 30)
    assert project.milestones.get().due_period == "2023-Q2"
    assert [(b.period, b.kind) for b in project.batches.all()] == [(7, "starting")]
    assert project.history.count() == 1


def test_a_service_refusal_is_a_form_error_and_writes_nothing(staff, dept_a, official_a):
    url = reverse("admin:projects_project_add")
    data = project_form(dept_a, official_a) | management_data(staff.get(url), {"milestones": 1}) | {
        "milestones-0-kind": "start", "milestones-0-title": "开工", "milestones-0-due_period": "2023-Q5",
        "milestones-0-completed_on": "", "milestones-0-note": "",
    }
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "不是有效的期限" in page(response)
    assert page(response).count('value="联东U谷·工业总部港"') == 1  # the input is kept
    assert not Project.objects.filter(code="EQ2023-050").exists()
    assert not Milestone.objects.exists()


def test_editing_a_project_goes_through_project_update_and_keeps_reported_fields(staff, red_project):
    url = reverse("admin:projects_project_change", args=[red_project.pk])
    form = staff.get(url)
    data = project_form(
        red_project.department, red_project.lead_official, code=red_project.code, name="仲景医药健康产业园（一期）",
        year="2023", category="start", level="provincial", status="operating", completed_investment="999",
    ) | management_data(form)
    data |= {
        "batches-TOTAL_FORMS": "1", "batches-INITIAL_FORMS": "1", "batches-0-id": str(red_project.batches.get().pk),
        "batches-0-project": str(red_project.pk), "batches-0-period": "7", "batches-0-kind": "starting",
    }
    response = staff.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    red_project.refresh_from_db()
    assert red_project.name == "仲景医药健康产业园（一期）"
    assert red_project.version == 2
    assert red_project.status == ProjectStatus.UNDER_CONSTRUCTION
    assert red_project.completed_investment == Decimal("0")


def test_history_is_kept_and_read_only(staff, red_project):
    version = red_project.history.latest().history_id
    assert staff.get(reverse("admin:projects_project_history", args=[red_project.pk])).status_code == 200
    revert = reverse("admin:projects_project_simple_history", args=[red_project.pk, version])
    assert staff.get(revert).status_code == 200
    assert staff.post(revert, {"name": "改名"}).status_code == 403


def test_deleting_a_milestone_refreshes_the_project_deadline(staff, red_project):
    milestone = red_project.milestones.get()
    response = staff.post(reverse("admin:projects_milestone_delete", args=[milestone.pk]), {"post": "yes"})
    assert response.status_code == 302
    red_project.refresh_from_db()
    assert red_project.cached_next_due_date is None


def test_a_department_in_use_is_not_deleted(staff, red_project):
    url = reverse("admin:projects_department_delete", args=[red_project.department.pk])
    response = staff.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert red_project.department.__class__.objects.filter(pk=red_project.department.pk).exists()


def test_a_status_update_cannot_be_changed_or_deleted(staff, red_project, superuser):
    report = StatusUpdateFactory(project=red_project, reported_by=superuser)
    change = reverse("admin:projects_statusupdate_change", args=[report.pk])
    assert staff.get(change).status_code == 200  # view only
    assert staff.post(change, {"note": "改过的", "project": red_project.pk}).status_code == 403
    delete = reverse("admin:projects_statusupdate_delete", args=[report.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    report.refresh_from_db()
    assert report.note == "本周进展"


def test_a_status_update_recorded_in_the_admin_moves_the_project(staff, green_project, superuser):
    url = reverse("admin:projects_statusupdate_add")
    response = staff.post(url, {
        "project": green_project.pk, "status_to": "under_construction", "completed_investment": "1200",
        "progress_percent": "", "note": "主体开工", "problems": "", "next_steps": "", "reported_on": "2023-05-04",
    } | management_data(staff.get(url)))
    assert response.status_code == 302
    green_project.refresh_from_db()
    assert green_project.status == ProjectStatus.UNDER_CONSTRUCTION
    assert green_project.completed_investment == Decimal("1200")
    report = StatusUpdate.objects.get()
    assert (report.status_from, report.reported_by) == (ProjectStatus.SIGNED, superuser)


def test_an_illegal_status_move_is_a_form_error(staff, red_project):
    url = reverse("admin:projects_statusupdate_add")
    response = staff.post(url, {
        "project": red_project.pk, "status_to": "planned", "note": "退回", "reported_on": "2023-05-04",
    } | management_data(staff.get(url)))
    assert response.status_code == 200
    assert "不允许从“在建”变更为“谋划中”" in page(response)
    assert not StatusUpdate.objects.exists()


# --- import -----------------------------------------------------------------------------------


def upload(staff, name: str, content: bytes, file_format: str):
    return staff.post(reverse("admin:projects_project_import"), {
        "resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content),
    })


def confirm(staff, preview):
    assert "confirm_form" in preview.context, page(preview)
    return staff.post(reverse("admin:projects_project_process_import"), preview.context["confirm_form"].initial)


def csv_bytes(*rows: str) -> bytes:
    return "\r\n".join([IMPORT_HEADER, *rows]).encode("utf-8-sig")


ROW_XINGJIA = "EQ2023-101,星驾科技氢能源项目,2023,开工类,市重点,产业,二七经开区,第7期开工一批,10000,星驾科技,fgw,王一"
ROW_KANGSHIFU = "EQ2023-102,康师傅饮品中原总部,2023,construction,区重点,产业,二七经开区,,0,康师傅,jyj,李二（副区长）"


def test_import_csv_creates_projects_through_the_services(staff, dept_a, dept_b, official_a, official_b):
    preview = upload(staff, "2023.csv", csv_bytes(ROW_XINGJIA, ROW_KANGSHIFU), CSV_FORMAT)
    assert not Project.objects.exists()  # the preview is a dry run
    assert confirm(staff, preview).status_code == 302
    xingjia = Project.objects.get(code="EQ2023-101")
    assert (xingjia.category, xingjia.level, xingjia.department, xingjia.lead_official) == (
        "start", "municipal", dept_a, official_a,
    )
    assert xingjia.annual_plan_investment == Decimal("10000")
    assert [(b.period, b.kind) for b in xingjia.batches.all()] == [(7, "starting")]
    assert Project.objects.get(code="EQ2023-102").lead_official == official_b


def test_import_xlsx_creates_projects(staff, dept_a, official_a):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(IMPORT_HEADER.split(","))
    sheet.append(["EQ2023-103", "郑投科技创新园二期", 2023, "开工类", "区重点", "产业", "二七经开区",
                  "第7期开工一批、第8期投产一批", 5000.5, "郑投集团", "fgw", "王一"])
    content = io.BytesIO()
    book.save(content)
    preview = upload(staff, "2023.xlsx", content.getvalue(), XLSX_FORMAT)
    assert confirm(staff, preview).status_code == 302
    project = Project.objects.get(code="EQ2023-103")
    assert project.annual_plan_investment == Decimal("5000.50")
    assert [(b.period, b.kind) for b in project.batches.all()] == [(7, "starting"), (8, "commissioning")]


def test_import_with_a_bad_row_creates_nothing_and_shows_the_row(staff, dept_a, official_a):
    bad = "EQ2023-104,华智龙人工智能产业总部,2023,开工类,区重点,产业,二七经开区,,0,华智龙,nope,王一"
    preview = upload(staff, "2023.csv", csv_bytes(ROW_XINGJIA, bad), CSV_FORMAT)
    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    assert "找不到代码为“nope”的单位" in page(preview)
    assert "责任单位代码" in page(preview)
    assert not Project.objects.exists()


def test_a_confirmed_import_that_fails_rolls_back_entirely(staff, dept_a, dept_b, official_a, official_b):
    preview = upload(staff, "2023.csv", csv_bytes(ROW_XINGJIA, ROW_KANGSHIFU), CSV_FORMAT)
    official_b.delete()  # the file went stale between preview and confirmation
    response = staff.post(
        reverse("admin:projects_project_process_import"), preview.context["confirm_form"].initial, follow=True,
    )
    assert "导入失败" in page(response)
    assert not Project.objects.exists()


def test_import_updates_a_project_but_not_its_reported_status(staff, red_project):
    header = "项目编号,项目名称,状态,责任单位代码"
    rename = f"{header}\r\nEQ2023-001,仲景医药健康产业园（新）,在建,fgw".encode()
    assert confirm(staff, upload(staff, "a.csv", rename, CSV_FORMAT)).status_code == 302
    red_project.refresh_from_db()
    assert (red_project.name, red_project.version) == ("仲景医药健康产业园（新）", 2)

    complete = f"{header}\r\nEQ2023-001,仲景医药健康产业园,已建成,fgw".encode()
    preview = upload(staff, "b.csv", complete, CSV_FORMAT)
    assert "只能通过进度填报" in page(preview)
    red_project.refresh_from_db()
    assert red_project.status == ProjectStatus.UNDER_CONSTRUCTION


# --- export -----------------------------------------------------------------------------------


def export(staff, url: str, query: str, file_format: str):
    form = staff.get(f"{url}?{query}").context["form"]
    selected = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    return staff.post(f"{url}?{query}", {"resource": "0", "format": file_format, **selected})


def test_export_of_a_filtered_list_as_csv_opens_in_excel(staff, portfolio):
    response = export(staff, reverse("admin:projects_project_export"), "category__exact=start", EXPORT_CSV)
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("项目编号,项目名称,年度,类别")
    assert "亮灯" in lines[0]
    assert len(lines) == 2
    assert lines[1].startswith("EQ2023-001,仲景医药健康产业园,2023,开工类")
    assert "第7期开工一批" in lines[1] and "红灯" in lines[1]


def test_export_as_xlsx_has_chinese_headers(staff, portfolio):
    response = export(staff, reverse("admin:projects_project_export"), "warning_level=green", EXPORT_XLSX)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("项目编号", "项目名称", "年度")
    assert [row[0] for row in rows[1:]] == ["EQ2022-002"]


def test_milestone_export(staff, portfolio):
    response = export(staff, reverse("admin:projects_milestone_export"), "state=overdue", "1")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("项目编号,项目名称,责任单位,节点类型,节点名称")
    assert len(lines) == 2 and "已逾期" in lines[1]


def test_api_tokens_are_listed_in_chinese_and_revoked_by_deleting(staff):
    from io import StringIO

    from django.core.management import call_command
    from knox.models import AuthToken

    out = StringIO()
    call_command("issue_token", "sync_system", "--role", "reader", stdout=out, stderr=StringIO())
    token = AuthToken.objects.get(user__username="sync_system")
    page = staff.get("/admin/projects/apitoken/")
    assert page.status_code == 200
    assert "API 令牌" in page.content.decode() and "令牌前缀" in page.content.decode()
    response = staff.post(f"/admin/projects/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AuthToken.objects.filter(user__username="sync_system").exists()


# --- the admin's lists agree with the API for the same as_of ----------------------------------


@pytest.mark.parametrize(("model", "endpoint", "factory"), [
    ("milestone", "milestones", MilestoneFactory),
    ("approvalitem", "approvals", ApprovalItemFactory),
])
@pytest.mark.parametrize(("admin_value", "api_value"), [("1", "true"), ("0", "false")])
def test_completed_filter_agrees_with_the_api_for_the_pinned_as_of(
    staff, admin_client, red_project, model, endpoint, factory, admin_value, api_value,
):
    """Completed after the pinned as_of is still open that day, in the admin as in the API."""
    factory(project=red_project, due_date=date(2023, 4, 30), completed_on=date(2023, 4, 28))  # done by AS_OF
    factory(project=red_project, due_date=date(2023, 5, 31), completed_on=date(2023, 5, 10))  # done after AS_OF
    response = staff.get(changelist(model), {"completed": admin_value})
    in_admin = {record.pk for record in response.context["cl"].result_list}
    api = admin_client.get(f"/api/v1/{endpoint}/", {"completed": api_value, "project": red_project.pk})
    assert api.status_code == 200
    in_api = {row["id"] for row in api.json()["results"]}
    assert in_admin == in_api
    done_later = factory._meta.model.objects.get(completed_on=date(2023, 5, 10))
    assert (done_later.pk in in_admin) == (admin_value == "0")


def test_bad_when_true_flags_read_as_red_words_not_green_ticks(staff, portfolio):
    red, _ = portfolio
    approval = ApprovalItemFactory(project=red, due_date=date(2023, 1, 31))
    content = page(staff.get(changelist("approvalitem")))
    assert "⚠ 是" in content and 'class="bad-flag"' in content
    assert "icon-yes" not in content and "icon-no" not in content
    form = page(staff.get(reverse("admin:projects_project_change", args=[red.pk])))
    assert "超期未调研" in form and "⚠ 是" in form
    assert approval.pk
