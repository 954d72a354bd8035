"""Shared fixtures: a client per role, a pinned as_of, a small portfolio in two departments."""

from datetime import date

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from projects.domain.choices import Role
from tests.factories import DepartmentFactory, OfficialFactory, ProjectFactory, UserFactory, UserProfileFactory

AS_OF = date(2023, 5, 4)  # the day of the district's Q2 meeting


@pytest.fixture(scope="session", autouse=True)
def _static_files_found_per_request():
    """Every test client loads the middleware again, and WhiteNoise would list every static file of
    the apps each time (about 60 ms a client). In autorefresh mode it finds a file when it is asked
    for, the same file by the same finders."""
    from django.conf import settings

    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path_factory):
    """No pinned default as_of, fresh throttle counters (they live in the cache), and an empty photo
    storage and upload folder of its own, per test."""
    settings.PORTFOLIO_AS_OF = None
    cache.clear()
    media = tmp_path_factory.mktemp("media")
    (media / "uploads").mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(media / "uploads")
    settings.STORAGES = {**settings.STORAGES, "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(media / "photos")},
    }}


@pytest.fixture
def as_of() -> date:
    return AS_OF


@pytest.fixture
def dept_a(db):
    return DepartmentFactory(code="fgw", name="发展改革委")


@pytest.fixture
def dept_b(db):
    return DepartmentFactory(code="jyj", name="教育局")


@pytest.fixture
def official_a(dept_a):
    return OfficialFactory(name="王一", title="副区长", department=dept_a)


@pytest.fixture
def official_b(dept_b):
    return OfficialFactory(name="李二", title="副区长", department=dept_b)


@pytest.fixture
def project_a(dept_a, official_a):
    """A project of department A led by official A."""
    return ProjectFactory(department=dept_a, lead_official=official_a, name="仲景医药健康产业园")


@pytest.fixture
def project_b(dept_b, official_b):
    """A project of department B led by official B: outside the scope of A's users."""
    return ProjectFactory(department=dept_b, lead_official=official_b, name="陇西南华府小学")


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.user = user
    return client


@pytest.fixture
def admin_client(db):
    profile = UserProfileFactory(user=UserFactory(username="admin_user", is_staff=True), role=Role.ADMIN)
    return _client(profile.user)


@pytest.fixture
def department_client(dept_a):
    profile = UserProfileFactory(user=UserFactory(username="dept_user"), role=Role.DEPARTMENT, department=dept_a)
    return _client(profile.user)


@pytest.fixture
def official_client(official_a):
    profile = UserProfileFactory(user=UserFactory(username="official_user"), role=Role.OFFICIAL, official=official_a)
    return _client(profile.user)


@pytest.fixture
def reader_client(db):
    profile = UserProfileFactory(user=UserFactory(username="reader_user"), role=Role.READER)
    return _client(profile.user)


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def role_clients(admin_client, department_client, official_client, reader_client, anon_client):
    return {
        "admin": admin_client,
        "department": department_client,
        "official": official_client,
        "reader": reader_client,
        "anonymous": anon_client,
    }
