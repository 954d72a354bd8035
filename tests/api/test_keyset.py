"""Keyset pages of the project list (`?cursor=`): the whole list in code order, both ways, filters kept,
bad cursors refused, the same queries whatever the page size."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ProjectFactory

URL = "/api/v1/projects/"


def cursor_of(link: str | None) -> str | None:
    return None if link is None else parse_qs(urlparse(link).query)["cursor"][0]


@pytest.fixture
def projects(db):
    # Created out of code order, so the order cannot come from the ids.
    return [ProjectFactory(code=f"EQ2023-{n:04d}", status="signed" if n % 3 else "planned")
            for n in (7, 2, 9, 4, 1, 8, 3, 6, 5)]


def walk(client, params: dict) -> tuple[list[str], list[dict]]:
    codes, bodies, cursor = [], [], ""
    while cursor is not None:
        response = client.get(URL, {**params, "cursor": cursor})
        assert response.status_code == 200, response.content
        body = response.json()
        bodies.append(body)
        codes += [row["code"] for row in body["results"]]
        cursor = cursor_of(body["next"])
    return codes, bodies


def test_cursor_pages_walk_the_whole_list_in_code_order_and_back(admin_client, projects):
    codes, bodies = walk(admin_client, {"page_size": 2})
    assert codes == sorted(p.code for p in projects)
    assert [len(b["results"]) for b in bodies] == [2, 2, 2, 2, 1]
    assert {b["count"] for b in bodies} == {9}
    assert bodies[0]["previous"] is None and bodies[-1]["next"] is None
    # Back from the last page to the first through `previous`.
    back, cursor = [], cursor_of(bodies[-1]["previous"])
    while cursor is not None:
        body = admin_client.get(URL, {"page_size": 2, "cursor": cursor}).json()
        back = [row["code"] for row in body["results"]] + back
        cursor = cursor_of(body["previous"])
    assert back == codes[:-1]
    # A page reached backwards links forward again.
    first = admin_client.get(URL, {"page_size": 2, "cursor": cursor_of(bodies[1]["previous"])}).json()
    assert [r["code"] for r in first["results"]] == codes[:2] and first["previous"] is None
    assert cursor_of(first["next"]) == cursor_of(bodies[0]["next"])


def test_cursor_pages_keep_the_filters_and_the_flags(admin_client, projects):
    codes, bodies = walk(admin_client, {"page_size": 2, "status": "signed", "as_of": "2023-07-01"})
    assert codes == sorted(p.code for p in projects if p.status == "signed")
    assert len(codes) > 2  # more than one page
    assert {b["count"] for b in bodies} == {len(codes)}
    assert all("warning_level" in row for b in bodies for row in b["results"])
    assert "status=signed" in bodies[0]["next"] and "as_of=2023-07-01" in bodies[0]["next"]


def test_a_page_of_the_old_kind_is_unchanged(admin_client, projects):
    body = admin_client.get(URL, {"page_size": 4, "page": 2}).json()
    assert [r["code"] for r in body["results"]] == sorted(p.code for p in projects)[4:8]
    assert "page=3" in body["next"] and "cursor" not in body["next"]


@pytest.mark.parametrize("params", [
    {"cursor": "not-a-cursor"},
    {"cursor": "e30"},  # {}
    {"cursor": "eyJzaWRld2F5cyI6ICJ4In0"},  # {"sideways": "x"}
    {"cursor": "eyJhZnRlciI6ICJcdTAwMDAifQ"},  # {"after": "\u0000"}: PostgreSQL refuses NUL in text
    {"cursor": "游标"},
    {"cursor": "WzFd"},  # [1]
    {"cursor": "MQ"},  # 1
    {"cursor": "", "ordering": "name"},
    {"cursor": "", "page": "2"},
])
def test_a_bad_cursor_or_a_clash_is_a_400_on_the_cursor(admin_client, projects, params):
    response = admin_client.get(URL, params)
    assert response.status_code == 400 and list(response.json()) == ["cursor"], response.content


def test_cursor_pages_run_the_same_queries_whatever_their_size(admin_client, projects):
    counts = set()
    for size in (1, 3, 9):
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(URL, {"page_size": size, "cursor": ""}).status_code == 200
        counts.add(len(captured))
    assert len(counts) == 1, counts


def test_a_projects_status_updates_page_by_number_only(admin_client, projects):
    url = f"/api/v1/projects/{projects[0].pk}/status-updates/"
    # The cursor is the project list's; elsewhere it is an unknown parameter, left alone.
    assert admin_client.get(url, {"cursor": "eyJhZnRlciI6ICJ4In0"}).status_code == 200
