"""The API's permission class: asks projects.domain.roles whether the caller's role may write at all."""

from rest_framework import permissions

from projects.domain import roles

# The policy action of each HTTP method that writes.
METHOD_ACTIONS = {"POST": roles.CREATE, "PUT": roles.UPDATE, "PATCH": roles.UPDATE, "DELETE": roles.DELETE}


class RoleWritePermission(permissions.BasePermission):
    """Reads need authentication only; a write needs a role the policy allows on the view's `entity`.

    Which records are in the caller's scope is checked by the view once the record is known.
    """

    message = roles.ROLE_REFUSED

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if not hasattr(view, request.method.lower()):
            return True  # no such write on this route (status updates are append-only): the view answers 405
        return view.entity is not None and roles.allowed(request.user, view.entity, METHOD_ACTIONS[request.method])
