"""Fixture loading (`loaddata`) saves rows raw, past the services: keep the project caches right then too."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from projects.models import Milestone, Problem, Visit
from projects.services.projects import _caches_refresh


@receiver(post_save, sender=Milestone)
@receiver(post_save, sender=Problem)
@receiver(post_save, sender=Visit)
def refresh_project_after_raw_load(sender, instance, raw, **kwargs):
    if raw:
        _caches_refresh(instance.project_id)
