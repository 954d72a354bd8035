"""The compiled flag SQL (projects.fast.compiled) shared by threads, as gunicorn's threads share it.

One plan's `CompiledOnce` objects are read and filled by every thread of a worker, without a
lock. These tests compile and evaluate the same plans from many threads at once and compare every
answer with the one a single thread gets from the same plan built afresh.
"""

import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from unittest import mock

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Q
from django.db.models.sql.compiler import SQLCompiler

from projects import selectors
from projects.domain.dates import is_live
from projects.fast.compiled import CompiledOnce, _nodes
from projects.models import Project
from projects.selectors.portfolio import _flagged_projects
from tests.factories import MilestoneFactory, OfficialFactory, ProjectFactory, VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16


def fresh_plan(as_of: date):
    """The queryset `selectors.project_list` keeps for `as_of`, built again: nothing compiled, nothing shared."""
    return _flagged_projects.__wrapped__(as_of, is_live(as_of), tuple(sorted(settings.PORTFOLIO_WARNING.items())))


def wrapped_in(queryset) -> list[CompiledOnce]:
    """Every CompiledOnce of the queryset's annotations, nested ones included, in a fixed order."""
    return [node for expression in queryset.query.annotations.values()
            for node in _nodes(expression) if isinstance(node, CompiledOnce)]


def in_threads(task, count: int = THREADS) -> list:
    """`task(i)` for i < count, run by `count` threads released together, thread switches made frequent."""
    barrier = threading.Barrier(count)

    def run(index):
        try:
            barrier.wait(timeout=60)
            return task(index)
        finally:
            connections.close_all()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(count) as pool:
            return list(pool.map(run, range(count)))
    finally:
        sys.setswitchinterval(interval)


@pytest.fixture
def portfolio():
    official = OfficialFactory()
    for n, due in enumerate([date(2023, 3, 1), date(2023, 6, 20), date(2023, 9, 1), None]):
        project = ProjectFactory(lead_official=official, annual_plan_investment=1000, completed_investment=100 * n)
        if due:
            MilestoneFactory(project=project, due_date=due)
        if n % 2:
            VisitFactory(project=project, official=official, visited_on=date(2023, 6, 1))


def test_threads_that_all_miss_the_cache_store_and_answer_the_same_sql():
    as_of = date(2023, 7, 3)
    shared, alone = fresh_plan(as_of), fresh_plan(as_of)
    level = shared.query.annotations["warning_level"]
    assert not any(node.compiled for node in wrapped_in(shared))
    expected = alone.query.annotations["warning_level"].as_sql(alone.query.get_compiler(DEFAULT_DB_ALIAS),
                                                               connections[DEFAULT_DB_ALIAS])
    # Every thread waits inside the compilation of the light until all have missed the cache.
    filling = threading.Barrier(THREADS)
    compile_ = SQLCompiler.compile

    def compile_together(compiler, node):
        if node is level.expression:
            filling.wait(timeout=60)
        return compile_(compiler, node)

    with mock.patch.object(SQLCompiler, "compile", compile_together):
        answers = in_threads(lambda _: level.as_sql(shared.query.get_compiler(DEFAULT_DB_ALIAS),
                                                    connections[DEFAULT_DB_ALIAS]))
    assert answers == [expected] * THREADS
    assert level.compiled == {DEFAULT_DB_ALIAS: expected}
    # The flags the light reads, compiled by all the threads at once, hold what one thread compiled.
    assert [node.compiled for node in wrapped_in(shared)] == [node.compiled for node in wrapped_in(alone)]


VARIANTS = {
    "plan": lambda projects: projects.order_by("pk"),
    "overdue": lambda projects: projects.filter(is_overdue=True).order_by("pk"),
    "lights": lambda projects: projects.filter(warning_level__in=["red", "yellow"]).order_by("next_due_date", "pk"),
    "by official": lambda projects: projects.values("lead_official").order_by("lead_official").annotate(
        n=Count("pk"), late=Count("pk", filter=Q(is_overdue=True)), unvisited=Count("pk", filter=Q(visit_overdue=True)),
    ),
    "ids": lambda projects: Project.objects.filter(pk__in=projects.filter(visit_overdue=True).ids()).order_by("pk"),
}
COLUMNS = ("pk", "warning_level", "is_overdue", "visit_overdue", "next_due_date", "last_visit_on",
           "overdue_milestone_count", "investment_lag")


def answer(queryset) -> tuple:
    sql, params = queryset.query.sql_with_params()
    rows = list(queryset.values_list(*COLUMNS)) if "warning_level" in queryset.query.annotation_select else list(queryset)
    return sql, params, rows


@pytest.mark.parametrize("as_of", [date(2023, 7, 4), date(2999, 1, 1)], ids=["past", "live"])
def test_many_threads_reading_one_plan_get_the_sql_and_rows_one_thread_gets(portfolio, as_of):
    alone = fresh_plan(as_of)
    expected = {name: answer(variant(alone)) for name, variant in VARIANTS.items()}
    assert any(rows for _, _, rows in expected.values())
    plan = selectors.project_list(as_of=as_of)
    assert not any(node.compiled for node in wrapped_in(plan)), "the plan must be cold for this test"

    def requests(index):
        names = list(VARIANTS)[index % len(VARIANTS):] + list(VARIANTS)[:index % len(VARIANTS)]
        return [(name, answer(VARIANTS[name](selectors.project_list(as_of=as_of)))) for _ in range(3) for name in names]

    for answers in in_threads(requests):
        for name, got in answers:
            assert got == expected[name], name
    # What the threads stored is what the single thread stored, flag for flag.
    assert [node.compiled for node in wrapped_in(plan)] == [node.compiled for node in wrapped_in(alone)]
    assert plan.query.annotations["warning_level"].compiled
