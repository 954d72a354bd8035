"""Django's SQLite backend, with the before-commit hooks (projects.fast.commit)."""

from django.db.backends.sqlite3 import base

from projects.fast.commit import BeforeCommit


class DatabaseWrapper(BeforeCommit, base.DatabaseWrapper):
    pass
