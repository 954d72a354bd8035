"""The seed's portfolio, fixtures/erqi_2023.json, as the district's meeting of 4 May 2023 saw it."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from projects.domain.periods import parse_period
from projects.models import Department, Milestone, Official, Project, ProjectBatch
from tests.factories import (
    DepartmentFactory,
    MilestoneFactory,
    OfficialFactory,
    ProjectBatchFactory,
    ProjectFactory,
)

# name → category, status, milestone kind, milestone title, due_period ("" = no deadline; None = no milestone)
NAMED_PROJECTS = [
    ("仲景医药健康产业园", "start", "planned", "start", "二季度实质性开工", "2023-Q2"),
    ("花花牛智能科技产业园", "preparation", "signed", "start", "二季度实质性开工", "2023-Q2"),
    ("河南工艺美术交流中心", "construction", "under_construction", "commissioning", "早日投产达效", ""),
    ("河南花都年产15万套高端智能箱柜建设项目", "construction", "under_construction", "commissioning",
     "早日投产达效", ""),
    ("陇西南华府小学", "construction", "under_construction", "completion", "二季度基本建成", "2023-Q2"),
    ("郑州四中华侨城校区", "construction", "under_construction", "completion", "二季度基本建成", "2023-Q2"),
    ("华润万象城二期", "construction", "under_construction", None, None, None),
    ("丹尼斯大卫城二期", "start", "planned", "start", "尽早实现开工", ""),
    ("锦尚德化", "start", "planned", "start", "尽早实现开工", ""),
    ("金博大“比亚迪全品牌形象体验中心”项目", "start", "planned", "start", "6月份要开工建设", "2023-06"),
    ("二七商圈步行街地下管网改造工程", "construction", "under_construction", None, None, None),
    ("二七商圈街区铺装工程", "construction", "under_construction", None, None, None),
    ("二七商圈亮化照明工程", "construction", "under_construction", None, None, None),
    ("星驾科技氢能源项目", "preparation", "planned", "signing", "加速落地", ""),
    ("联东U谷·工业总部港", "start", "under_construction", "start", "实现开工", ""),
    ("郑州市农业科技创新中心", "start", "under_construction", "start", "实现开工", ""),
    ("中恒保通内外贸一体化双向贸易数字中心", "preparation", "signed", None, None, None),
    ("时事通医疗器械产业园", "preparation", "signed", None, None, None),
    ("热力公司十四五供热设施改造工程项目", "construction", "under_construction", None, None, None),
    ("名扬窗饰改造扩建生产项目", "construction", "under_construction", None, None, None),
    ("华智龙人工智能产业总部", "preparation", "planned", "signing", "加快项目落地", ""),
    ("郑投科技创新园二期", "construction", "under_construction", "completion", "争取早日建成达产", ""),
    ("灏宇数字包装产业园", "construction", "under_construction", "completion", "争取早日建成达产", ""),
    ("康师傅饮品中原总部", "preparation", "signed", "start", "推动签约项目尽快开工", ""),
    ("联东二七科技创新谷", "preparation", "planned", "signing", "加速落地", ""),
    ("太平洋保险总部", "preparation", "signed", None, None, None),
    ("澳康达项目", "preparation", "planned", None, None, None),
    ("明坤医疗", "preparation", "signed", None, None, None),
    ("赛斯机电", "preparation", "signed", None, None, None),
]
NAMES = {row[0] for row in NAMED_PROJECTS}
MEETING = date(2023, 5, 4)


@pytest.fixture
def seed(db):
    call_command("loaddata", "erqi_2023", verbosity=0)


def snapshot() -> dict:
    """Everything the fixture writes, by natural key; timestamps left out (the raw-load signal bumps them)."""
    return {
        "departments": sorted(Department.objects.values_list("id", "code", "name")),
        "officials": sorted(Official.objects.values_list("id", "name", "title", "department_id")),
        "projects": sorted(Project.objects.values_list(
            "id", "code", "name", "category", "level", "sector", "zone", "status", "department_id",
            "lead_official_id", "total_investment", "completed_investment", "progress_percent", "version",
        )),
        "batches": sorted(ProjectBatch.objects.values_list("id", "project_id", "period", "kind")),
        "milestones": sorted(Milestone.objects.values_list(
            "id", "project_id", "kind", "title", "due_period", "due_date", "completed_on",
        )),
    }


@pytest.mark.parametrize(("name", "category", "status", "kind", "title", "due_period"), NAMED_PROJECTS)
def test_named_project_has_its_category_and_deadline(seed, name, category, status, kind, title, due_period):
    project = Project.objects.get(name=name)
    assert (project.category, project.status, project.year) == (category, status, 2023)
    milestones = list(project.milestones.all())
    if kind is None:
        assert milestones == []
        return
    [milestone] = milestones
    assert (milestone.kind, milestone.title, milestone.due_period) == (kind, title, due_period)
    assert milestone.due_date == (parse_period(due_period).end if due_period else None)


def test_fixture_holds_only_the_named_projects(seed):
    codes = list(Project.objects.order_by("code").values_list("code", flat=True))
    assert set(Project.objects.values_list("name", flat=True)) == NAMES
    assert codes == [f"EQ2023-{n:03d}" for n in range(1, len(NAMED_PROJECTS) + 1)]


def test_only_the_stated_amount_is_set(seed):
    amounts = {
        p.name: (p.total_investment, p.annual_plan_investment, p.completed_investment, p.progress_percent)
        for p in Project.objects.all()
    }
    assert amounts.pop("星驾科技氢能源项目") == (Decimal("800000.00"), 0, 0, 0)
    assert set(amounts.values()) == {(0, 0, 0, 0)}


def test_zones_and_levels_as_the_seed_implies(seed):
    zone = dict(Project.objects.values_list("name", "zone"))
    assert zone["星驾科技氢能源项目"] == zone["康师傅饮品中原总部"] == zone["花花牛智能科技产业园"] == "二七经开区"
    assert zone["华润万象城二期"] == zone["金博大“比亚迪全品牌形象体验中心”项目"] == "二七商圈"
    municipal = set(Project.objects.filter(level="municipal").values_list("name", flat=True))
    assert municipal == {"联东U谷·工业总部港", "郑州市农业科技创新中心"}
    assert not Project.objects.exclude(level__in=["municipal", "district"]).exists()


def test_the_named_three_batches_projects_are_in_the_next_round(seed):
    batches = set(ProjectBatch.objects.values_list("project__name", "period", "kind"))
    assert batches == {
        ("仲景医药健康产业园", 8, "starting"),
        ("花花牛智能科技产业园", 8, "starting"),
        ("河南工艺美术交流中心", 8, "commissioning"),
        ("河南花都年产15万套高端智能箱柜建设项目", 8, "commissioning"),
    }


def test_started_projects_started_before_the_meeting(seed):
    started = Milestone.objects.filter(completed_on__isnull=False)
    assert {m.project.name for m in started} == {"联东U谷·工业总部港", "郑州市农业科技创新中心"}
    assert all(m.kind == "start" and m.completed_on < MEETING for m in started)


def test_officials_are_demo_and_departments_have_codes(seed):
    assert Official.objects.count() == 3
    for official in Official.objects.all():
        assert official.name.startswith("示例") and official.title.startswith("示例：")
    codes = set(Department.objects.values_list("code", flat=True))
    assert codes == {"fgw", "gxj", "swj", "jyj", "zjj", "cgj", "jkq", "zrzyj", "rsj"}


def test_api_lists_the_portfolio_as_of_the_meeting(seed, reader_client):
    response = reader_client.get("/api/v1/projects/", {"as_of": "2023-05-04", "page_size": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(NAMED_PROJECTS)
    by_name = {row["name"]: row for row in body["results"]}
    assert set(by_name) == NAMES
    for name, category, status, *_ in NAMED_PROJECTS:
        assert (by_name[name]["category"], by_name[name]["status"]) == (category, status)
    zhongjing = by_name["仲景医药健康产业园"]
    assert zhongjing["batches"] == [{"period": 8, "kind": "starting", "kind_display": "开工一批"}]
    assert zhongjing["next_due_date"] == "2023-06-30"
    assert zhongjing["is_overdue"] is False
    assert by_name["星驾科技氢能源项目"]["total_investment"] == "800000.00"


@pytest.mark.parametrize(("as_of", "overdue"), [("2023-05-04", False), ("2023-06-30", False), ("2023-07-01", True)])
def test_q2_start_milestones_overdue_only_after_the_quarter(seed, reader_client, as_of, overdue):
    response = reader_client.get("/api/v1/milestones/", {"as_of": as_of, "kind": "start", "page_size": 100})
    assert response.status_code == 200
    q2 = [row for row in response.json()["results"] if row["due_period"] == "2023-Q2"]
    assert len(q2) == 2
    assert all(row["is_overdue"] is overdue for row in q2)
    projects = reader_client.get("/api/v1/projects/", {"as_of": as_of, "search": "仲景医药"}).json()["results"]
    assert [p["is_overdue"] for p in projects] == [overdue]


def test_loading_leaves_other_rows_untouched(db):
    department = DepartmentFactory(code="other_dept", name="其他单位")
    official = OfficialFactory(name="王一", title="副区长", department=department)
    other = ProjectFactory(code="XQ2023-001", name="其他项目", department=department, lead_official=official)
    MilestoneFactory(project=other, kind="start", title="二季度实质性开工", due_date=date(2023, 6, 30))
    ProjectBatchFactory(project=other, period=7, kind="starting")
    other.refresh_from_db()
    before = snapshot()

    call_command("loaddata", "erqi_2023", verbosity=0)

    after = snapshot()
    for key, rows in before.items():
        assert set(rows) <= set(after[key]), key
    assert Project.objects.get(pk=other.pk).updated_at == other.updated_at
    assert Project.objects.count() == len(NAMED_PROJECTS) + 1


def test_a_second_load_changes_nothing(seed):
    before = snapshot()
    call_command("loaddata", "erqi_2023", verbosity=0)
    assert snapshot() == before
