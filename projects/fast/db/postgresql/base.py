"""Django's PostgreSQL backend, with the before-commit hooks (projects.fast.commit)."""

from django.db.backends.postgresql import base

from projects.fast.commit import BeforeCommit


class DatabaseWrapper(BeforeCommit, base.DatabaseWrapper):
    pass
