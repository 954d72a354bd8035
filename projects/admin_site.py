"""The admin site at /admin/: the 重点项目办, department clerks, lead officials and readers all sign in here.

Who may see and change what is decided per model admin by the roles policy, not by Django's
per-model permission checkboxes; the site only lets in any active user with a password.
"""

from unfold.sites import UnfoldAdminSite


class PortfolioAdminSite(UnfoldAdminSite):
    site_header = "二七区重点项目管理"
    site_title = "二七区重点项目管理"
    index_title = "重点项目工作台"

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_authenticated
