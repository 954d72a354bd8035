"""`ProjectQuerySet.ids()` (projects.fast.ids): the flags dropped, unless the query needs them."""

from datetime import date

import pytest
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from projects import selectors
from projects.models import Project
from tests.factories import MilestoneFactory, ProjectFactory

PAST = date(2023, 7, 1)


@pytest.fixture
def late_and_on_time(db):
    late = ProjectFactory()
    MilestoneFactory(project=late, due_date=date(2023, 6, 1))
    on_time = ProjectFactory()
    MilestoneFactory(project=on_time, due_date=date(2023, 8, 1))
    return late, on_time


def test_the_ids_keep_the_flag_filters_whatever_the_ordering(late_and_on_time):
    late, _ = late_and_on_time
    flagged = selectors.project_list(as_of=PAST)
    for overdue in (flagged.filter(is_overdue=True), flagged.filter(is_overdue=True).order_by("-next_due_date"),
                    flagged.filter(is_overdue=True).order_by(F("warning_level").desc(nulls_last=True)),
                    flagged.filter(is_overdue=True).distinct()):
        ids = overdue.ids()
        assert ids.query.annotations == {} and not ids.query.order_by
        assert list(Project.objects.filter(pk__in=ids)) == [late]
    assert "warning_level" in flagged.query.annotations  # the queryset given is untouched


def test_a_report_ordered_by_a_flag_answers_as_unordered(admin_client, late_and_on_time):
    query = {"as_of": PAST.isoformat(), "year": 2023}
    plain = admin_client.get("/api/v1/stats/summary/", query)
    ordered = admin_client.get("/api/v1/stats/summary/", {**query, "ordering": "-next_due_date"})
    assert plain.status_code == ordered.status_code == 200
    assert ordered.json() == plain.json() and plain.json()["milestones"]["overdue"] == 1
    weekly = admin_client.get("/api/v1/reports/weekly/", {"as_of": PAST.isoformat(), "ordering": "next_due_date"})
    assert weekly.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("annotation", [
    Count("milestones"),
    Window(RowNumber(), order_by="code"),
], ids=["aggregate", "window"])
def test_an_aggregate_or_a_window_is_refused(annotation):
    annotated = selectors.project_list(as_of=PAST).annotate(dropped=annotation)
    with pytest.raises(ValueError, match="'dropped'.*aggregate or a window"):
        annotated.ids()
    with pytest.raises(ValueError, match="'dropped'"):
        Project.objects.annotate(dropped=annotation).filter(dropped__gt=1).ids()


@pytest.mark.django_db
def test_a_distinct_on_a_flag_is_refused():
    with pytest.raises(ValueError, match="'warning_level'.*distinct"):
        selectors.project_list(as_of=PAST).order_by("warning_level").distinct("warning_level").ids()
    with pytest.raises(ValueError, match="'is_overdue'.*distinct"):
        selectors.project_list(as_of=PAST).order_by("department", "is_overdue").distinct("department", "is_overdue").ids()


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", [
    "-next_due_date",
    F("next_due_date").asc(nulls_last=True),
], ids=["name", "expression"])
def test_a_distinct_on_ordered_by_a_flag_is_refused(ordering):
    # The ordering chooses which project of each department DISTINCT ON keeps.
    picked = selectors.project_list(as_of=PAST).order_by("department", ordering).distinct("department")
    with pytest.raises(ValueError, match="'next_due_date'.*ordering"):
        picked.ids()
