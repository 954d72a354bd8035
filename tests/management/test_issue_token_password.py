"""`issue_token USERNAME --password`: the password comes from PORTFOLIO_PASSWORD or the terminal, never an argument."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from projects.domain.choices import Role

PASSWORD = "Erqi-clerk-2023"


def issue(*args) -> str:
    out = StringIO()
    call_command("issue_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_password_from_the_environment_logs_the_clerk_in_at_admin(dept_a, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_PASSWORD", PASSWORD)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("asked at the terminal despite the variable"))
    token = issue("clerk", "--role", Role.DEPARTMENT, "--department", dept_a.code, "--password").splitlines()[-1]
    assert len(token) == 64
    user = authenticate(username="clerk", password=PASSWORD)
    assert user is not None
    client = Client()
    assert client.login(username="clerk", password=PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_password_asked_at_the_terminal_twice(db, monkeypatch):
    monkeypatch.delenv("PORTFOLIO_PASSWORD", raising=False)
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or PASSWORD)
    issue("reader1", "--password")
    assert len(prompts) == 2
    assert authenticate(username="reader1", password=PASSWORD) is not None


def test_different_passwords_at_the_terminal_set_nothing(db, monkeypatch):
    monkeypatch.delenv("PORTFOLIO_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        issue("reader2", "--password")
    assert not get_user_model().objects.filter(username="reader2").exists()


def test_weak_password_is_refused_and_nothing_changes(db, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_PASSWORD", "123")
    with pytest.raises(CommandError):
        issue("reader3", "--password")
    assert not get_user_model().objects.filter(username="reader3", password__startswith="pbkdf2").exists()


def test_the_password_is_never_an_argument(db):
    with pytest.raises(CommandError):
        call_command("issue_token", "reader4", "--password", PASSWORD, stdout=StringIO(), stderr=StringIO())
    assert not get_user_model().objects.filter(username="reader4").exists()


def test_without_password_flag_the_user_has_no_usable_password(db, monkeypatch):
    monkeypatch.setenv("PORTFOLIO_PASSWORD", PASSWORD)
    issue("system")
    assert not get_user_model().objects.get(username="system").has_usable_password()
