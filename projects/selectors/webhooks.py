"""Reads of webhook subscriptions and their delivery log."""

from projects.models import WebhookDelivery, WebhookSubscription


def webhook_subscription_list():
    """Every subscription, oldest first (the office's list)."""
    return WebhookSubscription.objects.order_by("id")


def webhook_delivery_list(*, subscription_id: int):
    """A subscription's attempts, newest first; one query per page, no join."""
    return WebhookDelivery.objects.filter(subscription_id=subscription_id).order_by("-id")
