"""Work done in a transaction just before it commits: the outbox appends its events there.

What: `before_commit(hook)` and `on_rollback(hook)` register functions of the app; the database
backends `projects.fast.db.sqlite3` and `projects.fast.db.postgresql` (Django's own, with
`BeforeCommit` mixed in; settings.py names them as ENGINE) run the first just before COMMIT, in
the transaction, and the second after a ROLLBACK. Django has no signal for either.

Why: the change feed's events (projects/models/events.py) are written in the writing
transaction, once per object, each describing the object as the transaction leaves it. Writing
them at commit reads each object once (a report that moves its project saves the project, a
milestone and itself, and refreshes the project's cached deadline: its events were read 3 times
over when they were written at each save) and takes their ids as late as possible.

The Django behaviour it relies on (checked on the versions pinned in tests/fast/test_versions.py):

- Leaving the outermost `atomic` block calls `connection.commit()`, which calls `_commit()`
  once `in_atomic_block` is already False and autocommit still off: queries run there are in the
  transaction, before COMMIT. A `DatabaseError` raised there makes `Atomic.__exit__` roll back
  and raise it; any other error is raised as a `DatabaseError` here for the same reason.
- `rollback()` calls `_rollback()`.
- In a test case (pytest-django's `db`), the test's own transaction never commits: its atomic
  blocks are marked `_from_testcase`, and the code's outermost block is a savepoint in it. When
  `savepoint_commit()` releases a savepoint and every block still open is the test's, the
  code's transaction would have committed there: the hooks run then, so tests see the events
  the code would commit. (`Atomic.__exit__` pops its block from `atomic_blocks` before it
  releases the savepoint.)

Tests: tests/events/ (the matrix of writes in real transactions and in test transactions, the
rolled-back and refused writes), tests/fast/test_versions.py.
"""

from collections.abc import Callable

from django.db import DatabaseError

_BEFORE_COMMIT: list[Callable[[], object]] = []
_ON_ROLLBACK: list[Callable[[], object]] = []


def before_commit(hook: Callable[[], object]) -> None:
    """Run `hook()` in every transaction just before it commits."""
    if hook not in _BEFORE_COMMIT:
        _BEFORE_COMMIT.append(hook)


def on_rollback(hook: Callable[[], object]) -> None:
    """Run `hook()` after every rollback of a whole transaction."""
    if hook not in _ON_ROLLBACK:
        _ON_ROLLBACK.append(hook)


def _run_before_commit() -> None:
    try:
        for hook in _BEFORE_COMMIT:
            hook()
    except DatabaseError:
        raise
    except Exception as exc:
        raise DatabaseError(f"before-commit hook failed: {exc!r}") from exc


class BeforeCommit:
    """Mixed into a backend's DatabaseWrapper: the hooks at commit, at rollback, and at a test's commit point."""

    def _commit(self):
        if self.connection is not None and _BEFORE_COMMIT:
            _run_before_commit()
        return super()._commit()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            for hook in _ON_ROLLBACK:
                hook()

    def savepoint_commit(self, sid):
        if self.atomic_blocks and all(getattr(block, "_from_testcase", False) for block in self.atomic_blocks):
            _run_before_commit()
        return super().savepoint_commit(sid)
