"""Writes of the change feed: retention."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min

from projects.models import Event, EventsPruned, WebhookDelivery
from projects.selectors.events import events_frontier


@transaction.atomic
def events_prune(*, now: datetime, days: int | None = None) -> int:
    """Delete the events older than `days` (EVENTS_RETENTION_DAYS) and remember how far; returns how many.

    Only a run of the oldest events goes: up to the first one still kept and, on PostgreSQL, no
    further than the feed's frontier, so an event that commits later never lands below the mark.
    """
    days = settings.EVENTS_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    marker, _ = EventsPruned.objects.select_for_update().get_or_create(pk=1)
    old = Event.objects.filter(at__lt=cutoff)
    first_kept = Event.objects.filter(at__gte=cutoff).aggregate(first=Min("id"))["first"]
    if first_kept is not None:
        old = old.filter(id__lt=first_kept)
    frontier = events_frontier()
    if frontier is not None:
        old = old.filter(id__lte=frontier)
    through = old.aggregate(last=Max("id"))["last"]
    if through is None:
        return 0
    # The attempts first (their key does not cascade): then both are one DELETE each, nothing loaded.
    WebhookDelivery.objects.filter(event_id__lte=through).delete()
    deleted, _ = Event.objects.filter(id__lte=through).delete()
    marker.through_id = max(marker.through_id, through)
    marker.at = now
    marker.save(update_fields=["through_id", "at"])
    return deleted
