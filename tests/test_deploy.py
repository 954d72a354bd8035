"""Production defaults: HTTPS-only with DEBUG off, bounded request bodies, no token in any log."""

import io
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.test import RequestFactory
from django.views.debug import technical_500_response
from rest_framework.test import APIClient

from projects.models import StatusUpdate
from projects.services import token_issue

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """manage.py in a fresh process with only the given settings in its environment."""
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
        capture_output=True, text=True, timeout=120,
    )


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "xmb.erqi.example.cn"}
SHOW_HTTPS = (
    "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_PROXY_SSL_HEADER)"
)


def test_deploy_check_passes_with_only_debug_secret_key_and_hosts():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_without_https():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, PORTFOLIO_HTTPS="0")
    assert result.returncode != 0
    assert "security.W008" in result.stderr  # no SSL redirect


@pytest.mark.parametrize("env,expected", [
    ({}, "True True True True ('HTTP_X_FORWARDED_PROTO', 'https')"),
    ({"PORTFOLIO_HTTPS": "0"}, "False False False False None"),
    ({"DEBUG": "1"}, "False False False False None"),
])
def test_https_only_is_the_default_with_debug_off(env, expected):
    result = manage("shell", "-c", SHOW_HTTPS, **{**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


@pytest.fixture
def https_only(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


def test_plain_http_is_redirected_and_the_proxys_https_is_trusted(https_only, reader_client):
    client = APIClient()
    client.force_authenticate(reader_client.user)
    plain = client.get("/api/v1/departments/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/api/v1/departments/"
    proxied = client.get("/api/v1/departments/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_and_csrf_cookies_are_secure(https_only, client, django_user_model):
    django_user_model.objects.create_superuser("office", "", "pw-123456789")
    form = client.get("/admin/login/", secure=True)
    assert form.cookies["csrftoken"]["secure"] is True
    login = client.post("/admin/login/", {"username": "office", "password": "pw-123456789"}, secure=True)
    assert login.status_code == 302
    assert login.cookies["sessionid"]["secure"] is True


# --- request bodies --------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_in_chinese_and_writes_nothing(settings, admin_client, project_a):
    settings.REQUEST_BODY_MAX_BYTES = 2048
    body = {"note": "进展" * 2000}
    response = admin_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/", body, format="json")
    assert response.status_code == 413
    assert "请求体过大" in response.json()["detail"]
    assert not StatusUpdate.objects.exists()
    small = admin_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/", {"note": "进展"}, format="json")
    assert small.status_code == 201


def test_admin_forms_are_bounded_too(settings, client):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    response = client.post("/admin/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 413


def test_a_bad_content_length_is_400(admin_client, project_a):
    response = admin_client.generic(
        "POST", f"/api/v1/projects/{project_a.pk}/status-updates/", b"{}", content_type="application/json",
        CONTENT_LENGTH="12abc",
    )
    assert response.status_code == 400
    assert "Content-Length" in response.json()["detail"]


# --- tokens stay out of logs -----------------------------------------------------------------


@pytest.fixture
def console_log():
    """What the configured console handler writes (the one production logs go through), at DEBUG."""
    root = logging.getLogger()
    handlers = [h for h in root.handlers if any(getattr(f, "filter", None) and type(f).__name__ ==
                                                "RedactSecretsFilter" for f in h.filters)]
    assert handlers, "settings.LOGGING configures a console handler with the redacting filter"
    buffer = io.StringIO()
    previous = [(h, h.setStream(buffer)) for h in handlers]
    levels = {name: logging.getLogger(name).level for name in ("", "django", "django.request")}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield buffer
    for handler, stream in previous:
        handler.setStream(stream)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_requests_with_a_token_log_nothing_of_it(console_log, reader_client, project_a):
    key = token_issue(user=reader_client.user)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/projects/?as_of=nope").status_code == 400
    assert client.get("/api/v1/projects/999999/").status_code == 404
    assert client.post(f"/api/v1/projects/{project_a.pk}/status-updates/", {}, format="json").status_code == 403

    def leaky(*args, **kwargs):  # an error whose message carries the header, the worst case
        raise RuntimeError(f"cannot read Authorization: Token {key}")

    with mock.patch("projects.selectors.department_list", leaky):
        assert client.get("/api/v1/departments/").status_code == 500
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION=f"Token {key[:-4]}zzzz")
    assert bad.get("/api/v1/departments/").status_code == 401

    logged = console_log.getvalue()
    assert "Internal Server Error: /api/v1/departments/" in logged  # the error was logged...
    assert "RuntimeError" in logged
    assert key not in logged and key[:15] not in logged  # ...without the token
    assert "Token ********" in logged


def _request_with_credentials(rf: RequestFactory):
    return rf.get(
        "/api/v1/projects/", HTTP_AUTHORIZATION="Token " + secrets.token_hex(32),
        HTTP_COOKIE="sessionid=" + secrets.token_hex(16),
    )


def test_the_debug_error_page_hides_the_authorization_header(rf: RequestFactory, db):
    request = _request_with_credentials(rf)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        page = technical_500_response(request, *sys.exc_info()).content.decode()
    assert "HTTP_AUTHORIZATION" in page and "RuntimeError" in page
    assert request.META["HTTP_AUTHORIZATION"].split()[1] not in page
    assert request.COOKIES["sessionid"] not in page
