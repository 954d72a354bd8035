"""Writes of notifications, group-robot messages and their deliveries (the outbox the worker sends from).

Everything here is idempotent by a unique constraint, never by a check-then-insert: a notice
recorded twice (two workers, a restart, an operator's rerun) inserts nothing the second time,
and a delivery is claimed by one worker through a conditional UPDATE.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from projects.domain.choices import DeliveryChannel, DeliveryState
from projects.domain.messages import split_markdown
from projects.models import Delivery, Notification, Robot, RobotMessage, UserProfile
from projects.services.base import _delete_unreferenced, _save

# A robot's rate limit counts the attempts started within this window.
RATE_WINDOW = timedelta(seconds=60)


@dataclass(frozen=True)
class Notice:
    """One notification, the same for each of `user_ids`."""

    kind: str
    subject: str
    period: str
    title: str
    body: str
    link: str
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class GroupNotice:
    """One markdown message to every active robot of the departments `department_ids` or of the `roles`."""

    kind: str
    subject: str
    period: str
    title: str
    text: str
    more: str = ""  # where to read all of it, should the message be cut
    department_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass
class Recorded:
    """What one recording wrote: how many notifications and robot messages are new, and the
    deliveries waiting to be sent (new or left over from an earlier run)."""

    notifications: int = 0
    messages: int = 0
    pending: list[int] = field(default_factory=list)


@transaction.atomic
def recipients(role: str, field: str | None = None, ids=None) -> dict:
    """Active users of `role`, by the id of their `field` (department, official); all under None without a field."""
    profiles = UserProfile.objects.filter(role=role, user__is_active=True)
    if field:
        profiles = profiles.filter(**{f"{field}_id__in": ids})
    by = defaultdict(list)
    for profile in profiles.order_by("user_id"):
        by[getattr(profile, f"{field}_id") if field else None].append(profile.user_id)
    return by


def notices_record(*, notices: list[Notice], group_notices: list[GroupNotice] = ()) -> Recorded:
    """Insert the notices' notifications and the robots' messages, each with its first delivery.

    Rows that exist already are left alone (the unique constraints ignore the second insert), so
    recording the same notices again writes nothing and sends nothing again. Mail is queued for
    users with an address when EMAIL_HOST is set. Callable from a request: it only writes rows,
    and the worker sends them.
    """
    now = timezone.now()
    recorded = Recorded()
    # Only to count what this call added; whether a row is inserted is the constraint's decision.
    existed = {_key(n) for n in _notifications_of(notices)}
    Notification.objects.bulk_create([
        Notification(user_id=user_id, kind=notice.kind, subject=notice.subject, period=notice.period,
                     title=notice.title, body=notice.body, link=notice.link, created_at=now)
        for notice in notices for user_id in notice.user_ids
    ], ignore_conflicts=True)
    notifications = _notifications_of(notices)
    recorded.notifications = sum(1 for n in notifications if _key(n) not in existed)
    if settings.EMAIL_HOST:
        mailed = set(get_user_model().objects.filter(
            pk__in={n.user_id for n in notifications}, is_active=True,
        ).exclude(email="").values_list("pk", flat=True))
        Delivery.objects.bulk_create([
            Delivery(notification=n, channel=DeliveryChannel.EMAIL, attempt=1, due_at=now, created_at=now)
            for n in notifications if n.user_id in mailed
        ], ignore_conflicts=True)

    drafts = _drafts(group_notices)
    existed = {m.pk for m in _messages_of(drafts)}
    RobotMessage.objects.bulk_create([
        RobotMessage(robot=robot, kind=g.kind, subject=g.subject, period=g.period, part=part, title=g.title,
                     text=text, created_at=now)
        for robot, g, part, text in drafts
    ], ignore_conflicts=True)
    messages = _messages_of(drafts)
    recorded.messages = sum(1 for m in messages if m.pk not in existed)
    Delivery.objects.bulk_create([
        Delivery(message=m, robot_id=m.robot_id, channel=m.robot.kind, attempt=1, due_at=now, created_at=now)
        for m in messages
    ], ignore_conflicts=True)

    recorded.pending = list(
        Delivery.objects.filter(
            Q(notification__in=notifications) | Q(message__in=messages), state=DeliveryState.PENDING,
        ).order_by("due_at", "id").values_list("pk", flat=True)
    )
    return recorded


def _drafts(group_notices) -> list[tuple[Robot, GroupNotice, int, str]]:
    """(robot, notice, part, text) for every active robot each group notice reaches, cut to the robot's size."""
    if not group_notices:
        return []
    robots = list(Robot.objects.filter(is_active=True).filter(
        Q(department_id__in={d for g in group_notices for d in g.department_ids})
        | Q(role__in={r for g in group_notices for r in g.roles}),
    ))
    drafts = []
    for g in group_notices:
        for robot in robots:
            if robot.department_id in g.department_ids or robot.role in g.roles:
                for part, text in enumerate(split_markdown(g.text, robot.kind, more=g.more), 1):
                    drafts.append((robot, g, part, text))
    return drafts


def _key(notification: Notification) -> tuple:
    return notification.user_id, notification.kind, notification.subject, notification.period


def _notifications_of(notices: list[Notice]) -> list[Notification]:
    wanted = {(user_id, n.kind, n.subject, n.period) for n in notices for user_id in n.user_ids}
    if not wanted:
        return []
    rows = Notification.objects.filter(
        kind__in={n.kind for n in notices}, period__in={n.period for n in notices},
        subject__in={n.subject for n in notices}, user_id__in={u for n in notices for u in n.user_ids},
    )
    return [row for row in rows if _key(row) in wanted]


def _messages_of(drafts) -> list[RobotMessage]:
    wanted = {(robot.pk, g.kind, g.subject, g.period, part) for robot, g, part, _ in drafts}
    if not wanted:
        return []
    rows = RobotMessage.objects.select_related("robot").filter(
        robot_id__in={key[0] for key in wanted}, kind__in={key[1] for key in wanted},
        subject__in={key[2] for key in wanted}, period__in={key[3] for key in wanted},
    )
    return [row for row in rows if (row.robot_id, row.kind, row.subject, row.period, row.part) in wanted]


def notification_mark_read(*, notification: Notification, user) -> Notification:
    """Mark the user's own notification read (the first reading's time is kept)."""
    Notification.objects.filter(pk=notification.pk, user=user, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_read(*, user, ids=None) -> int:
    """Mark the user's unread notifications read (those of `ids`, else all); returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@dataclass(frozen=True)
class Claim:
    """The delivery this worker now sends, or how long to wait before asking again (None: never)."""

    delivery: Delivery | None = None
    wait: float | None = None


@transaction.atomic
def delivery_claim(*, delivery_id: int, per_minute: int, now: datetime | None = None) -> Claim:
    """Take a pending, due delivery for sending, within its robot's rate limit.

    The conditional UPDATE lets one worker win; a robot's claims are serialised by a lock on the
    robot's row, so the attempts started in the last minute are counted exactly.
    """
    now = now or timezone.now()
    delivery = (
        Delivery.objects.select_related("notification__user", "message", "robot").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.state != DeliveryState.PENDING:
        return Claim()
    if delivery.due_at > now:
        return Claim(wait=(delivery.due_at - now).total_seconds())
    if delivery.robot_id is not None:
        list(Robot.objects.select_for_update().filter(pk=delivery.robot_id).values_list("pk"))
        started = list(
            Delivery.objects.filter(robot_id=delivery.robot_id, started_at__gt=now - RATE_WINDOW)
            .order_by("started_at").values_list("started_at", flat=True)
        )
        if len(started) >= per_minute:
            # The robot's minute is full: due again when its oldest counted attempt leaves the window.
            frees_at = started[len(started) - per_minute] + RATE_WINDOW
            Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(due_at=frees_at)
            return Claim(wait=(frees_at - now).total_seconds())
    if not Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
        state=DeliveryState.SENDING, started_at=now,
    ):
        return Claim()
    delivery.state, delivery.started_at = DeliveryState.SENDING, now
    return Claim(delivery=delivery)


def delivery_sent(*, delivery: Delivery) -> Delivery:
    """The attempt went through."""
    delivery.state, delivery.sent_at, delivery.last_error = DeliveryState.SENT, timezone.now(), ""
    Delivery.objects.filter(pk=delivery.pk).update(state=delivery.state, sent_at=delivery.sent_at, last_error="")
    return delivery


@transaction.atomic
def delivery_failed(
    *, delivery: Delivery, error: str, delays: list[int], retry_after: float | None = None,
) -> Delivery | None:
    """Record the attempt's error; returns the next attempt (due after the backoff), or None once given up."""
    now = timezone.now()
    retry = delivery.attempt <= len(delays)
    delivery.state = DeliveryState.FAILED if retry else DeliveryState.GIVEN_UP
    delivery.last_error = error[:2000]
    Delivery.objects.filter(pk=delivery.pk).update(state=delivery.state, last_error=delivery.last_error)
    if not retry:
        return None
    delay = max(delays[delivery.attempt - 1], retry_after or 0)
    identity = {"notification_id": delivery.notification_id, "message_id": delivery.message_id,
                "channel": delivery.channel, "attempt": delivery.attempt + 1}
    Delivery.objects.bulk_create([
        Delivery(robot_id=delivery.robot_id, due_at=now + timedelta(seconds=delay), created_at=now, **identity),
    ], ignore_conflicts=True)
    return Delivery.objects.get(**identity)


def deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come, oldest first."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(state=DeliveryState.PENDING, due_at__lte=now)
        .order_by("due_at", "id").values_list("pk", flat=True)[:limit]
    )


def deliveries_stalled(*, older_than: timedelta, now: datetime | None = None) -> list[Delivery]:
    """Deliveries claimed so long ago that the worker sending them must have stopped."""
    now = now or timezone.now()
    return list(Delivery.objects.filter(state=DeliveryState.SENDING, started_at__lt=now - older_than))


@transaction.atomic
def robot_create(*, user=None, **fields) -> Robot:
    """A new group robot (the office's)."""
    return _save(Robot(**fields))


@transaction.atomic
def robot_update(*, robot: Robot, user=None, **fields) -> Robot:
    """Change a group robot; its messages already sent stay as they were."""
    robot = Robot.objects.select_for_update().get(pk=robot.pk)
    for name, value in fields.items():
        setattr(robot, name, value)
    return _save(robot)


@transaction.atomic
def robot_delete(*, robot: Robot, user=None) -> None:
    """Delete a group robot with its messages and their deliveries."""
    _delete_unreferenced(robot)
