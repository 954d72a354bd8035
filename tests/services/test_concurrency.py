"""Concurrent writers on PostgreSQL: the project row lock serialises status updates."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from projects.models import Project, StatusUpdate
from projects.services import status_update_create
from tests.factories import ProjectFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _run_together(count: int, target, refused=()) -> tuple[list, list]:
    """Run `target(i)` in `count` threads at once; returns (results, refusals of the given types)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(index: int):
        try:
            barrier.wait()
            results.append(target(index))
        except Exception as exc:  # reported below, the test fails on any
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    unexpected = [exc for exc in errors if not isinstance(exc, refused)]
    assert unexpected == []
    return results, errors


def test_concurrent_reports_each_bump_the_version_once():
    project = ProjectFactory(status="planned")
    user = UserFactory()

    _run_together(6, lambda i: status_update_create(project=project, user=user, note=f"第{i}次"))
    project.refresh_from_db()
    assert project.version == 1 + 6
    assert StatusUpdate.objects.filter(project=project).count() == 6


def test_concurrent_amounts_never_make_the_investment_go_down():
    project = ProjectFactory(status="planned")
    user = UserFactory()

    def report(index):
        return status_update_create(project=project, user=user, note="x", completed_investment=Decimal(index * 10))

    results, refused = _run_together(6, report, refused=(ValidationError,))
    assert len(results) + len(refused) == 6
    amounts = list(StatusUpdate.objects.filter(project=project).order_by("id").values_list(
        "completed_investment", flat=True))
    assert len(amounts) == len(results)
    assert amounts == sorted(amounts)
    project.refresh_from_db()
    assert project.completed_investment == amounts[-1]
    assert project.version == 1 + len(results)


def test_concurrent_retries_with_one_key_record_once():
    project = ProjectFactory(status="planned")
    user = UserFactory()

    def retry(index):
        return status_update_create(
            project=project, user=user, note="开工", status="under_construction",
            idempotency_key="same-key", fingerprint="same-body",
        )

    results, _ = _run_together(5, retry)
    assert StatusUpdate.objects.filter(project=project).count() == 1
    assert len({report.pk for report in results}) == 1
    assert sum(not report.replayed for report in results) == 1
    assert Project.objects.get(pk=project.pk).status == "under_construction"
