"""Token authentication: one query per request, and an expired token neither works nor lingers."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from projects import services
from tests.factories import UserFactory


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_a_request_reads_the_token_table_once_whatever_the_users_other_tokens():
    user = UserFactory(username="many_tokens")
    for _ in range(3):
        services.token_issue(user=user, days=30)
    key = services.token_issue(user=user, days=30)
    with CaptureQueriesContext(connection) as context:
        response = token_client(key).get("/api/v1/departments/")
    assert response.status_code == 200
    token_queries = [q["sql"] for q in context.captured_queries if "knox_authtoken" in q["sql"]]
    assert len(token_queries) == 1, token_queries


@pytest.mark.django_db
def test_an_expired_token_is_refused_and_deleted_when_presented():
    user = UserFactory(username="expired")
    key = services.token_issue(user=user, days=30)
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(seconds=1))
    response = token_client(key).get("/api/v1/departments/")
    assert response.status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_valid_token_survives_a_users_expired_one():
    user = UserFactory(username="mixed")
    old = services.token_issue(user=user, days=30)
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(seconds=1))
    key = services.token_issue(user=user, days=30)
    assert token_client(key).get("/api/v1/departments/").status_code == 200
    assert token_client(old).get("/api/v1/departments/").status_code == 401
    assert AuthToken.objects.filter(user=user).count() == 1
