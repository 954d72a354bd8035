"""Who may write what, and on which records: one policy table that every layer asks.

The API's permission classes and views, `Project.objects.writable_by` and the admin all decide
with the functions below; none keeps a rule of its own. Reading is open to every signed-in user.
This module imports no web framework (only Django's model registry, to name the models by label),
so any layer may import it without a cycle.

A scope is a list of matches "this field of the record equals this attribute of the caller's
profile". Paths starting with `{project}` are written from the record's project and resolved per
resource, so the same scope serves a project and every record of a project. A scope is evaluated
either as a `Q` (for querysets) or on one record, saved or not (for a single write), from the same
definition.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

from projects.domain.choices import ProblemAction, Role
from projects.domain.exceptions import Forbidden

VIEW, CREATE, UPDATE, DELETE = "view", "create", "update", "delete"
WRITE_ACTIONS = (CREATE, UPDATE, DELETE)

ROLE_REFUSED = "您的角色无权执行此写操作。"
OUT_OF_SCOPE = "该项目不在您的职责范围内（责任单位或分包领导不符）。"
NOT_OWN_VISIT = "分包领导只能记录本人的调研。"
LEAD_OUT_OF_SCOPE = "该线索不在您的职责范围内（责任单位或对接领导不符）。"
NOT_RESPONSIBLE = "该问题未交办给您的单位，不能反馈。"
NOT_COORDINATING = "您不是该问题的协调领导，不能反馈。"
# Turning a signed lead into a key project (POST /leads/{id}/project/).
CONVERT = "convert"
# Sending a webhook's event again (POST /webhooks/{id}/deliveries/{delivery_id}/redeliver/).
REDELIVER = "redeliver"
# The moves of a problem (交办, 反馈, 退回, 销号, 撤销): each is its own action on the problem.
PROBLEM_MOVE_ACTIONS = tuple(ProblemAction.values)

PROJECT = "{project}"


@dataclass(frozen=True)
class Match:
    """The record's `field` must equal the caller's profile `attribute`; `message` says why not."""

    field: str
    attribute: str
    message: str = OUT_OF_SCOPE


@dataclass(frozen=True)
class Scope:
    """The records a role may write: those where every match holds (no match: all records)."""

    name: str
    matches: tuple[Match, ...] = ()


ALL = Scope("all")
OWN_DEPARTMENT = Scope("own_department", (Match(f"{PROJECT}department_id", "department_id"),))
LED = Scope("led", (Match(f"{PROJECT}lead_official_id", "official_id"),))
OWN_VISITS = Scope("own_visits", (*LED.matches, Match("official_id", "official_id", NOT_OWN_VISIT)))
# Leads belong to no project: a department writes the leads of its department, an official
# records moves on the leads it follows (对接领导).
OWN_DEPARTMENT_LEADS = Scope("own_department_leads", (Match("department_id", "department_id", LEAD_OUT_OF_SCOPE),))
OWN_DEPARTMENT_LEAD_MOVES = Scope(
    "own_department_lead_moves", (Match("lead__department_id", "department_id", LEAD_OUT_OF_SCOPE),),
)
FOLLOWED_LEAD_MOVES = Scope("followed_lead_moves", (Match("lead__official_id", "official_id", LEAD_OUT_OF_SCOPE),))
# A problem is answered by the unit it was handed to (交办), whatever the project's department, and by
# the official coordinating it (协调领导), whether or not that official leads the project.
RESPONSIBLE_DEPARTMENT = Scope(
    "responsible_department", (Match("responsible_department_id", "department_id", NOT_RESPONSIBLE),),
)
COORDINATING = Scope("coordinating", (Match("coordinating_official_id", "official_id", NOT_COORDINATING),))


@dataclass(frozen=True)
class Resource:
    """A kind of record: its model, and the path from it to its project (None: not a project's)."""

    model: str
    project_path: str | None


# A new kind of record is one entry here and one in POLICY (and, if it needs one, a new Scope).
RESOURCES = {
    "department": Resource("projects.Department", None),
    "official": Resource("projects.Official", None),
    "project": Resource("projects.Project", ""),
    "status_update": Resource("projects.StatusUpdate", "project__"),
    "milestone": Resource("projects.Milestone", "project__"),
    "approval_item": Resource("projects.ApprovalItem", "project__"),
    "visit": Resource("projects.Visit", "project__"),
    "lead": Resource("projects.Lead", None),
    "lead_move": Resource("projects.LeadMove", None),
    "target": Resource("projects.Target", None),
    "problem": Resource("projects.Problem", "project__"),
    "assessment": Resource("projects.Assessment", "project__"),
    "photo": Resource("projects.Photo", "project__"),
    "webhook": Resource("projects.WebhookSubscription", None),
}


def _every_write(scopes: dict[str, Scope]) -> dict[str, dict[str, Scope]]:
    return {action: scopes for action in WRITE_ACTIONS}


# resource -> action -> {role: scope}; a role not listed may not do that action at all.
POLICY: dict[str, dict[str, dict[str, Scope]]] = {
    "department": _every_write({Role.ADMIN: ALL}),
    "official": _every_write({Role.ADMIN: ALL}),
    "project": _every_write({Role.ADMIN: ALL}),
    # Append-only: a report is never changed or deleted, by anyone.
    "status_update": {CREATE: {Role.ADMIN: ALL, Role.DEPARTMENT: OWN_DEPARTMENT, Role.OFFICIAL: LED}},
    "milestone": _every_write({Role.ADMIN: ALL, Role.DEPARTMENT: OWN_DEPARTMENT}),
    "approval_item": _every_write({Role.ADMIN: ALL, Role.DEPARTMENT: OWN_DEPARTMENT}),
    "visit": _every_write({Role.ADMIN: ALL, Role.DEPARTMENT: OWN_DEPARTMENT, Role.OFFICIAL: OWN_VISITS}),
    "lead": {
        **_every_write({Role.ADMIN: ALL, Role.DEPARTMENT: OWN_DEPARTMENT_LEADS}),
        CONVERT: {Role.ADMIN: ALL},
    },
    # Append-only, like status updates.
    "lead_move": {CREATE: {Role.ADMIN: ALL, Role.DEPARTMENT: OWN_DEPARTMENT_LEAD_MOVES, Role.OFFICIAL: FOLLOWED_LEAD_MOVES}},
    "target": _every_write({Role.ADMIN: ALL}),
    # Raised by whoever reports on the project; its moves are its other actions (a move is
    # append-only, recorded by problem_move_create, never edited).
    "problem": {
        CREATE: {Role.ADMIN: ALL, Role.DEPARTMENT: OWN_DEPARTMENT, Role.OFFICIAL: LED},
        UPDATE: {Role.ADMIN: ALL},
        DELETE: {Role.ADMIN: ALL},
        ProblemAction.ASSIGN: {Role.ADMIN: ALL},
        ProblemAction.ANSWER: {Role.ADMIN: ALL, Role.DEPARTMENT: RESPONSIBLE_DEPARTMENT, Role.OFFICIAL: COORDINATING},
        ProblemAction.RETURN: {Role.ADMIN: ALL},
        ProblemAction.RESOLVE: {Role.ADMIN: ALL},
        ProblemAction.CANCEL: {Role.ADMIN: ALL},
    },
    # 人工研判: the office's own judgement, append-only.
    "assessment": {CREATE: {Role.ADMIN: ALL}},
    # 形象进度照片 and 现场督导留痕: uploaded by whoever reports on or visits the project, never
    # changed; only the office deletes one.
    "photo": {CREATE: {Role.ADMIN: ALL, Role.DEPARTMENT: OWN_DEPARTMENT, Role.OFFICIAL: LED}, DELETE: {Role.ADMIN: ALL}},
    # Webhook subscriptions are the office's alone, reading included (a resource that lists VIEW
    # restricts reading; every other resource is read by every role).
    "webhook": {VIEW: {Role.ADMIN: ALL}, **_every_write({Role.ADMIN: ALL}), REDELIVER: {Role.ADMIN: ALL}},
}


def role_of(user) -> tuple[str | None, object | None]:
    """(role, profile) of a user; superusers are admins, users without a profile readers.

    Anonymous users have no role. The answer is kept on the user object for the request.
    """
    if not user or not user.is_authenticated:
        return None, None
    cached = getattr(user, "_portfolio_role", None)
    if cached is None:
        try:
            profile = user.portfolio_profile
        except ObjectDoesNotExist:
            profile = None
        role = Role.ADMIN if user.is_superuser else (profile.role if profile else Role.READER)
        cached = (role, profile)
        user._portfolio_role = cached
    return cached


def resource_of(model) -> str:
    """The resource name of a model class (the inverse of RESOURCES)."""
    label = model._meta.label
    return next(name for name, resource in RESOURCES.items() if resource.model == label)


def scope_of(user, resource: str, action: str) -> Scope | None:
    """The scope in which `user` may do `action` on `resource`; None when the role may not at all."""
    role, _ = role_of(user)
    if role is None:
        return None
    if action == VIEW and VIEW not in POLICY.get(resource, {}):
        return ALL
    return POLICY[resource].get(action, {}).get(role)


def allowed(user, resource: str, action: str) -> bool:
    """May `user` do `action` on some record of `resource` (before any record is known)?"""
    return scope_of(user, resource, action) is not None


def allowed_any(user, resource: str, actions) -> bool:
    """May `user` do at least one of `actions` on some record of `resource`?"""
    return any(allowed(user, resource, action) for action in actions)


# --- a scope as a queryset filter ---------------------------------------------------------------


def _path(field: str, project_path: str | None) -> str | None:
    if not field.startswith(PROJECT):
        return field
    return None if project_path is None else project_path + field.removeprefix(PROJECT)


def _filter(user, scope: Scope, project_path: str | None, *, project_fields_only: bool = False) -> Q:
    _, profile = role_of(user)
    condition = Q()
    for match in scope.matches:
        if project_fields_only and not match.field.startswith(PROJECT):
            continue
        wanted = getattr(profile, match.attribute, None)
        path = _path(match.field, project_path)
        if wanted is None or path is None:
            return Q(pk__in=[])
        condition &= Q(**{path: wanted})
    return condition


def scope_filter(user, resource: str, action: str) -> Q:
    """`writable_by` as a Q on the resource's own model, to combine with other filters."""
    scope = scope_of(user, resource, action)
    if scope is None:
        return Q(pk__in=[])
    return _filter(user, scope, RESOURCES[resource].project_path)


def writable_by(user, resource: str, action: str = UPDATE):
    """The records of `resource` on which `user` may do `action`, as a queryset."""
    model = apps.get_model(RESOURCES[resource].model)
    return model._default_manager.filter(scope_filter(user, resource, action))


def project_filter(user, resource: str, action: str) -> Q:
    """A Q on projects: those on which `user` may do `action` on some record of `resource`."""
    scope = scope_of(user, resource, action)
    if scope is None:
        return Q(pk__in=[])
    return _filter(user, scope, "", project_fields_only=True)


# --- a scope on one record ----------------------------------------------------------------------

_UNSTATED = object()


def _value(record, path: str):
    """The value at `path` ("a__b_id") of a model instance, or of a mapping of field values.

    In a mapping (the data of a write) a field that is absent or None is _UNSTATED: the write
    leaves it as it is, or the service fills it in (a visit's official defaults to the lead).
    """
    head, *rest = path.split("__")
    if isinstance(record, Mapping):
        if head in record:
            value = record[head]
        elif head.endswith("_id") and head.removesuffix("_id") in record:
            value = record[head.removesuffix("_id")]
            value = getattr(value, "pk", value)
        else:
            return _UNSTATED
        if value is None:
            return _UNSTATED
    else:
        value = getattr(record, head)
    for name in rest:
        value = getattr(value, name, None)
    return value


def check(user, resource: str, action: str, record=None) -> None:
    """Raise Forbidden unless `user` may do `action` on `resource` (and on `record`, if given).

    `record` is a model instance (as stored, before a change) or a mapping of the fields a write
    sets (after the change); an update is checked on both.
    """
    scope = scope_of(user, resource, action)
    if scope is None:
        raise Forbidden(ROLE_REFUSED)
    if record is None:
        return
    _, profile = role_of(user)
    project_path = RESOURCES[resource].project_path
    for match in scope.matches:
        path = _path(match.field, project_path)
        value = _UNSTATED if path is None else _value(record, path)
        if value is _UNSTATED and isinstance(record, Mapping):
            continue
        wanted = getattr(profile, match.attribute, None)
        if wanted is None or value != wanted:
            raise Forbidden(match.message)


def can(user, resource: str, action: str, record=None) -> bool:
    """`check` as a yes/no answer."""
    try:
        check(user, resource, action, record)
    except Forbidden:
        return False
    return True
