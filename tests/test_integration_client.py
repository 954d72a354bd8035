"""The client of docs/integration.md, run as written against a live server: it copies the portfolio from
the change feed, is killed mid-way, resumes, and ends with the copy the API serves."""

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from projects import services
from projects.models import Event
from tests.factories import MilestoneFactory, ProjectFactory, UserFactory, UserProfileFactory, VisitFactory

pytestmark = pytest.mark.django_db(transaction=True)

GUIDE = Path(settings.BASE_DIR) / "docs" / "integration.md"
WAIT = 60


def client_script(tmp_path: Path) -> Path:
    """The guide's Python block, byte for byte."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## A client that keeps a local copy", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    path = tmp_path / "feed_client.py"
    path.write_text(code, encoding="utf-8")
    return path


def position(copy: Path) -> int:
    try:
        with sqlite3.connect(copy, timeout=1) as db:
            return db.execute("SELECT after FROM position").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def local_copy(copy: Path) -> dict:
    with sqlite3.connect(copy) as db:
        return {(t, i): json.loads(d) for t, i, d in db.execute("SELECT object_type, object_id, data FROM objects")}


@pytest.fixture
def token():
    user = UserProfileFactory(user=UserFactory(username="sync_system"), role="reader").user
    return services.token_issue(user=user, days=30)


def test_the_guides_client_copies_resumes_after_a_kill_and_converges(live_server, token, tmp_path):
    projects = [ProjectFactory(code=f"EQ2023-{i:03d}") for i in range(40)]
    for project in projects[:20]:
        MilestoneFactory(project=project, due_date=date(2023, 6, 30))
        VisitFactory(project=project, visited_on=date(2023, 4, 20))
    script, copy = client_script(tmp_path), tmp_path / "copy.sqlite3"
    total = Event.objects.count()
    assert total >= 100

    command = [sys.executable, str(script), live_server.url, token, str(copy), "--page-size", "5"]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + WAIT
    while position(copy) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    running.send_signal(signal.SIGKILL)  # a crash, mid-way through the feed
    running.wait(WAIT)
    killed_at = position(copy)
    assert 0 < killed_at

    # Writes go on while it is down: changes, and deletions it must apply too.
    services.project_update(project=projects[0], user=None, name="改名后的项目")
    for project in projects[30:]:
        services.project_delete(project=project, user=None)

    done = subprocess.run([*command, "--once"], capture_output=True, text=True, timeout=WAIT)
    assert done.returncode == 0, done.stderr
    assert position(copy) == Event.objects.order_by("-id").values_list("id", flat=True).first()

    # The copy is what the API serves now: every project and its records, none of the deleted.
    copied = local_copy(copy)
    assert {i for (t, i) in copied if t == "project"} == {p.pk for p in projects[:30]}
    reader = {"HTTP_AUTHORIZATION": f"Token {token}"}
    from django.test import Client

    http = Client()
    urls = {"project": "/api/v1/projects/{}/", "milestone": "/api/v1/milestones/{}/", "visit": "/api/v1/visits/{}/"}
    for (object_type, object_id), data in copied.items():
        served = http.get(urls[object_type].format(object_id), **reader).json()
        if object_type != "project":
            # A record's brief of its project is as of the record's own last event (docs/integration.md);
            # the project's current name is in the project's.
            assert data.pop("project")["id"] == served.pop("project")["id"]
        assert served == data
    assert copied[("project", projects[0].pk)]["name"] == "改名后的项目"
