"""The change feed's outbox: one `Event` row per object written, in the writing transaction.

A model's save or delete notes its object; just before the transaction commits
(projects/fast/commit.py) each noted object is read once, as the API's detail reads it, and the
events are inserted together. See docs/architecture.md, "The change feed".

Other systems keep their copy in step by reading the events in id order (`/api/v1/events/`) and
by webhooks. An event names its object by type and id and carries the object's read
representation (as the API's detail returns it) at the time of the write; a deletion carries
`{"id"}` and still names its project. The project and the user are plain values, not foreign
keys: an event outlives both, and must read the same after a rename or a deletion.

`EventsPruned` remembers how far retention has deleted the feed, so that the feed can tell a
client that resumes from an older id to copy the data again rather than let it skip events.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.domain.choices import EventAction, Via
from projects.fast.commit import before_commit, on_rollback
from projects.models.base import _choices_check
from projects.models.history import current_via

# A claim on PostgreSQL (projects/selectors/events.py) is a shared advisory lock on CLAIM_BASE + the
# sequence's last id: its high half (pg_locks.classid) starts at CLAIM_CLASS_BASE, far above the
# small keys other advisory locks use, so the feed reads only claims.
CLAIM_CLASS_BASE = 1 << 30
CLAIM_BASE = CLAIM_CLASS_BASE << 32


class Event(models.Model):
    """One write of one object: created, changed or deleted."""

    id = models.BigAutoField(primary_key=True)
    type = models.CharField("事件类型", max_length=40)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    object_type = models.CharField("对象类型", max_length=30)
    object_id = models.BigIntegerField("对象 ID")
    project_id = models.BigIntegerField("项目 ID", null=True, blank=True)
    user_id = models.BigIntegerField("用户 ID", null=True, blank=True)
    username = models.CharField("用户名", max_length=150, blank=True)
    via = models.CharField("途径", max_length=10, choices=Via.choices)
    data = models.JSONField("内容", default=dict)

    class Meta:
        verbose_name = "变更事件"
        verbose_name_plural = "变更事件"
        ordering = ["id"]
        constraints = [
            _choices_check("via", Via.values, "event_via_valid"),
            models.CheckConstraint(
                condition=Q(type__endswith=".created") | Q(type__endswith=".changed") | Q(type__endswith=".deleted"),
                name="event_type_has_action",
            ),
        ]
        indexes = [
            # The feed's filters walk these in id order.
            models.Index(fields=["type", "id"], name="event_type_id"),
            models.Index(fields=["project_id", "id"], name="event_project_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.type} {self.object_id}"

    @property
    def user(self) -> dict | None:
        """`{id, username}` of who wrote it, as they were named then; None for writes with no user."""
        return _user(self.user_id, self.username)

    def representation(self) -> dict:
        """The event as the feed lists it and a webhook sends it."""
        return event_representation(*(getattr(self, column) for column in FEED_COLUMNS))


# The columns of an event in the order event_representation() takes them (the feed reads them as values).
FEED_COLUMNS = ("id", "type", "at", "object_type", "object_id", "project_id", "user_id", "username", "via", "data")


def event_representation(pk, kind, at, object_type, object_id, project_id, user_id, username, via, data) -> dict:
    """One event as `GET /api/v1/events/` lists it and a webhook's body carries it: the one writer of
    both (EventSerializer describes it in the schema; tests/events/test_feed.py holds them equal).
    A plain function, not a serializer per row: a page of 500 events is most of what the feed does."""
    return {
        "id": pk, "type": kind, "at": timezone.localtime(at).isoformat(), "object_type": object_type,
        "object_id": object_id, "project": project_id, "user": _user(user_id, username), "via": via, "data": data,
    }


def _user(user_id: int | None, username: str) -> dict | None:
    return {"id": user_id, "username": username} if user_id is not None or username else None


class EventsPruned(models.Model):
    """How far retention has deleted the feed: one row, the highest event id pruned and when."""

    through_id = models.BigIntegerField("已清理至事件 ID", default=0)
    at = models.DateTimeField("清理时间", null=True, blank=True)

    class Meta:
        verbose_name = "事件清理记录"
        verbose_name_plural = "事件清理记录"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="events_pruned_single_row")]

    def __str__(self) -> str:
        return f"≤ #{self.through_id}"


# --- The outbox's writer ----------------------------------------------------------------------

# The object's read representation, as plain JSON values: what the API's detail answers for it now
# (given its id, and the instance just saved where there is one).
Render = Callable[[int, models.Model | None], dict]


@dataclass(frozen=True)
class Source:
    """A model whose writes the feed reports: its object type, how it names its project, how it reads."""

    object_type: str
    project_of: Callable[[models.Model], int | None]
    render: Render


@dataclass(frozen=True)
class Touch:
    """A model whose writes change another object's detail (a milestone listed in its project's):
    each write appends that object's `changed` event too. `target` gives its (object type, id, project id)."""

    target: Callable[[models.Model], tuple[str, int | None, int | None]]


# Filled at start-up by the API (projects/api/events.py), the layer that knows each object's read
# representation: the models may not import it.
_SOURCES: dict[type[models.Model], Source] = {}
_BY_TYPE: dict[str, Source] = {}
_TOUCHES: dict[type[models.Model], list[Touch]] = {}
# A row whose deletion empties other rows' field (SET_NULL, an UPDATE that sends no signal): the
# (object type, id, project id) of each such row, read before the delete while they still point at it.
Clears = Callable[[models.Model], list[tuple[str, int, int | None]]]
_CLEARS: dict[type[models.Model], Clears] = {}


def events_sources_register(
    sources: dict[type[models.Model], Source], touches: dict[type[models.Model], list[Touch]],
    clears: dict[type[models.Model], Clears] | None = None,
) -> None:
    """Name the models whose writes append events, and those that change another's detail (once, from AppConfig.ready).

    The receivers listen to these models only: a model no receiver listens to is still deleted in
    bulk without its rows being read (the feed's own retention deletes that way).
    """
    _SOURCES.clear()
    _SOURCES.update(sources)
    _BY_TYPE.clear()
    _BY_TYPE.update({source.object_type: source for source in sources.values()})
    _TOUCHES.clear()
    _TOUCHES.update(touches)
    _CLEARS.clear()
    _CLEARS.update(clears or {})
    for model in {*sources, *touches}:
        post_save.connect(_saved, sender=model, dispatch_uid=f"events_saved_{model._meta.label}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"events_deleted_{model._meta.label}")
    for model in _CLEARS:
        pre_delete.connect(_clearing, sender=model, dispatch_uid=f"events_clearing_{model._meta.label}")


class _StillOpen:
    """A no-op on-commit callback: while it is in the connection's list, the savepoint (or the
    transaction) it was registered in has neither committed nor rolled back."""

    def __call__(self):
        pass


@dataclass
class _Pending:
    """The event of one object in the open transaction: appended when the transaction commits."""

    source: Source
    object_id: int
    action: str  # of the latest note; the commit decides by whether the object is still there
    first_action: str  # of the first note: was the object created in this transaction?
    project_id: int | None
    instance: models.Model | None
    user_id: int | None
    username: str
    via: str
    open: _StillOpen | None


@dataclass
class _Transaction:
    """What the outbox holds for the connection's open transaction."""

    callbacks: list | None = None
    pending: dict[tuple[str, int], _Pending] = field(default_factory=dict)


def _transaction() -> _Transaction:
    """The outbox's state for the connection, without what a rollback (of a savepoint or of all) undid.

    Django replaces `run_on_commit` by a new list whenever callbacks leave it (commit, rollback, a
    savepoint rolled back), and only appends to it otherwise: while the list is the same object
    nothing was undone, and the entries are checked only when it changed.
    """
    state = connection.__dict__.setdefault("_events_transaction", _Transaction())
    callbacks = connection.run_on_commit
    if state.callbacks is not callbacks:
        still_open = {id(callback) for _, callback, _ in callbacks}
        state.pending = {
            key: entry for key, entry in state.pending.items() if entry.open is None or id(entry.open) in still_open
        }
        state.callbacks = callbacks
    return state


def _in_a_write_transaction() -> bool:
    """Whether a transaction of the code is open (a test's own outer transaction does not count)."""
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _author() -> tuple[int | None, str]:
    """The signed-in user of the request being served (API, admin, import), as simple-history sees it."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None, ""
    return user.pk, user.get_username()


def events_record(
    source: Source, object_id: int, action: str, *, project_id: int | None, instance: models.Model | None = None,
) -> None:
    """Note the write of one object; its event is appended when the transaction commits (events_flush).

    One event per object and transaction, whatever the number of writes: created stays created,
    changed then deleted is deleted, created then deleted leaves none; the data is read once, as
    the object is when the transaction commits. A deletion is checked at the commit (a savepoint
    that rolled it back leaves the object there, created or changed).
    """
    state = _transaction()
    key = (source.object_type, object_id)
    pending = state.pending.get(key)
    if pending is None:
        user_id, username = _author()
        marker = None
        if connection.in_atomic_block:
            marker = _StillOpen()
            transaction.on_commit(marker)
        state.pending[key] = _Pending(source, object_id, action, action, project_id, instance, user_id, username,
                                      current_via(), marker)
    else:
        if action == EventAction.DELETED:
            pending.action = action
        pending.instance = instance or pending.instance
        pending.project_id = project_id if project_id is not None else pending.project_id
    if not _in_a_write_transaction():
        # A save outside any transaction (autocommit): its event is its own transaction, at once.
        with transaction.atomic(savepoint=False):
            events_flush()


def _claim() -> None:
    """On PostgreSQL, before the transaction takes event ids: hold a shared advisory lock on CLAIM_BASE +
    the sequence's last id until the transaction ends (see projects/selectors/events.py)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%s + COALESCE("
            "pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass), 0))",
            [CLAIM_BASE, Event._meta.db_table],
        )


def events_flush() -> list[Event]:
    """Append the events noted in the open transaction, now, in it: read each object once, take the ids.

    Called just before the transaction commits (projects/fast/commit.py), so every event's data is
    the object as the transaction leaves it, and ids are taken as late as they can be.
    """
    state = _transaction()
    entries = list(state.pending.values())
    state.pending.clear()
    rows = []
    now = timezone.now()
    for entry in entries:
        action = entry.action
        try:
            # A deleted object is looked for in the database (its delete may have been rolled back
            # with a savepoint), the others read as the API reads them.
            data = entry.source.render(entry.object_id, None if action == EventAction.DELETED else entry.instance)
            if action == EventAction.DELETED:
                action = EventAction.CREATED if entry.first_action == EventAction.CREATED else EventAction.CHANGED
        except ObjectDoesNotExist:
            if action != EventAction.DELETED or entry.first_action == EventAction.CREATED:
                continue  # created and deleted, or gone by a path that sent no signal: nothing to describe
            data = {"id": entry.object_id}
        rows.append(Event(
            type=f"{entry.source.object_type}.{action}", at=now, object_type=entry.source.object_type,
            object_id=entry.object_id, project_id=entry.project_id, user_id=entry.user_id,
            username=entry.username, via=entry.via, data=data,
        ))
    if rows:
        _claim()
        Event.objects.bulk_create(rows)
    return rows


def events_forget() -> None:
    """Drop what the open transaction noted (it rolled back)."""
    state = connection.__dict__.get("_events_transaction")
    if state is not None:
        state.pending.clear()


def events_record_changed(object_type: str, object_id: int | None, *, project_id: int | None) -> None:
    """Note a `changed` object written without save() (a queryset's update: a project's cached figures) or
    whose detail another row's write changed; one gone by the commit has no event."""
    if object_id:
        events_record(_BY_TYPE[object_type], object_id, EventAction.CHANGED, project_id=project_id)


def _touched(sender, instance) -> None:
    for touch in _TOUCHES.get(sender, ()):
        object_type, object_id, project_id = touch.target(instance)
        events_record_changed(object_type, object_id, project_id=project_id)


def _saved(sender, instance, created, **kwargs):
    source = _SOURCES.get(sender)
    if source is not None:
        events_record(source, instance.pk, EventAction.CREATED if created else EventAction.CHANGED,
                      project_id=source.project_of(instance), instance=instance)
    _touched(sender, instance)


def _clearing(sender, instance, **kwargs):
    for object_type, object_id, project_id in _CLEARS[sender](instance):
        events_record_changed(object_type, object_id, project_id=project_id)


def _deleted(sender, instance, **kwargs):
    source = _SOURCES.get(sender)
    if source is not None:
        events_record(source, instance.pk, EventAction.DELETED, project_id=source.project_of(instance))
    _touched(sender, instance)


before_commit(events_flush)
on_rollback(events_forget)
