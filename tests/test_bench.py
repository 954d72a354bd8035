"""The benchmarks (bench/) stay outside the service: nothing it runs imports them."""

import ast
from pathlib import Path

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

