"""Scale-out, proven with real gunicorn processes over one database (and one Redis).

Parallel status updates to one project through one or two server processes: every update is
recorded once and the project's `version` goes up by exactly their number (on PostgreSQL the row
lock serialises them; on SQLite WAL, a busy timeout and IMMEDIATE transactions do, with no
"database is locked"). The per-token throttle holds across two processes when its counters are
in Redis. Figures are printed (`pytest -s tests/test_scale_out.py`).
"""

import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.db import connection

from tests.servers import call, manage, scratch_database, servers

UPDATES_PER_PROCESS = 12


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A migrated scratch database with an office (admin) token and one project to report on."""
    tmp = tmp_path_factory.mktemp("scale")
    with scratch_database(tmp) as url:
        token = manage(url, "issue_token", "office", "--role", "admin").strip().splitlines()[-1]
        yield {"url": url, "token": token, "tmp": tmp}


def _project(base_url: str, token: str) -> dict:
    suffix = uuid.uuid4().hex[:6]
    status, _, department = call(f"{base_url}/api/v1/departments/", "POST", token,
                                 {"code": f"d{suffix}", "name": f"单位{suffix}"})
    assert status == 201, department
    status, _, project = call(f"{base_url}/api/v1/projects/", "POST", token, {
        "code": f"EQ2023-{suffix}", "name": "并发测试项目", "year": 2023, "category": "construction",
        "department": department["id"], "status": "under_construction",
    })
    assert status == 201, project
    return project


@pytest.mark.parametrize("processes", [1, 2])
def test_parallel_status_updates_through_the_processes_are_each_recorded_once(database, processes, tmp_path):
    sent = UPDATES_PER_PROCESS * processes
    with servers(processes, database["url"], tmp_path, threads=6) as running:
        token = database["token"]
        project = _project(running[0].base_url, token)
        url = "/api/v1/projects/{}/status-updates/".format(project["id"])

        def report(n: int):
            base = running[n % processes].base_url
            return call(base + url, "POST", token, {"note": f"第{n}次填报", "reported_on": "2023-05-04"})

        with ThreadPoolExecutor(max_workers=sent) as pool:
            results = list(pool.map(report, range(sent)))
        statuses = [status for status, _, _ in results]
        status, _, after = call(f"{running[-1].base_url}/api/v1/projects/{project['id']}/", token=token)
        _, _, listed = call(f"{running[0].base_url}{url}?page_size=500", token=token)
        _, _, history = call(f"{running[-1].base_url}/api/v1/projects/{project['id']}/history/?page_size=500",
                             token=token)
        logs = "".join(server.output() for server in running)

    recorded = sorted(item["note"] for item in listed["results"])
    lost = sent - len(set(recorded))
    print(f"\n[{connection.vendor}] {processes} process(es): {sent} parallel updates sent, "
          f"{statuses.count(201)} accepted, {len(recorded)} recorded, {lost} lost, "
          f"version {project['version']} -> {after['version']}")
    assert statuses == [201] * sent, results
    assert recorded == sorted(f"第{n}次填报" for n in range(sent))  # each once
    assert after["version"] == project["version"] + sent
    reports = [e for e in history["results"] if e["object_type"] == "status_update"]
    assert len(reports) == sent and {e["via"] for e in reports} == {"api"}
    assert "database is locked" not in logs
    if database["url"].startswith("sqlite:"):
        with sqlite3.connect(database["url"].removeprefix("sqlite:///")) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert logs.count(f"POST {url}") == sent  # the access log has every request...
    assert token not in logs and token[:15] not in logs  # ...and no token


@pytest.fixture
def redis_prefix():
    """A Redis key prefix of this test run only, its keys deleted afterwards; skip without Redis."""
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"portfolio-test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def test_the_token_rate_holds_across_two_processes_with_redis(database, redis_prefix, tmp_path):
    limit, sent = 5, 16
    env = {"REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_KEY_PREFIX": redis_prefix,
           "THROTTLE_USER_RATE": f"{limit}/hour"}
    with servers(2, database["url"], tmp_path, threads=4, **env) as running:
        token = database["token"]

        def read(n: int):
            return call(f"{running[n % 2].base_url}/api/v1/departments/", token=token)

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(read, range(sent)))
        logs = "".join(server.output() for server in running)
    statuses = [status for status, _, _ in results]
    print(f"\n[{connection.vendor}] throttle {limit}/hour over 2 processes: {sent} sent, "
          f"{statuses.count(200)} answered, {statuses.count(429)} throttled")
    assert statuses.count(200) == limit
    assert statuses.count(429) == sent - limit
    for status, headers, body in results:
        if status == 429:
            assert 1 <= int(headers["Retry-After"]) <= 3600
            assert body["detail"]
    assert token not in logs
