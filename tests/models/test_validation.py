"""Check constraints judged in Python agree with the database, which still enforces them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import CaptureQueriesContext

from projects.domain.choices import Role
from projects.fast import constraints
from projects.models import Milestone, Project, StatusUpdate, UserProfile
from tests.factories import MilestoneFactory, ProjectFactory, UserFactory

# (model field, values) to try on a saved row of each model: valid, invalid and NULL alike.
VARIANTS = {
    Project: [("progress_percent", [-1, 0, 100, 101]), ("floor_area", [None, Decimal("-0.01"), Decimal("0")]),
              ("suspended_from", ["", "signed", "completed", "operating", "cancelled"]),
              ("status", ["planned", "bogus"]), ("category", ["start", "x"]),
              ("completed_investment", [Decimal("-1"), Decimal("0")])],
    Milestone: [("due_period", ["", "2023-Q2"]), ("due_date", [None, date(2023, 6, 30)]), ("kind", ["start", "x"])],
    StatusUpdate: [("progress_percent", [0, 100, 101]), ("completed_investment", [Decimal("-0.5"), Decimal("1")]),
                   ("status_to", ["signed", "nope"])],
    UserProfile: [("role", [Role.DEPARTMENT, Role.OFFICIAL, Role.READER, "boss"])],
}


def saved(model):
    if model is Project:
        return ProjectFactory()
    if model is Milestone:
        return MilestoneFactory(due_period="", due_date=None)
    user = UserFactory()
    if model is UserProfile:
        return UserProfile.objects.create(user=user, role=Role.READER)
    project = ProjectFactory()
    return StatusUpdate.objects.create(project=project, status_from="planned", status_to="planned",
                                       completed_investment=0, progress_percent=0, note="x",
                                       reported_on=date(2023, 5, 4), reported_by=user)


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(VARIANTS), ids=lambda m: m.__name__)
def test_every_check_constraint_is_judged_in_python_as_the_database_judges_it(model):
    instance = saved(model)
    checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
    assert checks
    tried = 0
    for field, values in VARIANTS[model]:
        original = getattr(instance, field)
        for value in values:
            setattr(instance, field, value)
            for constraint in checks:
                try:
                    constraint.validate(model, instance)  # Django: a query
                    database = True
                except ValidationError:
                    database = False
                assert (constraints.holds(constraint.condition, instance) is not False) == database, \
                    (constraint.name, field, value)
                tried += 1
        setattr(instance, field, original)
    assert tried > 10


@pytest.mark.django_db
def test_full_clean_asks_the_database_for_no_check_constraint_and_says_what_django_says():
    project = ProjectFactory()
    project.progress_percent = 101
    project.suspended_from = "operating"
    with pytest.raises(ValidationError) as django_error:
        project.full_clean()
    with CaptureQueriesContext(connection) as context, pytest.raises(ValidationError) as ours:
        constraints.full_clean(project, exclude={"department", "lead_official", "code"})
    assert context.captured_queries == []
    assert ours.value.message_dict == django_error.value.message_dict


@pytest.mark.django_db
def test_unique_constraints_are_still_validated_with_their_chinese_field_errors():
    first = MilestoneFactory(kind="start", title="开工")
    twin = Milestone(project=first.project, kind="start", title="开工")
    with pytest.raises(ValidationError) as django_error:
        twin.full_clean()
    with pytest.raises(ValidationError) as ours:
        constraints.full_clean(twin)
    assert ours.value.message_dict == django_error.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_the_database_still_refuses_what_bypasses_the_services():
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(progress_percent=101)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(suspended_from="operating")
