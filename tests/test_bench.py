"""The benchmarks (bench/) stay outside the service: nothing it runs imports them, and the floor
names the tables it reads through the models."""

import ast
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
SERVICE = [
    ROOT / "manage.py", ROOT / "gunicorn.conf.py",
    *sorted((ROOT / "portfolio").rglob("*.py")), *sorted((ROOT / "projects").rglob("*.py")),
]


def _imported(path: Path):
    """Every absolute module name a file imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_the_service_imports_no_benchmark():
    importing = sorted(
        str(path.relative_to(ROOT)) for path in SERVICE for name in _imported(path) if name.split(".")[0] == "bench"
    )
    assert importing == []


def test_the_floor_names_no_table_literally():
    source = (ROOT / "bench" / "floor.py").read_text(encoding="utf-8")
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    written = sorted(table for table in tables if re.search(rf"\b{re.escape(table)}\b", source))
    assert written == []


def test_the_floor_finds_each_of_its_tables():
    from bench import floor

    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    assert set(vars(floor.T).values()) <= tables
