from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from portfolio.docs_views import RedocView, SwaggerView
from projects.admin.dashboard import dashboard_index

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    # The index page carries the dashboard (领导驾驶舱); it answers before the admin's own index.
    path("admin/", admin.site.admin_view(dashboard_index), name="dashboard"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("projects.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]

# API clients get their 404s in JSON, also for URLs no route matches.
handler404 = "projects.api.exceptions.not_found"
