"""The queue's tasks (huey): the three schedules at their times, each delivery, a sweep every minute, the feed's retention daily.

Everything here is thin: the schedules are in schedules.py, sending in deliveries.py. Every worker
runs the periodic checks, so with several workers a schedule may run more than once at its time;
the unique constraints make the second run write and send nothing.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from projects import services
from projects.domain.dates import default_as_of
from projects.domain.schedules import parse_at
from projects.services import Recorded
from projects.tasks.deliveries import delivery_send
from projects.tasks.schedules import SCHEDULES
from projects.tasks.webhooks import webhook_send_next, webhooks_fan_out

log = logging.getLogger(__name__)

# A delivery claimed longer ago than this was being sent by a worker that stopped: it is retried.
STALLED_AFTER = timedelta(minutes=10)


def schedule_run(name: str, as_of: date) -> Recorded:
    """Run one schedule for `as_of` and queue what it left to send: what the worker does at the schedule's time."""
    recorded = SCHEDULES[name](as_of)
    for delivery_id in recorded.pending:
        deliver(delivery_id)
    log.info("schedule %s for %s: %s new notification(s), %s new robot message(s), %s delivery(ies) queued",
             name, as_of, recorded.notifications, recorded.messages, len(recorded.pending))
    return recorded


@db_task(name="deliver")
def deliver(delivery_id: int) -> None:
    """Send one delivery. One not yet due (a retry after its backoff, a robot whose minute is full)
    stays pending with its due time, and the sweep queues it again once that time has come."""
    delivery_send(delivery_id)


@db_task(name="run_schedule")
def run_schedule(name: str, as_of: str | None = None) -> None:
    """A schedule queued by an operator (`manage.py run_schedule NAME --enqueue`)."""
    schedule_run(name, date.fromisoformat(as_of) if as_of else default_as_of())


def _at(name: str):
    """huey's test of a periodic task: whether this minute is the schedule's time in Asia/Shanghai."""
    def due(moment) -> bool:
        return parse_at(settings.SCHEDULES[name]).matches(moment)
    return due


def _prune_due(moment) -> bool:
    return parse_at(settings.EVENTS_PRUNE_AT).matches(moment)


@db_periodic_task(_at("reminders"), name="reminders_at_their_time")
def reminders_at_their_time() -> None:
    schedule_run("reminders", default_as_of())


@db_periodic_task(_at("bulletin"), name="bulletin_at_its_time")
def bulletin_at_its_time() -> None:
    schedule_run("bulletin", default_as_of())


@db_periodic_task(_at("overdue"), name="overdue_at_its_time")
def overdue_at_its_time() -> None:
    schedule_run("overdue", default_as_of())


@db_periodic_task(_prune_due, name="prune_events")
def prune_events() -> None:
    """Daily (EVENTS_PRUNE_AT): delete the change feed's events older than EVENTS_RETENTION_DAYS."""
    deleted = services.events_prune(now=timezone.now())
    log.info("events older than %s days pruned: %s", settings.EVENTS_RETENTION_DAYS, deleted)


@db_periodic_task(crontab(), name="sweep_deliveries")
def sweep_deliveries() -> None:
    """Every minute: queue the deliveries that are due (retries after their backoff, messages held for
    a robot's rate limit, anything a lost queue dropped), and retry those whose worker stopped while sending."""
    for stalled in services.deliveries_stalled(older_than=STALLED_AFTER):
        services.delivery_failed(delivery=stalled, error="发送中断（发送它的进程已停止）",
                                 delays=settings.NOTIFY_RETRY_DELAYS)
    for delivery_id in services.deliveries_due():
        deliver(delivery_id)


# --- webhooks -------------------------------------------------------------------------------------


@db_task(name="webhooks_dispatch")
def webhooks_dispatch() -> None:
    """New events were committed: turn them into attempts and start sending to each subscription that got some."""
    for subscription_id in webhooks_fan_out():
        webhook_send(subscription_id)


def _dispatch_after_commit() -> None:
    webhooks_dispatch()


def _object_written(sender, **kwargs):
    """A write of an object the feed reports queues one dispatch when its transaction commits (none if
    it rolls back): the events are appended just before that commit.

    Losing the message (a crash between commit and queue) loses nothing: the events are rows, and
    the minute's sweep fans out whatever is new.
    """
    callbacks = connection.run_on_commit
    if connection.in_atomic_block and connection.__dict__.get("_webhooks_dispatch_in") is callbacks:
        return  # queued already in this transaction: Django swaps the list when callbacks leave it
    if not any(callback is _dispatch_after_commit for _, callback, _ in callbacks):
        transaction.on_commit(_dispatch_after_commit)
    # Later writes of the transaction skip the scan (the outbox adds a callback per object written).
    connection.__dict__["_webhooks_dispatch_in"] = connection.run_on_commit


def webhooks_watch(models) -> None:
    """Listen to the writes of `models` (the feed's sources, named at start-up by projects.apps)."""
    for model in models:
        label = model._meta.label
        post_save.connect(_object_written, sender=model, dispatch_uid=f"webhooks_saved_{label}")
        post_delete.connect(_object_written, sender=model, dispatch_uid=f"webhooks_deleted_{label}")


# A subscription whose next attempt is due later is taken up by the minute's sweep (sweep_webhooks).
COME_BACK_WITHIN = 60


@db_task(name="webhook_send")
def webhook_send(subscription_id: int) -> None:
    """Send one subscription's due attempts in event order; come back when the next retry is due."""
    pumped = webhook_send_next(subscription_id)
    for delivery_id in pumped.pending_notices:
        deliver(delivery_id)
    if pumped.more:
        webhook_send(subscription_id)
    elif pumped.wait is not None and pumped.wait <= COME_BACK_WITHIN:
        # Only a retry due before the next sweep is scheduled: every write's dispatch and every
        # minute's sweep may end here, and a task scheduled for each of them would pile up.
        webhook_send.schedule((subscription_id,), delay=max(pumped.wait, 0.1))


def webhooks_sweep() -> None:
    """Fan out whatever a lost message left, and send (or fail, if their worker stopped) every subscription's open attempts."""
    webhooks_fan_out()
    for subscription_id in services.webhook_subscriptions_with_work():
        webhook_send(subscription_id)


@db_periodic_task(crontab(), name="sweep_webhooks")
def sweep_webhooks() -> None:
    """Every minute: nothing a lost queue message or a stopped worker left behind waits longer."""
    webhooks_sweep()


@on_startup(name="webhooks_on_startup")
def webhooks_on_startup() -> None:
    """A worker starting (perhaps after one was killed) picks up the attempts left open at once
    (huey logs a failure here and starts the worker all the same)."""
    webhooks_sweep()
