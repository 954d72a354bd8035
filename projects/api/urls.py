from rest_framework.routers import DefaultRouter

from projects.api import views

router = DefaultRouter()
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("officials", views.OfficialViewSet, basename="official")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("status-updates", views.StatusUpdateViewSet, basename="status-update")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("approvals", views.ApprovalItemViewSet, basename="approval")

urlpatterns = router.urls
