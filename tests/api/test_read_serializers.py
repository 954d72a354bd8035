"""The read serializers' planned rows are DRF's generic output, field for field, on every list."""

from datetime import date

import pytest
from rest_framework import serializers

from projects import services
from projects.api.serializers.base import ReadSerializer
from tests.factories import (
    ApprovalItemFactory,
    MilestoneFactory,
    ProjectBatchFactory,
    ProjectFactory,
    UserFactory,
    VisitFactory,
)

URLS = ["/api/v1/projects/", "/api/v1/milestones/", "/api/v1/status-updates/", "/api/v1/visits/",
        "/api/v1/approvals/", "/api/v1/officials/", "/api/v1/departments/"]


@pytest.fixture
def varied(dept_a, official_a, project_a, project_b):
    """Rows with and without their optional parts: no lead official, no milestones, nulls, reasons."""
    bare = ProjectFactory(department=dept_a, lead_official=None, floor_area=None, status="planned")
    MilestoneFactory(project=project_a, kind="start", title="开工", due_date=date(2023, 3, 31))
    MilestoneFactory(project=project_a, kind="completion", title="建成", due_date=date(2023, 12, 31),
                     completed_on=date(2023, 4, 1))
    MilestoneFactory(project=bare, kind="other", title="无期限", due_period="", due_date=None)
    ProjectBatchFactory(project=project_a, period=7, kind="starting")
    VisitFactory(project=project_a, visited_on=date(2023, 3, 1))
    ApprovalItemFactory(project=project_b, due_date=date(2023, 4, 1))
    services.status_update_create(project=project_a, user=UserFactory(first_name="张", last_name="三"),
                                  note="进展", reported_on=date(2023, 4, 28))
    return [project_a, project_b, bare]


@pytest.mark.parametrize("url", URLS)
def test_planned_rows_equal_drfs_generic_rows(admin_client, varied, monkeypatch, url):
    for as_of in ("2023-05-04", "2099-01-01"):
        planned = admin_client.get(url, {"as_of": as_of}).json()
        with monkeypatch.context() as patch:
            patch.setattr(ReadSerializer, "to_representation", serializers.ModelSerializer.to_representation)
            generic = admin_client.get(url, {"as_of": as_of}).json()
        assert planned["count"] > 0
        assert planned == generic


def test_a_project_detail_equals_drfs_generic_detail(admin_client, varied, monkeypatch):
    for project in varied:
        url = f"/api/v1/projects/{project.pk}/"
        planned = admin_client.get(url, {"as_of": "2023-05-04"}).json()
        with monkeypatch.context() as patch:
            patch.setattr(ReadSerializer, "to_representation", serializers.ModelSerializer.to_representation)
            assert admin_client.get(url, {"as_of": "2023-05-04"}).json() == planned
