"""The API's permission class: asks projects.domain.roles whether the caller's role may write at all."""

from rest_framework import permissions

from projects.domain import roles

# The policy action of each HTTP method that writes.
METHOD_ACTIONS = {"POST": roles.CREATE, "PUT": roles.UPDATE, "PATCH": roles.UPDATE, "DELETE": roles.DELETE}


class RoleWritePermission(permissions.BasePermission):
    """Reads need authentication only (and the policy's VIEW, for the few resources that restrict it); a write needs a role the policy allows on the view's `entity`.

    Which records are in the caller's scope is checked by the view once the record is known. A route
    whose write is one of several actions (a problem's moves) names them in `policy_actions`: any of
    them lets the request through to the view, which asks about the one the request does.
    """

    message = roles.ROLE_REFUSED

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return view.entity is None or roles.allowed(request.user, view.entity, roles.VIEW)
        if not hasattr(view, request.method.lower()):
            return True  # no such write on this route (status updates are append-only): the view answers 405
        actions = getattr(view, "policy_actions", None) or (METHOD_ACTIONS[request.method],)
        return view.entity is not None and roles.allowed_any(request.user, view.entity, actions)
