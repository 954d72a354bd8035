"""A CSV download is streamed, read a chunk of rows at a time, in the list's order."""

import csv
import io

import pytest

from projects.api import base as views
from tests.factories import ProjectFactory


@pytest.mark.django_db
def test_the_project_csv_streams_every_row_in_order_a_chunk_at_a_time(admin_client, monkeypatch):
    monkeypatch.setattr(views, "EXPORT_CHUNK", 2)
    codes = [ProjectFactory(code=f"P-{n:02d}").code for n in (5, 1, 4, 2, 3)]
    response = admin_client.get("/api/v1/projects/", {"format": "csv", "ordering": "-code"})
    assert response.status_code == 200
    assert response.streaming
    chunks = list(response.streaming_content)
    text = b"".join(chunks).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert [row[0] for row in rows[1:]] == sorted(codes, reverse=True)
    assert rows[0][0] == "项目编号"


@pytest.mark.django_db
def test_an_xlsx_download_and_a_bad_request_are_unchanged(admin_client):
    ProjectFactory()
    assert not admin_client.get("/api/v1/projects/", {"format": "xlsx"}).streaming
    bad = admin_client.get("/api/v1/projects/", {"format": "csv", "is_overdue": "maybe"})
    assert bad.status_code == 400
    assert bad["Content-Type"].startswith("application/json")
