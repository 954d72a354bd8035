from django.urls import path, re_path
from rest_framework.routers import DefaultRouter


from projects.api.views import (
    events,
    history,
    leads,
    notifications,
    photos,
    portfolio,
    problems,
    reports,
    targets,
    todo,
    webhooks,
)

router = DefaultRouter()
router.register("departments", portfolio.DepartmentViewSet, basename="department")
router.register("officials", portfolio.OfficialViewSet, basename="official")
router.register("projects", portfolio.ProjectViewSet, basename="project")
router.register("milestones", portfolio.MilestoneViewSet, basename="milestone")
router.register("status-updates", portfolio.StatusUpdateViewSet, basename="status-update")
router.register("visits", portfolio.VisitViewSet, basename="visit")
router.register("approvals", portfolio.ApprovalItemViewSet, basename="approval")
router.register("leads", leads.LeadViewSet, basename="lead")
router.register("targets", targets.TargetViewSet, basename="target")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("problems", problems.ProblemViewSet, basename="problem")
router.register("webhooks", webhooks.WebhookViewSet, basename="webhook")

urlpatterns = [
    path("stats/summary/", reports.StatsSummaryView.as_view(), name="stats-summary"),
    path("stats/leads/", leads.LeadStatsView.as_view(), name="stats-leads"),
    path("stats/targets/", targets.TargetStatsView.as_view(), name="stats-targets"),
    path("stats/departments/", reports.DepartmentStatsView.as_view(), name="stats-departments"),
    path("stats/problems/", problems.ProblemStatsView.as_view(), name="stats-problems"),
    path("events/", events.EventFeedView.as_view(), name="events"),
    path("me/todo/", todo.TodoView.as_view(), name="me-todo"),
    path("reports/weekly/", reports.WeeklyBulletinView.as_view(), name="reports-weekly"),
    # Any id segment reaches the view (like the router's routes), so a malformed id is a JSON 404.
    re_path(r"^projects/(?P<pk>[^/]+)/history/$", history.ProjectHistoryView.as_view(), name="project-history"),
    re_path(r"^projects/(?P<pk>[^/]+)/assessments/$", problems.ProjectAssessmentsView.as_view(),
            name="project-assessments"),
    re_path(r"^projects/(?P<pk>[^/]+)/photos/$", photos.ProjectPhotosView.as_view(), name="project-photos"),
    re_path(r"^projects/(?P<pk>[^/]+)/photos/(?P<photo_id>[^/]+)/$", photos.ProjectPhotoView.as_view(),
            name="project-photo"),
    re_path(r"^projects/(?P<pk>[^/]+)/photos/(?P<photo_id>[^/]+)/file/$", photos.PhotoFileView.as_view(),
            name="project-photo-file"),
    re_path(r"^projects/(?P<pk>[^/]+)/photos/(?P<photo_id>[^/]+)/thumbnail/$",
            photos.PhotoThumbnailView.as_view(), name="project-photo-thumbnail"),
    *router.urls,
]
