from unittest import mock

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


def test_requests_beyond_the_user_rate_are_429(reader_client, project_a):
    with mock.patch.object(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min"}):
        statuses = [reader_client.get("/api/v1/projects/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_anonymous_requests_to_public_pages_are_throttled(anon_client, db):
    with mock.patch.object(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"}):
        statuses = [anon_client.get("/api/schema/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
