"""What every request pays once: the flag SQL compiled once per plan, planned once per connection (PostgreSQL),
no filterset when no filter is named, the light computed once per project in the summary."""

from datetime import date
from unittest import mock

import pytest
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test.utils import CaptureQueriesContext

from projects import selectors
from projects.fast.compiled import CompiledOnce
from projects.models import Official, Project
from projects.selectors.filters import ProjectFilterSet
from projects.selectors.portfolio import _flagged_projects
from tests.factories import MilestoneFactory, OfficialFactory, ProjectFactory, VisitFactory

PAST = date(2023, 7, 1)


def sent_sql(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    return sql % tuple(map(repr, params))


def orm_sql(queryset) -> str:
    """The SQL the ORM alone compiles for the queryset: every wrapped flag compiled afresh, wherever it
    stands (selected, filtered on, ordered by), none read from a wrapper's store."""
    def compile_afresh(wrapper, compiler, connection):
        return compiler.compile(wrapper.expression)

    with mock.patch.object(CompiledOnce, "as_sql", compile_afresh):
        return sent_sql(queryset)


@pytest.mark.django_db
@pytest.mark.parametrize("live", [False, True])
def test_the_wrapped_flags_send_the_sql_the_orm_would(live):
    flagged = Project.objects.with_flags(PAST, live=live)
    wrapped = [e for e in flagged.query.annotations.values() if isinstance(e, CompiledOnce)]
    assert len(wrapped) >= 5 and not any(e.compiled for e in wrapped)
    compiled_once = CompiledOnce.as_sql
    reads, misses = [], []

    def watched(wrapper, compiler, connection):
        (reads if connection.alias in wrapper.compiled else misses).append(wrapper)
        return compiled_once(wrapper, compiler, connection)

    for queryset in (
        flagged,
        flagged.filter(is_overdue=True),
        flagged.filter(warning_level__in=["red", "yellow"]).order_by("next_due_date", "pk"),
        flagged.values("department").order_by("department"),
    ):
        first = sent_sql(queryset)
        with mock.patch.object(CompiledOnce, "as_sql", watched):
            again = sent_sql(queryset)
        assert first == again == orm_sql(queryset)
    assert all(e.compiled for e in wrapped)  # the first query selected every flag
    # Compiled again, each query reads every flag it selects from the store and compiles none of them.
    # (A flag a filter names is compiled anew in the WHERE clause each time: the lookup resolves its
    # left-hand side again, which copies the wrapper with an empty store. Its SQL is still the ORM's.)
    assert {id(e) for e in wrapped} <= {id(e) for e in reads}
    assert [e for e in misses if any(e is selected for selected in wrapped)] == []


@pytest.mark.django_db
def test_a_plan_is_compiled_once_across_requests(admin_client):
    project = ProjectFactory()
    MilestoneFactory(project=project, due_date=date(2023, 6, 1))
    # An earlier test in this process may have compiled this plan: start from a plan not compiled yet.
    _flagged_projects.cache_clear()
    selectors.project_list(as_of=PAST)  # the plan exists; its SQL is not compiled yet
    with mock.patch.object(connection.ops.compiler("SQLCompiler"), "compile",
                           autospec=True, side_effect=connection.ops.compiler("SQLCompiler").compile) as compile_:
        admin_client.get("/api/v1/projects/", {"as_of": PAST.isoformat()})
        first = compile_.call_count
        compile_.reset_mock()
        response = admin_client.get("/api/v1/projects/", {"as_of": PAST.isoformat()})
        second = compile_.call_count
    assert response.status_code == 200 and response.json()["results"][0]["is_overdue"] is True
    # The flags are hundreds of nodes; a request that reuses them compiles only the rest.
    assert second < first / 3, (first, second)


@pytest.mark.django_db
def test_as_a_subquery_the_flags_are_relabelled_not_reused():
    official = OfficialFactory()
    late = ProjectFactory(lead_official=official)
    MilestoneFactory(project=late, due_date=date(2023, 6, 1))
    on_time = ProjectFactory(lead_official=official)
    MilestoneFactory(project=on_time, due_date=date(2023, 8, 1))
    VisitFactory(project=on_time, official=official, visited_on=date(2023, 6, 20))
    flagged = selectors.project_list(as_of=PAST)
    list(flagged)  # compiled in the main query, under the table's own name

    overdue_ids = flagged.filter(is_overdue=True).values("pk")
    assert list(Project.objects.filter(pk__in=overdue_ids)) == [late]
    first_overdue = Subquery(flagged.filter(lead_official=OuterRef("pk"), is_overdue=True).values("code")[:1])
    assert Official.objects.annotate(late=first_overdue).get(pk=official.pk).late == late.code
    counted = Official.objects.with_counts(PAST).get(pk=official.pk)
    assert (counted.project_count, counted.overdue_project_count, counted.visit_overdue_project_count) == (2, 1, 1)


@pytest.mark.django_db
def test_a_request_naming_no_filter_builds_no_filterset(admin_client):
    project = ProjectFactory(status="signed")
    other_status = {"status": "under_construction"}
    with mock.patch.object(ProjectFilterSet, "__init__", autospec=True,
                           side_effect=ProjectFilterSet.__init__) as built:
        listed = admin_client.get("/api/v1/projects/", {"as_of": PAST.isoformat(), "page_size": 10})
        detail = admin_client.get(f"/api/v1/projects/{project.pk}/", {"as_of": PAST.isoformat()})
        assert built.call_count == 0
        assert [row["id"] for row in listed.json()["results"]] == [project.pk] and detail.status_code == 200
        # A filter parameter, on a list or on a detail, still filters (and is still validated).
        assert admin_client.get("/api/v1/projects/", other_status).json()["results"] == []
        assert admin_client.get(f"/api/v1/projects/{project.pk}/", other_status).status_code == 404
        assert admin_client.get("/api/v1/projects/", {"status": "nope"}).status_code == 400
        assert built.call_count == 3


@pytest.mark.django_db
def test_the_past_plan_flags_say_they_hold_subqueries_and_the_live_ones_do_not():
    past = selectors.project_list(as_of=PAST).query.annotations
    live = selectors.project_list(as_of=date(2999, 1, 1)).query.annotations
    assert past["warning_level"].contains_subquery and past["visit_overdue"].contains_subquery
    assert not live["warning_level"].contains_subquery and not live["time_progress"].contains_subquery


@pytest.mark.django_db
def test_the_summary_computes_each_projects_light_once_not_once_per_sum(admin_client):
    MilestoneFactory(project=ProjectFactory(), due_date=date(2023, 6, 1))
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get("/api/v1/stats/summary/", {"as_of": PAST.isoformat(), "year": 2023})
    assert response.status_code == 200 and response.json()["by_warning_level"]["yellow"] == 1
    sums = next(q["sql"] for q in captured
                if '"__col' in q["sql"] or 'COUNT("projects_project"."id")' in q["sql"])
    # The light reads the next deadline twice (red, yellow) and the last visit once; the visit
    # count once more. Summing each level over the light inline would repeat them per level.
    assert sums.count("MIN(") <= 2 and sums.count("MAX(") <= 2, sums
    # ... and the inner query is fenced, so the database cannot merge it back into the sums.
    assert " LIMIT " in sums, sums


@pytest.mark.django_db
def test_postgresql_plans_a_repeated_project_read_once(admin_client):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    project = ProjectFactory()
    for _ in range(4):
        assert admin_client.get(f"/api/v1/projects/{project.pk}/", {"as_of": PAST.isoformat()}).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("projects_project" in sql and "MIN(" in sql for sql in prepared), prepared


@pytest.mark.django_db
def test_ids_keep_the_flag_filters_and_drop_the_other_flags():
    official = OfficialFactory()
    late = ProjectFactory(lead_official=official)
    MilestoneFactory(project=late, due_date=date(2023, 6, 1))
    ProjectFactory(lead_official=official)
    flagged = selectors.project_list(as_of=PAST)
    assert list(Project.objects.filter(pk__in=flagged.filter(is_overdue=True).ids())) == [late]
    plain = str(flagged.ids().query)
    assert "MIN(" not in plain and "MAX(" not in plain, plain


@pytest.mark.django_db
@pytest.mark.parametrize("shape", ["plain", "sliced", "grouped"])
def test_sums_over_flags_agree_with_the_rows(shape):
    from django.db.models import Count, Q, Sum

    for n, due in enumerate([date(2023, 3, 1), date(2023, 6, 20), date(2023, 9, 1), None]):
        project = ProjectFactory(annual_plan_investment=1000, completed_investment=100 * n)
        if due:
            MilestoneFactory(project=project, due_date=due)
            MilestoneFactory(project=project, due_date=due, title="第二个")
    flagged = selectors.project_list(as_of=PAST)
    rows = list(flagged)
    sums = {"late": Sum("overdue_milestone_count"), "yellow": Count("pk", filter=Q(warning_level="yellow")),
            "red": Count("pk", filter=Q(warning_level="red")), "visits": Count("pk", filter=Q(visit_overdue=True))}
    if shape == "plain":
        got = flagged.aggregate(**sums)
    elif shape == "sliced":  # aggregated from an inner query: the swaps are columns, not references
        got = flagged.order_by("code")[:10].aggregate(**sums)
    else:
        got = flagged.values("year").order_by("year").annotate(**sums).get()
        got.pop("year")
    assert got == {
        "late": sum(r.overdue_milestone_count for r in rows),
        "yellow": sum(r.warning_level == "yellow" for r in rows),
        "red": sum(r.warning_level == "red" for r in rows),
        "visits": sum(r.visit_overdue for r in rows),
    }
    assert got["late"] and got["red"] and got["visits"]  # the data reaches every sum
