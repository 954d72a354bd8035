"""The admin site at /admin/: the 重点项目办, department clerks, lead officials and readers all sign in here.

Who may see and change what is decided per model admin by the roles policy, not by Django's
per-model permission checkboxes; the site only lets in any active user with a password.
"""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.forms import AuthenticationForm as PlainAuthenticationForm
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from unfold.forms import AuthenticationForm
from unfold.sites import UnfoldAdminSite

from projects.admin.roles import landing_url
from projects.admin.todo import todo_page


class PortfolioLoginForm(AuthenticationForm):
    """The admin's sign-in form without its staff-only rule: every active user with a password may sign in."""

    def confirm_login_allowed(self, user):
        PlainAuthenticationForm.confirm_login_allowed(self, user)  # refuses inactive users only


class PortfolioAdminSite(UnfoldAdminSite):
    site_header = "二七区重点项目管理"
    site_title = "二七区重点项目管理"
    index_title = "重点项目工作台"
    login_form = PortfolioLoginForm

    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_authenticated

    def login(self, request, extra_context=None):
        """A clerk or an official signing in without a page to return to lands on 我的待办."""
        response = super().login(request, extra_context)
        asked = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if request.method == "POST" and response.status_code == 302 and asked in (None, "", reverse("admin:index")):
            landing = landing_url(request.user)
            if landing:
                return HttpResponseRedirect(landing)
        return response

    def get_urls(self):
        """The site's pages, and 我的待办 (/admin/todo/)."""
        todo = path("todo/", self.admin_view(lambda request: todo_page(request, self)), name="todo")
        return [todo, *super().get_urls()]
