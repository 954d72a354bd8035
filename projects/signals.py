"""Fixture loading (`loaddata`) saves rows raw, past the services: keep the project caches right then too."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from projects.models import Milestone, Visit


@receiver(post_save, sender=Milestone)
@receiver(post_save, sender=Visit)
def refresh_project_after_raw_load(sender, instance, raw, **kwargs):
    if raw:
        from projects.services import project_refresh_cached

        project_refresh_cached(instance.project_id)
