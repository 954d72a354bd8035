"""Reads of the change feed: the events a client may be shown, never one whose lower neighbour may still commit.

Event ids are taken from a sequence before the writing transaction commits, and transactions
commit in any order: when 105 is committed, 104 may still be in flight (and commit later) or be
rolled back. A feed that showed 105 would let a client store 105 as read and skip 104 for ever.
So the feed lists events only up to its *frontier*: below every id that a transaction still in
flight may hold.

On PostgreSQL every transaction that appends events first *claims* the position of the sequence
it starts from, as a shared transaction-level advisory lock whose key carries that position
(`projects.models.events.events_claim`): the claim is visible to every session in `pg_locks`
until the transaction ends, however it ends, and claims never wait on each other. The frontier
is read in one statement, the sequence first and the claims after (see `_PG_FRONTIER`):

    frontier = min(last id given out by the sequence, lowest claim still held)

(a claim is the sequence's last id when the transaction claimed, so its own ids are above it)

and then, in a later statement (a newer snapshot), the events up to it. Every id up to the
frontier was given out before the claims were read, by a transaction that claimed it before
taking it; such a transaction was either finished when the claims were read (so its events are in
the newer snapshot, or rolled back) or still held its claim, and then the frontier is below its
ids. Writers pay one statement per transaction and never wait for each other or for a reader.

On SQLite writers are serialised (every transaction begins IMMEDIATE, holding the write lock
until it ends), so ids are given out in commit order and every committed event is listed.
"""

from django.db import connection
from django.db.models import QuerySet

from projects.models import Event, EventsPruned
from projects.models.events import CLAIM_BASE, CLAIM_CLASS_BASE

# The sequence is read in a sub-select that the claims' correlated sub-select depends on, so it
# is read first; the claims of this session (a reader inside a writing transaction) are its own.
_PG_FRONTIER = f"""
SELECT LEAST(
    sequence.last_id,
    (SELECT MIN(((locks.classid::bigint - {CLAIM_CLASS_BASE}) << 32) | locks.objid::bigint)
       FROM pg_locks AS locks
      WHERE sequence.last_id IS NOT NULL
        AND locks.locktype = 'advisory' AND locks.objsubid = 1
        AND locks.classid::bigint >= {CLAIM_CLASS_BASE}
        AND locks.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND locks.pid <> pg_backend_pid())
)
FROM (
    SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass), 0) AS last_id
    OFFSET 0
) AS sequence
"""


def events_frontier() -> int | None:
    """The highest event id below which no transaction still in flight holds an id (None: no bound)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_PG_FRONTIER, [Event._meta.db_table])
        return cursor.fetchone()[0]


def events_visible(after: int) -> QuerySet[Event]:
    """The events with id > `after` that a client may be shown now, in id order: none whose lower ids may still commit."""
    events = Event.objects.filter(id__gt=after).order_by("id")
    frontier = events_frontier()
    if frontier is not None:
        events = events.filter(id__lte=frontier)
    return events


def events_pruned_through() -> int:
    """The highest event id retention has deleted (0: none): a client that read less has missed events."""
    return EventsPruned.objects.filter(pk=1).values_list("through_id", flat=True).first() or 0
