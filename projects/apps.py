from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = "重点项目"

    def ready(self):
        # Signal receivers: the write channel on history rows; the cached figures under loaddata.
        from projects.models import history  # noqa: F401
        from projects.services import signals  # noqa: F401

        # The worker's Monday mail attaches the bulletin's PDF, drawn from the API's own tables; the
        # tasks layer may not import the API, so the API's function is handed to it here.
        from projects.api.views.reports import bulletin_pdf
        from projects.tasks.deliveries import bulletin_pdf_register

        bulletin_pdf_register(bulletin_pdf)

        # The outbox renders each event's object as the API's detail does; the models may not import
        # the API, so the API hands its table of object types to them here.
        from projects.api import events

        events.register()

        from projects.tasks.jobs import webhooks_watch

        webhooks_watch({detail.model for detail in events.SOURCES} | set(events.TOUCHES))


class PortfolioAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portfolio's site: every role signs in, not only staff."""

    default = False
    default_site = "projects.admin.site.PortfolioAdminSite"

    def ready(self):
        super().ready()
        from projects.admin import pages  # noqa: F401  (registers the pages on the site built above)
