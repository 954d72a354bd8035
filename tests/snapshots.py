"""Every row a write could touch, to prove that a refused write changed nothing."""

from django.apps import apps
from django.contrib.auth import get_user_model
from knox.models import AuthToken


def snapshot_models() -> list:
    """Every model of the service (their history tables included: simple_history registers them in
    the same app, so a new model and its history join by themselves), and the accounts and tokens."""
    return [
        *apps.get_app_config("projects").get_models(include_auto_created=True),
        get_user_model(),
        AuthToken,
    ]


def snapshot() -> dict:
    """Every row of every table of `snapshot_models`, in primary-key order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in snapshot_models()
    }
