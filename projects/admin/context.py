"""The unread count in the admin's header (a template context processor, see settings.TEMPLATES)."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from projects import selectors


def unread_notifications(request) -> dict:
    """`unread_notifications` on the admin's pages, for a signed-in user: counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith(reverse("admin:index")):
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: selectors.notification_unread_count(user=user))}
