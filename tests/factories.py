"""One factory per model. Objects that move state are made through services where it matters."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from projects.domain.choices import MilestoneKind, ProjectCategory, ProjectLevel, ProjectStatus, Role, Sector, VisitKind
from projects.models import (
    ApprovalItem,
    Assessment,
    Department,
    Lead,
    Milestone,
    Official,
    Problem,
    Project,
    ProjectBatch,
    StatusUpdate,
    UserProfile,
    Visit,
)
from projects.services import project_caches_refresh


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"单位{n}")


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official

    name = factory.Sequence(lambda n: f"领导{n}")
    title = "副区长"
    department = factory.SubFactory(DepartmentFactory)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"EQ2023-{n:04d}")
    name = factory.Sequence(lambda n: f"项目{n}")
    year = 2023
    category = ProjectCategory.CONSTRUCTION
    level = ProjectLevel.DISTRICT
    sector = Sector.INDUSTRY
    zone = "二七经开区"
    status = ProjectStatus.UNDER_CONSTRUCTION
    total_investment = Decimal("50000.00")
    annual_plan_investment = Decimal("0.00")
    completed_investment = Decimal("0.00")
    department = factory.SubFactory(DepartmentFactory)
    lead_official = factory.SubFactory(OfficialFactory)


class ProjectBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectBatch

    project = factory.SubFactory(ProjectFactory)
    period = 7
    kind = "starting"


class MilestoneFactory(factory.django.DjangoModelFactory):
    """A milestone saved directly; the project's cache is refreshed as the services would."""

    class Meta:
        model = Milestone
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    kind = MilestoneKind.START
    title = factory.Sequence(lambda n: f"节点{n}")
    due_date = date(2023, 6, 30)
    due_period = factory.LazyAttribute(lambda m: m.due_date.isoformat() if m.due_date else "")

    @factory.post_generation
    def refresh(obj, create, extracted, **kwargs):
        if create:
            project_caches_refresh(projects=Project.objects.filter(pk=obj.project_id))


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    official = factory.LazyAttribute(lambda v: v.project.lead_official or OfficialFactory())
    visited_on = date(2023, 5, 1)
    kind = VisitKind.SURVEY

    @factory.post_generation
    def refresh(obj, create, extracted, **kwargs):
        if create:
            project_caches_refresh(projects=Project.objects.filter(pk=obj.project_id))


class ApprovalItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovalItem

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"建设工程规划许可证{n}")
    department = factory.SubFactory(DepartmentFactory)
    due_date = date(2023, 6, 30)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")


class UserProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserProfile

    user = factory.SubFactory(UserFactory)
    role = Role.READER


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusUpdate

    project = factory.SubFactory(ProjectFactory)
    status_from = factory.LazyAttribute(lambda s: s.project.status)
    status_to = factory.LazyAttribute(lambda s: s.project.status)
    completed_investment = factory.LazyAttribute(lambda s: s.project.completed_investment)
    progress_percent = factory.LazyAttribute(lambda s: s.project.progress_percent)
    note = "本周进展"
    reported_on = date(2023, 5, 4)
    reported_by = factory.SubFactory(UserFactory)


class LeadFactory(factory.django.DjangoModelFactory):
    """A lead at stage 线索; move it on with `move_lead` (through the service)."""

    class Meta:
        model = Lead

    name = factory.Sequence(lambda n: f"招商线索{n}")
    enterprise = factory.Sequence(lambda n: f"企业{n}")
    sector = Sector.INDUSTRY
    amount = Decimal("10000.00")
    source = "豫粤合作交流会"
    department = factory.SubFactory(DepartmentFactory)
    received_on = date(2023, 1, 10)


def move_lead(lead, *moves, user=None):
    """Apply (stage, "YYYY-MM-DD") moves to `lead` through lead_move_create; returns the fresh lead."""
    from projects.services import lead_move_create

    for stage, day in moves:
        lead_move_create(lead=lead, user=user, stage=stage, moved_on=date.fromisoformat(day))
    lead.refresh_from_db()
    return lead


class ProblemFactory(factory.django.DjangoModelFactory):
    """A problem raised by the office, 待交办; move it on with `move_problem` (through the service)."""

    class Meta:
        model = Problem

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"问题{n}")
    category = "land"
    source = "office"
    raised_on = date(2023, 4, 1)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    project = factory.SubFactory(ProjectFactory)
    level = "red"
    reason = "征迁受阻，研判为红灯"
    assessed_on = date(2023, 5, 1)
    valid_until = date(2023, 5, 31)


def move_problem(problem, *moves, user=None):
    """Apply (state, "YYYY-MM-DD", extra fields) moves to `problem` through problem_move_create.

    A 交办 without a unit or deadline goes to the project's department, due 30 days after the move.
    Returns the fresh problem.
    """
    from projects.services import problem_move_create

    for state, day, *extra in moves:
        fields = dict(extra[0]) if extra else {}
        moved_on = date.fromisoformat(day)
        if state == "assigned" and problem.state == "open":
            fields.setdefault("responsible_department", problem.responsible_department or problem.project.department)
            fields.setdefault("due_date", moved_on + timedelta(days=30))
        problem_move_create(problem=problem, user=user, state=state, moved_on=moved_on, note="办理情况", **fields)
        problem.refresh_from_db()
    return problem
