"""Throttling: per token (per user for sessions), 429 with Retry-After, counted atomically in the cache."""

from unittest import mock

from rest_framework.test import APIClient

from projects.api.throttling import AnonymousRateThrottle, TokenRateThrottle
from projects.services import token_issue


def _token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_requests_beyond_the_user_rate_are_429_with_retry_after(reader_client, project_a):
    with mock.patch.object(TokenRateThrottle, "THROTTLE_RATES", {"user": "3/min"}):
        responses = [reader_client.get("/api/v1/projects/") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    retry_after = int(responses[-1]["Retry-After"])
    assert 1 <= retry_after <= 60
    assert "detail" in responses[-1].json()


def test_each_token_has_its_own_count(reader_client, project_a):
    first, second = (_token_client(token_issue(user=reader_client.user)) for _ in range(2))
    with mock.patch.object(TokenRateThrottle, "THROTTLE_RATES", {"user": "2/hour"}):
        statuses = [first.get("/api/v1/departments/").status_code for _ in range(3)]
        other = second.get("/api/v1/departments/").status_code
    assert statuses == [200, 200, 429]
    assert other == 200


def test_the_cache_holds_no_part_of_the_token(reader_client, project_a):
    key = token_issue(user=reader_client.user)
    with mock.patch.object(TokenRateThrottle, "THROTTLE_RATES", {"user": "5/min"}):
        throttle = TokenRateThrottle()
        request = mock.Mock(user=reader_client.user, auth=mock.Mock(digest="d" * 128))
        cache_key = throttle.get_cache_key(request, None)
    assert key[:8] not in cache_key and "d" * 32 not in cache_key


def test_anonymous_requests_to_public_pages_are_throttled(anon_client, db):
    with mock.patch.object(AnonymousRateThrottle, "THROTTLE_RATES", {"anon": "2/min"}):
        statuses = [anon_client.get("/api/schema/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
