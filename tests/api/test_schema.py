"""The OpenAPI schema is a committed, validated artifact; the docs pages load nothing from outside."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

COMMITTED_SCHEMA = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
# src/href attributes of the page's own HTML (script, link, img, ...).
RESOURCE_ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
EXTERNAL = re.compile(r"^(?:https?:)?//", re.IGNORECASE)


def test_schema_validates_without_warnings_and_matches_committed(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated), stdout=StringIO(),
                 stderr=StringIO())
    assert generated.read_text(encoding="utf-8") == COMMITTED_SCHEMA.read_text(encoding="utf-8"), (
        "docs/openapi.yaml is stale: regenerate it with "
        "`manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml`"
    )


def test_migrations_are_complete(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO(), stderr=StringIO())


def test_schema_endpoint_answers(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/projects/{id}/status-updates/" in response.content


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_page_loads_nothing_from_outside(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    resources = RESOURCE_ATTRIBUTE.findall(html)
    assert any(src.endswith(".js") for src in resources), "the page should load its bundle locally"
    assert [src for src in resources if EXTERNAL.match(src)] == []
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html


def test_the_docs_pages_own_files_are_served_by_the_app(client, settings):
    settings.DEBUG = False
    for path in (
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
        "/static/admin/css/base.css",
    ):
        assert client.get(path).status_code == 200, path


def test_docs_pages_may_only_load_from_this_server(client):
    for path in ("/api/docs/", "/api/redoc/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "img-src 'self' data:" in policy
        assert "http" not in policy
