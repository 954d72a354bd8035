"""Who may write what: the role table of the contract, and each role's project scope."""

from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied

from projects.choices import Role

# Roles that may write through each kind of endpoint; the project scope is checked as well.
WRITE_ROLES = {
    "reference": {Role.ADMIN},  # departments, officials
    "project": {Role.ADMIN},
    "status_update": {Role.ADMIN, Role.DEPARTMENT, Role.OFFICIAL},
    "milestone": {Role.ADMIN, Role.DEPARTMENT},
    "approval": {Role.ADMIN, Role.DEPARTMENT},
    "visit": {Role.ADMIN, Role.DEPARTMENT, Role.OFFICIAL},
}


def role_of(user) -> tuple[str | None, object | None]:
    """(role, profile) of a user; superusers are admins, users without a profile readers."""
    if not user or not user.is_authenticated:
        return None, None
    cached = getattr(user, "_portfolio_role", None)
    if cached is None:
        from projects.models import UserProfile

        profile = UserProfile.objects.filter(user=user).first()
        role = Role.ADMIN if user.is_superuser else (profile.role if profile else Role.READER)
        cached = (role, profile)
        user._portfolio_role = cached
    return cached


class RoleWritePermission(permissions.BasePermission):
    """Reads need authentication only; writes need a role listed for the view's `write_scope`."""

    message = "您的角色无权执行此写操作。"

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if not hasattr(view, request.method.lower()):
            return True  # no such write on this route (status updates are append-only): the view answers 405
        role, _ = role_of(request.user)
        return role in WRITE_ROLES[view.get_write_scope()]


def check_project_writable(user, project) -> None:
    """403 unless `project` is in the caller's write scope."""
    from projects.models import Project

    if not Project.objects.writable_by(user).filter(pk=project.pk).exists():
        raise PermissionDenied("该项目不在您的职责范围内（责任单位或分包领导不符）。")
