from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from projects.api import history, lead_views, reports, targets, views

router = DefaultRouter()
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("officials", views.OfficialViewSet, basename="official")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("status-updates", views.StatusUpdateViewSet, basename="status-update")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("approvals", views.ApprovalItemViewSet, basename="approval")
router.register("leads", lead_views.LeadViewSet, basename="lead")
router.register("targets", targets.TargetViewSet, basename="target")

urlpatterns = [
    path("stats/summary/", reports.StatsSummaryView.as_view(), name="stats-summary"),
    path("stats/leads/", lead_views.LeadStatsView.as_view(), name="stats-leads"),
    path("stats/targets/", targets.TargetStatsView.as_view(), name="stats-targets"),
    path("reports/weekly/", reports.WeeklyBulletinView.as_view(), name="reports-weekly"),
    # Any id segment reaches the view (like the router's routes), so a malformed id is a JSON 404.
    re_path(r"^projects/(?P<pk>[^/]+)/history/$", history.ProjectHistoryView.as_view(), name="project-history"),
    *router.urls,
]
