"""The services' registry: every entity's create, update and delete, called directly through it as
the API's base viewset and the admin's form adapter call them, and each one named by its entity."""

from datetime import date
from decimal import Decimal

import pytest

from projects.domain.choices import ProjectCategory, ProjectLevel, ProjectStatus, Sector, VisitKind
from projects.services import registry
from tests.factories import DepartmentFactory, OfficialFactory, ProjectFactory, UserFactory


def _department(**_):
    return {"code": "xq01", "name": "新区管委会"}


def _official(department, **_):
    return {"name": "王五", "title": "副区长", "department": department}


def _project(department, official, **_):
    return {
        "code": "EQ2023-9001", "name": "登记测试项目", "year": 2023, "category": ProjectCategory.CONSTRUCTION,
        "level": ProjectLevel.DISTRICT, "sector": Sector.INDUSTRY, "zone": "二七经开区",
        "status": ProjectStatus.UNDER_CONSTRUCTION, "total_investment": Decimal("1000.00"),
        "annual_plan_investment": Decimal("100.00"), "department": department, "lead_official": official,
    }


def _milestone(project, **_):
    return {"project": project, "kind": "start", "title": "主体开工", "due_period": "2023-06"}


def _visit(project, official, **_):
    return {"project": project, "official": official, "visited_on": date(2023, 5, 1), "kind": VisitKind.SURVEY}


def _approval_item(project, department, **_):
    return {"project": project, "name": "施工许可证", "department": department, "due_date": date(2023, 6, 30)}


def _lead(department, **_):
    return {"name": "登记测试线索", "enterprise": "某企业", "sector": Sector.INDUSTRY, "amount": Decimal("500.00"),
            "source": "招商推介会", "department": department, "received_on": date(2023, 2, 1)}


def _target(**_):
    return {"year": 2023, "name": "全年开工率", "metric": "start_rate", "value": Decimal("60")}


def _problem(project, **_):
    return {"project": project, "title": "塔吊进场受阻", "category": "construction", "source": "office"}


def _webhook(project, **_):
    return {"url": "https://platform.example.cn/hooks/portfolio", "types": ["project.changed"], "description": "市平台"}


CASES = {
    # entity: (fields to create with, a field and value to update)
    "department": (_department, ("name", "新区管委会（更名）")),
    "official": (_official, ("title", "区长")),
    "project": (_project, ("zone", "马寨产业园")),
    "milestone": (_milestone, ("title", "主体开工（调整）")),
    "visit": (_visit, ("note", "现场督导")),
    "approval_item": (_approval_item, ("name", "施工许可证（变更）")),
    "lead": (_lead, ("enterprise", "另一企业")),
    "target": (_target, ("name", "全年开工率（调整）")),
    "problem": (_problem, ("description", "已协调供电公司")),
    "webhook": (_webhook, ("description", "市平台（新地址）")),
}


def test_every_registered_entity_has_a_case_and_every_case_an_entity():
    assert set(CASES) == set(registry.BY_ENTITY)


@pytest.mark.parametrize("entity", sorted(CASES))
def test_create_update_delete_through_the_registry(db, entity):
    writes = registry.BY_ENTITY[entity]
    assert writes.entity == entity
    department = DepartmentFactory()
    official = OfficialFactory(department=department)
    project = ProjectFactory(department=department, lead_official=official)
    user = UserFactory()
    fields, (name, value) = CASES[entity]
    record = writes.create(user=user, **fields(department=department, official=official, project=project))
    model = type(record)
    assert model.objects.filter(pk=record.pk).exists()

    updated = writes.update(model.objects.get(pk=record.pk), user=user, **{name: value})
    assert updated.pk == record.pk
    assert getattr(model.objects.get(pk=record.pk), name) == value

    writes.delete(model.objects.get(pk=record.pk), user=user)
    assert not model.objects.filter(pk=record.pk).exists()
