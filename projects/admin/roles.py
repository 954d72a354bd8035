"""The admin under the roles policy: every page asks projects.domain.roles what the signed-in user may do.

Django's per-model permission checkboxes play no part. Everyone signed in reads everything; what a
user may add, change or delete, and which projects (and officials) its choice lists offer, come
from the same POLICY table the API enforces, and the services check it again on every write.
"""

from django.contrib import admin
from django.urls import reverse

from projects.domain import roles
from projects.domain.choices import Role
from projects.models import Project

# Roles that have projects of their own: a department's clerks and the lead officials.
SCOPED_ROLES = {Role.DEPARTMENT, Role.OFFICIAL}


def role(request) -> str | None:
    return roles.role_of(request.user)[0]


def is_office(request) -> bool:
    return role(request) == Role.ADMIN


def own_projects(request):
    """The projects the user reports on: its department's (a clerk) or those it leads (an official)."""
    return Project.objects.writable_by(request.user, "status_update", roles.CREATE)


def landing_url(user) -> str | None:
    """Where a clerk or an official lands after signing in: 我的待办; the office and leaders keep the dashboard."""
    if roles.role_of(user)[0] in SCOPED_ROLES:
        return reverse("admin:todo")
    return None


class PolicyAdminMixin:
    """A ModelAdmin of a policy resource (`policy_resource`, else the model's)."""

    policy_resource: str | None = None

    def _resource(self) -> str:
        return self.policy_resource or roles.resource_of(self.model)

    def _may(self, request, action: str, obj=None) -> bool:
        return roles.can(request.user, self._resource(), action, obj)

    def has_module_permission(self, request):
        return role(request) is not None

    def has_view_permission(self, request, obj=None):
        return role(request) is not None

    def has_add_permission(self, request):
        return self._may(request, roles.CREATE)

    def has_change_permission(self, request, obj=None):
        return self._may(request, roles.UPDATE, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, roles.DELETE, obj)

    def get_autocomplete_fields(self, request):
        # An autocomplete box searches every project; the others get a list of only what they may write.
        return super().get_autocomplete_fields(request) if is_office(request) else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = scoped_choices(request, self._resource(), db_field.name, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PolicyInlineMixin(PolicyAdminMixin):
    """An inline of a policy resource on the project page: asked about that project (`obj`)."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # The theme offers no blank choice for a required field; in an inline's empty row the browser
        # would then send the first choice, the row would count as filled in and the page would not
        # save ("该字段是必填项"). A choice without a default starts blank, so an empty row stays empty.
        if "choices" not in kwargs and not db_field.has_default():
            kwargs["choices"] = db_field.get_choices(include_blank=True, blank_choice=[("", "—")])
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def _on_project(self, request, action: str, project) -> bool:
        record = None if project is None else {"project": project}
        return roles.can(request.user, self._resource(), action, record)

    def has_add_permission(self, request, obj=None):
        return self._on_project(request, roles.CREATE, obj)

    def has_change_permission(self, request, obj=None):
        return self._on_project(request, roles.UPDATE, obj)

    def has_delete_permission(self, request, obj=None):
        return self._on_project(request, roles.DELETE, obj)


def scoped_choices(request, resource: str, field: str, model=None):
    """The choices of foreign key `field` on a form of `resource`: only what the user may write with.

    Read off the policy's scope for creating the resource: a project picker offers the projects in
    scope; a match on `<field>_id` (an official's own visits) or on `<field>__…` (a lead's
    department) narrows the related records the same way.
    """
    if field == "project" and roles.RESOURCES[resource].project_path == "project__":
        return Project.objects.writable_by(request.user, resource, roles.CREATE)
    if model is None:
        return None
    scope = roles.scope_of(request.user, resource, roles.CREATE)
    if scope is None:
        # A role that may not write the resource is offered nothing, as a project picker is.
        return model._default_manager.none()
    _, profile = roles.role_of(request.user)
    conditions = {}
    for match in scope.matches:
        if match.field == f"{field}_id":
            conditions["pk"] = getattr(profile, match.attribute, None)
        elif match.field.startswith(f"{field}__"):
            conditions[match.field.removeprefix(f"{field}__")] = getattr(profile, match.attribute, None)
    if not conditions:
        return None
    if any(value is None for value in conditions.values()):
        return model._default_manager.none()
    return model._default_manager.filter(**conditions)


class OfficeOnlyMixin:
    """Pages of the office alone (users, roles, tokens, groups): other roles neither see nor change them."""

    def has_module_permission(self, request):
        return is_office(request)

    def has_view_permission(self, request, obj=None):
        return is_office(request)

    def has_add_permission(self, request, *args):
        return is_office(request)

    def has_change_permission(self, request, obj=None):
        return is_office(request)

    def has_delete_permission(self, request, obj=None):
        return is_office(request)


class MyProjectsFilter(admin.SimpleListFilter):
    """范围: a clerk or an official sees its own projects first, and may switch to all of them."""

    title = "范围"
    parameter_name = "scope"
    MINE, ALL = "mine", "all"

    def lookups(self, request, model_admin):
        if role(request) in SCOPED_ROLES:
            return [(self.MINE, "我的项目"), (self.ALL, "全部项目")]
        return []

    def value(self):
        value = super().value()
        if value in (self.MINE, self.ALL):
            return value
        return self.MINE if self.lookup_choices else None

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.MINE:
            return queryset.filter(roles.project_filter(request.user, "status_update", roles.CREATE))
        return queryset
