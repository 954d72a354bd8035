"""领导驾驶舱: the admin's index page, with the dashboard's figures (projects.reports.dashboard) above the models."""

from django.contrib import admin

from projects.admin.params import request_as_of
from projects.domain.choices import LIGHT_COLOURS
from projects.reports.dashboard import TARGET_STATE_COLOURS, chart_data, dashboard_figures


def dashboard_context(request) -> dict:
    """The index page's context: the dashboard as of `?as_of=` (default today or PORTFOLIO_AS_OF)."""
    as_of, error = request_as_of(request)
    figures = dashboard_figures(user=request.user, as_of=as_of)
    return {
        "dashboard": figures,
        "dashboard_charts": chart_data(figures),
        "as_of_error": error,
        "light_colours": LIGHT_COLOURS,
        "target_colours": TARGET_STATE_COLOURS,
    }


def dashboard_index(request):
    """/admin/: the admin's index with the dashboard above the list of models."""
    return admin.site.index(request, extra_context=dashboard_context(request))
