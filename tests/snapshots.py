"""Every row and file a write could touch, to prove that a refused write changed nothing."""

import os

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import storages
from knox.models import AuthToken


def snapshot_models() -> list:
    """Every model of the service (their history tables included: simple_history registers them in
    the same app, so a new model and its history join by themselves), and the accounts and tokens."""
    return [
        *apps.get_app_config("projects").get_models(include_auto_created=True),
        get_user_model(),
        AuthToken,
    ]


def stored_files() -> dict:
    """The files of the photo storage and of the upload folder (a refused upload leaves neither)."""
    try:
        photos = sorted(storages["photos"].listdir("")[1])
    except FileNotFoundError:
        photos = []
    uploads = sorted(os.listdir(settings.FILE_UPLOAD_TEMP_DIR)) if settings.FILE_UPLOAD_TEMP_DIR else []
    return {"photo storage": photos, "upload folder": uploads}


def snapshot() -> dict:
    """Every row of every table of `snapshot_models`, in primary-key order, and the stored files."""
    return {
        **{model._meta.label: list(model._base_manager.order_by("pk").values_list()) for model in snapshot_models()},
        **stored_files(),
    }
