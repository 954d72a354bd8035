from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = "重点项目"

    def ready(self):
        from projects import history, signals  # noqa: F401  (write channel on history rows; caches under loaddata)


class PortfolioAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portfolio's site: every role signs in, not only staff."""

    default = False
    default_site = "projects.admin_site.PortfolioAdminSite"
