"""The commands `make run` calls: load_seed, demo_accounts, demo_leads and demo_problems."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from projects.models import Lead, Project
from tests.factories import UserFactory


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_load_seed_loads_once_and_then_skips(db):
    run("load_seed")
    count = Project.objects.count()
    assert count > 0
    assert "skipping" in run("load_seed")
    assert Project.objects.count() == count


def test_demo_accounts_needs_a_portfolio(db):
    with pytest.raises(CommandError):
        run("demo_accounts")


def test_demo_accounts_prints_a_login_and_a_working_token_per_role(db):
    run("load_seed")
    output = run("demo_accounts")
    assert re.search(r"user demo_admin\s+password \S+", output)
    tokens = dict(re.findall(r"^\s+(admin|department|official|reader)\s+demo_\w+\s+([0-9a-f]{64})", output, re.M))
    assert set(tokens) == {"admin", "department", "official", "reader"}
    project = Project.objects.filter(lead_official__isnull=False).first()
    for role, key in tokens.items():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get("/api/v1/projects/").status_code == 200
        write = client.patch(f"/api/v1/projects/{project.pk}/", {"description": role}, format="json")
        assert write.status_code == (200 if role == "admin" else 403), role


def test_seed_funnel_after_make_runs_loading(db):
    """`make run` loads the seed and then the demo leads: stats/leads shows the meeting's funnel."""
    run("load_seed")
    client = APIClient()
    client.force_authenticate(UserFactory(username="reader"))
    named = client.get("/api/v1/stats/leads/", {"year": 2023, "as_of": "2023-05-04"}).json()
    assert (named["leads"], named["contacted"], named["negotiating"], named["landed"]) == (5, 5, 3, 3)
    assert named["signed"] == {"count": 2, "amount": "0.00"}
    assert "loaded 272 demo leads" in run("demo_leads")
    assert "skipping" in run("demo_leads")
    figures = client.get("/api/v1/stats/leads/", {"year": 2023, "as_of": "2023-05-04"}).json()
    assert (figures["leads"], figures["contacted"], figures["negotiating"]) == (260, 190, 52)
    assert figures["signed"] == {"count": 10, "amount": "270200.00"}
    assert (figures["landed"], figures["dropped"]) == (20, 28)
    demo_names = list(Lead.objects.filter(note__startswith="示例").values_list("name", flat=True))
    assert demo_names and all(name.startswith("示例") for name in demo_names)


def test_demo_leads_need_the_seed(db):
    with pytest.raises(CommandError):
        run("demo_leads")


def test_demo_problems_fill_every_state_once(db):
    """`make run` then loads the demo problems: every state, every escalation level on 4 May 2023."""
    run("load_seed")
    assert "loaded 9 demo problems" in run("demo_problems")
    assert "skipping" in run("demo_problems")
    client = APIClient()
    client.force_authenticate(UserFactory(username="reader"))
    figures = client.get("/api/v1/stats/problems/", {"as_of": "2023-05-04"}).json()
    assert figures["by_state"] == {"open": 1, "assigned": 5, "answered": 1, "resolved": 1, "cancelled": 1}
    assert figures["by_escalation_level"] == {"0": 6, "1": 1, "2": 1, "3": 1}
    titles = client.get("/api/v1/problems/", {"page_size": 50}).json()["results"]
    assert len(titles) == 9 and all(row["title"].startswith("示例问题：") for row in titles)
    red = client.get("/api/v1/projects/", {"as_of": "2023-05-04", "warning_rule": "problem_overdue"}).json()
    assert [row["code"] for row in red["results"]] == ["EQ2023-001", "EQ2023-002", "EQ2023-008"]
    assessed = client.get("/api/v1/projects/", {"as_of": "2023-05-04", "assessed_level": "yellow"}).json()
    assert [row["assessed_reason"][:5] for row in assessed["results"]] == ["示例研判："]


def test_demo_problems_need_the_seed(db):
    with pytest.raises(CommandError):
        run("demo_problems")
