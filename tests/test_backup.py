"""Backups restore to the same data (docs/deployment.md): pg_dump/pg_restore, SQLite's online backup."""

import os
import shutil
import sqlite3
import subprocess
import uuid
from datetime import date
from io import StringIO

import dj_database_url
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from projects.services import status_update_create, visit_create
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # committed, so another connection sees it


def _tables() -> list[str]:
    return sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _tables():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _portfolio() -> None:
    call_command("generate_portfolio", projects=5, seed=3, stdout=StringIO())
    project = ProjectFactory(name="仲景医药健康产业园")
    visit_create(user=None, project=project, visited_on=date(2023, 4, 1), note="现场督导")
    status_update_create(project=project, user=UserFactory(), note="已开工，形象进度 5%", reported_on=date(2023, 4, 2))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore back up PostgreSQL")
@pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="no PostgreSQL client")
def test_pg_dump_restores_into_a_fresh_database_with_the_same_counts(tmp_path):
    import psycopg

    _portfolio()
    with connection.cursor() as cursor:
        live = _counts(cursor)
    assert live["projects_project"] == 6 and live["projects_historicalvisit"] > 0

    settings = connection.settings_dict
    base = dj_database_url.parse(os.environ["DATABASE_URL"])
    target = f"{base['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    server = {"host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432,
              "user": settings["USER"], "password": settings["PASSWORD"] or None}
    env = {**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""}
    common = ["-h", str(server["host"]), "-p", str(server["port"]), "-U", server["user"]]
    dump = tmp_path / "portfolio.dump"
    subprocess.run(["pg_dump", *common, "-Fc", "-f", str(dump), settings["NAME"]], env=env, check=True)
    with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        subprocess.run(["pg_restore", *common, "--no-owner", "-d", target, str(dump)], env=env, check=True)
        with psycopg.connect(**server, dbname=target) as restored:
            assert _counts(restored.cursor()) == live
            name = restored.execute("SELECT name FROM projects_project WHERE name LIKE '仲景%'").fetchone()
            assert name == ("仲景医药健康产业园",)
    finally:
        with psycopg.connect(**server, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's online backup")
def test_sqlite_online_backup_has_the_same_counts(tmp_path):
    _portfolio()
    with connection.cursor() as cursor:
        live = _counts(cursor)
    assert live["projects_project"] == 6
    backup_path = tmp_path / "backup.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(backup_path) as backup:
        connection.connection.backup(backup)  # what `sqlite3 db.sqlite3 ".backup backup.sqlite3"` does
    restored = sqlite3.connect(backup_path)
    try:
        assert _counts(restored.cursor()) == live
        assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert restored.execute("SELECT name FROM projects_project WHERE name LIKE '仲景%'").fetchone() == (
            "仲景医药健康产业园",
        )
    finally:
        restored.close()
