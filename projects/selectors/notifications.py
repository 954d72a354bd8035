"""Reads of notifications: a user's own, newest first."""

from django.db.models import QuerySet

from projects.models import Notification


def notification_list(*, user) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_unread_count(*, user) -> int:
    """How many of the user's notifications are unread (the admin's header shows it)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
