"""Change history of a project and its records, with the channel (`via`) of every write.

django-simple-history keeps one historical row per save or delete of a project, milestone,
visit, approval item and status update, with the user (from the request, by its middleware).
This module adds where the write came from.

`via` is taken from one context variable: WriteChannelMiddleware sets it for each request from
the URL it resolved to (`/api/…` api, the admin's import views import, the rest of `/admin/`
admin); outside a request — management commands (`load_seed`, `generate_portfolio`, …), the
shell, scripts — it is `command`.
"""

from contextvars import ContextVar

from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from projects.domain.choices import Via

_via: ContextVar[str] = ContextVar("portfolio_via", default=Via.COMMAND)


def current_via() -> str:
    return _via.get()


def via_of_view(request) -> str | None:
    """The channel of a request, from the view it resolved to; None for pages that are no write path."""
    match = request.resolver_match
    if match is None:
        return None
    if "admin" in match.namespaces:
        return Via.IMPORT if (match.url_name or "").endswith("import") else Via.ADMIN
    if request.path_info.startswith("/api/"):
        return Via.API
    return None


class WriteChannelMiddleware:
    """Sets the write channel for the view of each request, and restores it afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._via_token = None
        try:
            return self.get_response(request)
        finally:
            if request._via_token is not None:
                _via.reset(request._via_token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        via = via_of_view(request)
        if via is not None:
            request._via_token = _via.set(via)


class HistoricalChannel(models.Model):
    """Base of every historical model: the channel of the write."""

    via = models.CharField(
        "途径", max_length=10, choices=Via.choices, null=True, blank=True,
        help_text="写入途径；早于记录途径的历史为空",
    )

    class Meta:
        abstract = True


def _has_channel(historical) -> bool:
    return issubclass(historical, HistoricalChannel)


@receiver(pre_create_historical_record)
def _record_via(sender, history_instance, **kwargs):
    if _has_channel(sender):
        history_instance.via = current_via()


def _history_manager(model):
    """The simple-history manager of a model with history, else None."""
    attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attribute) if attribute else None


def _channel_attrs(manager) -> dict:
    return {"via": current_via()} if _has_channel(manager.model) else {}


@receiver(post_save)
def _record_raw_save(sender, instance, created, raw, **kwargs):
    """Fixture loads (`loaddata`, `load_seed`) save rows raw, which simple-history skips: record them too."""
    manager = _history_manager(sender) if raw else None
    if manager is not None:
        manager.bulk_history_create([instance], update=not created, custom_historical_attrs=_channel_attrs(manager))


def bulk_history_create(model, rows) -> None:
    """History rows for rows written with bulk_create (generate_portfolio), via the current channel."""
    manager = _history_manager(model)
    if manager is not None:
        manager.bulk_history_create(rows, batch_size=1000, custom_historical_attrs=_channel_attrs(manager))
