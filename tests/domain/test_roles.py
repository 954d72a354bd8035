"""The policy table of projects.domain.roles: each scope answers alike as a queryset and on one record,
and the modules of the service import one another without a cycle."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from projects.domain import roles
from projects.models import Milestone, Project
from tests.factories import MilestoneFactory, VisitFactory

PACKAGE = Path(roles.__file__).parent


@pytest.fixture
def users(admin_client, department_client, official_client, reader_client, anon_client):
    return {
        "admin": admin_client.user, "department": department_client.user, "official": official_client.user,
        "reader": reader_client.user,
    }


@pytest.fixture
def records(project_a, project_b, official_a, official_b):
    """Records of each resource by name: on project A (department A, led by official A) or on B."""
    return {
        "milestone": {"a": MilestoneFactory(project=project_a), "b": MilestoneFactory(project=project_b)},
        "visit": {
            "a": VisitFactory(project=project_a, official=official_a),
            "a_by_other": VisitFactory(project=project_a, official=official_b),
            "b": VisitFactory(project=project_b, official=official_b),
        },
        "project": {"a": project_a, "b": project_b},
    }


@pytest.mark.parametrize("resource", ["project", "milestone", "visit"])
@pytest.mark.parametrize("role", ["admin", "department", "official", "reader"])
@pytest.mark.parametrize("action", roles.WRITE_ACTIONS)
def test_a_scope_answers_alike_as_a_queryset_and_on_each_record(users, records, role, resource, action):
    user = users[role]
    in_queryset = set(roles.writable_by(user, resource, action).values_list("pk", flat=True))
    one_by_one = {record.pk for record in records[resource].values() if roles.can(user, resource, action, record)}
    assert in_queryset == one_by_one


@pytest.mark.parametrize(("role", "resource", "writable"), [
    ("admin", "milestone", {"a", "b"}),
    ("department", "milestone", {"a"}),
    ("official", "milestone", set()),
    ("reader", "milestone", set()),
    ("admin", "project", {"a", "b"}),
    ("department", "project", set()),
    ("official", "visit", {"a"}),  # own visits on led projects only
    ("department", "visit", {"a", "a_by_other"}),
    ("reader", "visit", set()),
])
def test_who_may_update_what(users, records, role, resource, writable):
    names = {record.pk: name for name, record in records[resource].items()}
    assert {names[pk] for pk in roles.writable_by(users[role], resource).values_list("pk", flat=True)} == writable


def test_status_updates_are_append_only_for_every_role(users):
    for user in users.values():
        assert not roles.allowed(user, "status_update", roles.UPDATE)
        assert not roles.allowed(user, "status_update", roles.DELETE)


def test_view_is_everyone_signed_in(users):
    assert all(roles.allowed(user, "project", roles.VIEW) for user in users.values())
    assert not roles.allowed(AnonymousUser(), "project", roles.VIEW)


def test_the_data_of_a_write_is_checked_with_the_record(users, records, project_a, project_b, official_b):
    """A write's fields: an official may not move a visit off a led project or name another official."""
    official = users["official"]
    assert roles.can(official, "visit", roles.CREATE, {"project": project_a})  # official defaults to the lead
    assert not roles.can(official, "visit", roles.CREATE, {"project": project_b})
    with pytest.raises(roles.Forbidden, match="本人的调研"):
        roles.check(official, "visit", roles.CREATE, {"project": project_a, "official": official_b})
    with pytest.raises(roles.Forbidden, match="职责范围"):
        roles.check(official, "visit", roles.UPDATE, {"project": project_b})
    assert roles.can(official, "visit", roles.UPDATE, {"note": "改"})  # nothing that moves it


def test_projects_writable_by_names_the_projects_of_a_resource(users, project_a, project_b):
    """Project.objects.writable_by: projects whose records of a resource the user may write."""
    official = users["official"]
    assert list(Project.objects.writable_by(official)) == [project_a]  # status updates
    assert list(Project.objects.writable_by(official, "visit", roles.CREATE)) == [project_a]
    assert not Project.objects.writable_by(official, "milestone", roles.CREATE).exists()
    assert set(Project.objects.writable_by(users["admin"], "milestone")) == {project_a, project_b}


def test_every_resource_names_a_model_and_back():
    for name, resource in roles.RESOURCES.items():
        assert roles.resource_of(apps.get_model(resource.model)) == name
    assert roles.resource_of(Milestone) == "milestone"
    assert set(roles.POLICY) == set(roles.RESOURCES)


# --- imports --------------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    """The projects.* modules a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("projects"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("projects"))
    return found


def _module_graph() -> dict[str, set[str]]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return {name: _imports(path) & set(modules) - {name} for name, path in modules.items()}


def test_no_module_imports_one_that_imports_it_back():
    graph = _module_graph()
    cycles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(" -> ".join([*trail, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    assert cycles == [], cycles


def test_the_policy_imports_no_web_framework():
    source = (PACKAGE / "roles.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if name and name.startswith(("rest_framework", "django.contrib.admin"))}
    assert "projects.models" not in imported
