"""No client falls through the feed: an event is listed only once every lower id has committed or rolled back.

One transaction takes an event id and stays open; another takes a higher id and commits. On
PostgreSQL both run at once: the feed (the selector and the endpoint) must not list the higher id
until the lower one commits (then both, in order) or rolls back (then the higher one alone). On
SQLite every transaction begins IMMEDIATE, holding the database's write lock: the second writer
waits until the first ends, so it takes its id after the first commits and the same assertions
hold with nothing withheld.
"""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from projects.models import Event
from projects.models.events import events_flush
from projects.selectors.events import events_visible
from tests.factories import DepartmentFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 30  # seconds a step may take before the test gives up (a hang is a failure, not a figure)


class Writer(threading.Thread):
    """Writes one project in a transaction held open (if `hold`) until told to commit or roll back."""

    def __init__(self, code, department, *, hold=False):
        super().__init__(daemon=True)
        self.code, self.department, self.hold = code, department, hold
        self.event_id = None
        self.written = threading.Event()
        self.finish = threading.Event()
        self.rollback = False
        self.error = None

    def run(self):
        # The in-memory SQLite of the tests shares one cache between connections, where a locked
        # table is refused at once rather than waited for (the file database of a deployment waits
        # up to its busy timeout): retry as the busy timeout would.
        deadline = time.monotonic() + WAIT
        while True:
            try:
                self._write()
                return
            except OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    self.error = exc
                    self.written.set()
                    return
                time.sleep(0.02)
            finally:
                connections.close_all()

    def _write(self):
        try:
            with transaction.atomic():
                ProjectFactory(code=self.code, department=self.department, lead_official=None)
                # Append the events now rather than at COMMIT, so that the transaction holds its id
                # while it stays open (a commit that is slow to return does the same for an instant).
                events_flush()
                self.event_id = Event.objects.get(data__code=self.code).pk
                self.written.set()
                if self.hold:
                    assert self.finish.wait(WAIT)
                    if self.rollback:
                        raise _RolledBack
        except _RolledBack:
            pass
        except OperationalError:
            raise
        except Exception as exc:  # reported by the test
            self.error = exc
            self.written.set()


class _RolledBack(Exception):
    pass


def _visible_ids(after=0):
    return list(events_visible(after).values_list("id", flat=True))


def _feed_ids(client, after=0):
    return [event["id"] for event in client.get("/api/v1/events/", {"after": after}).json()["results"]]


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_a_higher_id_waits_for_a_lower_one_still_in_flight(admin_client, ending):
    department = DepartmentFactory(code="base")
    before = Event.objects.count()
    slow = Writer("slow", department, hold=True)
    slow.start()
    assert slow.written.wait(WAIT) and slow.error is None

    fast = Writer("fast", department)
    fast.start()
    fast_written = fast.written.wait(2 if connection.vendor == "sqlite" else WAIT)
    if connection.vendor == "postgresql":
        fast.join(WAIT)
        assert fast.error is None
        slow_id, fast_id = slow.event_id, fast.event_id
        assert slow_id < fast_id
        assert Event.objects.filter(pk=fast_id).exists() and not Event.objects.filter(pk=slow_id).exists()
        # The committed higher id is withheld while the lower one may still commit.
        assert fast_id not in _visible_ids()
        assert fast_id not in _feed_ids(admin_client)
    else:
        # SQLite: the second writer cannot even begin while the first holds the write lock.
        assert not fast_written
    slow.rollback = ending == "rollback"
    slow.finish.set()
    slow.join(WAIT)
    fast.join(WAIT)
    assert slow.error is None and fast.error is None
    events = list(Event.objects.order_by("id").values_list("id", "data__code")[before:])
    codes = [code for _, code in events]
    ids = [pk for pk, _ in events]
    if ending == "commit":
        assert codes == ["slow", "fast"]
    else:
        assert codes == ["fast"]
    assert _visible_ids()[-len(ids):] == ids
    assert _feed_ids(admin_client)[-len(ids):] == ids
