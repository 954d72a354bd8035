"""Registers every page of the admin on the site.

Imported by PortfolioAdminConfig.ready() after the admin's autodiscovery has built the site: the
site's class lives in this package (projects.admin.site), so the package itself must register
nothing while Django imports it to build the site.
"""


from projects.admin import (  # noqa: F401
    leads,
    notifications,
    photos,
    problems,
    projects,
    records,
    references,
    targets,
    tokens,
    users,
    webhooks,
)
