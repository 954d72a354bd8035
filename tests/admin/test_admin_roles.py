"""Every role in the admin, scoped by projects.domain.roles: what each may see, pick and change.

A write outside the role's scope is refused (403, or the form refuses the choice) and changes
nothing; a test per role and per writable model proves it. Allowed writes go through the services.
"""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from projects.domain.choices import Role
from projects.models import (
    ApprovalItem,
    Department,
    Lead,
    LeadMove,
    Milestone,
    Official,
    Project,
    StatusUpdate,
    Visit,
)
from tests.conftest import AS_OF
from tests.admin.clients import signed_in
from tests.factories import (
    ApprovalItemFactory,
    LeadFactory,
    MilestoneFactory,
    UserFactory,
    UserProfileFactory,
    VisitFactory,
)
from tests.snapshots import snapshot



@pytest.fixture(autouse=True)
def pinned_as_of(settings):
    settings.PORTFOLIO_AS_OF = AS_OF


@pytest.fixture
def clerk(dept_a):
    return signed_in(Role.DEPARTMENT, department=dept_a)


@pytest.fixture
def official(official_a):
    return signed_in(Role.OFFICIAL, official=official_a)


@pytest.fixture
def reader(db):
    return signed_in(Role.READER)


@pytest.fixture
def records(project_a, project_b):
    """One record of each kind on each project."""
    return {
        project: {
            Milestone: MilestoneFactory(project=project, due_date=date(2023, 6, 30)),
            Visit: VisitFactory(project=project),
            ApprovalItem: ApprovalItemFactory(project=project, department=project.department),
        }
        for project in (project_a, project_b)
    }


def state() -> dict:
    """Every row of every table (history, accounts and tokens included): equal before and after a refused write."""
    return snapshot()


def url(model, action: str, *args) -> str:
    return reverse(f"admin:projects_{model._meta.model_name}_{action}", args=args)


# The report and visit forms carry rows to raise problems: none filled.
NO_PROBLEM_ROWS = {"raised_problems-TOTAL_FORMS": "0", "raised_problems-INITIAL_FORMS": "0"}


def record_form(model, project, official=None) -> dict:
    return {
        Milestone: {"project": project.pk, "kind": "start", "title": "实质性开工", "due_period": "2023-Q3"},
        Visit: {"project": project.pk, "visited_on": "2023-05-02", "kind": "survey",
                "official": (official or project.lead_official).pk, "note": "现场督导", **NO_PROBLEM_ROWS},
        ApprovalItem: {"project": project.pk, "name": "施工许可证", "department": project.department_id,
                       "mode": "normal", "due_date": "2023-06-30"},
        StatusUpdate: {"project": project.pk, "status_to": "", "completed_investment": "100",
                       "progress_percent": "", "note": "越权填报", "problems": "", "next_steps": "", "reported_on": "",
                       **NO_PROBLEM_ROWS},
    }[model]


def refused(response) -> bool:
    """403, or the form shown again with the choice refused (nothing saved)."""
    if response.status_code == 403:
        return True
    return response.status_code == 200 and bool(response.context and response.context.get("errors"))


# --- signing in and what each role sees ---------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.OFFICIAL, Role.READER])
def test_every_role_signs_in_with_a_password_and_reads(role, dept_a, official_a, project_a):
    profile = {Role.DEPARTMENT: {"department": dept_a}, Role.OFFICIAL: {"official": official_a}}.get(role, {})
    user = UserFactory(username="someone")
    user.set_password("Erqi-2023-pass")
    user.save()
    UserProfileFactory(user=user, role=role, **profile)
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "someone", "password": "Erqi-2023-pass",
                                                    "next": reverse("admin:index")})
    assert response.status_code == 302
    landing = reverse("admin:todo") if role != Role.READER else reverse("admin:index")
    assert response["Location"] == landing
    assert client.get(url(Project, "changelist")).status_code == 200
    assert client.get(url(Project, "change", project_a.pk)).status_code == 200
    assert client.get(url(Milestone, "changelist")).status_code == 200


def test_users_tokens_and_roles_are_the_offices_alone(clerk, official, reader):
    for client in (clerk, official, reader):
        for name in ("admin:auth_user_changelist", "admin:projects_userprofile_changelist",
                     "admin:projects_apitoken_changelist", "admin:auth_group_changelist"):
            assert client.get(reverse(name)).status_code == 403


def test_clerk_lands_on_my_projects_and_may_see_all(clerk, project_a, project_b):
    mine = clerk.get(url(Project, "changelist"))
    assert [p.pk for p in mine.context["cl"].result_list] == [project_a.pk]
    assert "我的项目" in mine.content.decode()
    everything = clerk.get(url(Project, "changelist"), {"scope": "all"})
    assert {p.pk for p in everything.context["cl"].result_list} == {project_a.pk, project_b.pk}


def test_official_sees_its_projects_with_days_since_the_last_visit(official, project_a, project_b):
    VisitFactory(project=project_a, visited_on=date(2023, 4, 20))
    response = official.get(url(Project, "changelist"))
    assert [p.pk for p in response.context["cl"].result_list] == [project_a.pk]
    content = response.content.decode()
    assert "距上次调研（天）" in content and "14 天" in content


# --- choice lists offer only what the user may write -----------------------------------------------------


def test_clerk_picks_only_its_departments_projects(clerk, project_a, project_b):
    for model in (StatusUpdate, Milestone, Visit, ApprovalItem):
        form = clerk.get(url(model, "add")).context["adminform"].form
        assert list(form.fields["project"].queryset) == [project_a], model


def test_official_picks_only_the_projects_it_leads_and_itself(official, official_a, project_a, project_b):
    form = official.get(url(Visit, "add")).context["adminform"].form
    assert list(form.fields["project"].queryset) == [project_a]
    assert list(form.fields["official"].queryset) == [official_a]
    form = official.get(url(StatusUpdate, "add")).context["adminform"].form
    assert list(form.fields["project"].queryset) == [project_a]


def test_status_update_form_is_prefilled_with_the_current_figures(clerk, project_a):
    Project.objects.filter(pk=project_a.pk).update(completed_investment=1234, progress_percent=40)
    form = clerk.get(url(StatusUpdate, "add"), {"project": project_a.pk}).context["adminform"].form
    assert form.initial["project"] == str(project_a.pk)
    assert (form.initial["status_to"], form.initial["completed_investment"], form.initial["progress_percent"]) == (
        project_a.status, 1234, 40,
    )


# --- refused writes change nothing: per role, per writable model -------------------------------------------


FOREIGN_WRITES = {
    # role: the writes it may not do; `project_b` is outside every test user's scope.
    Role.DEPARTMENT: ["add_foreign", "change_foreign", "delete_foreign", "add_reference", "change_project"],
    Role.OFFICIAL: ["add_foreign", "change_foreign", "delete_foreign", "add_reference", "change_project"],
    Role.READER: ["add_own", "change_own", "delete_own", "add_reference", "change_project"],
}
RECORD_MODELS = [Milestone, Visit, ApprovalItem, StatusUpdate]


def attempts(model, records, project_a, project_b, official_b):
    """The crafted POSTs for `model`, by kind."""
    own, foreign = records[project_a], records[project_b]
    out = {}
    if model in (Milestone, Visit, ApprovalItem):
        out["add_foreign"] = (url(model, "add"), record_form(model, project_b))
        out["change_foreign"] = (url(model, "change", foreign[model].pk), record_form(model, project_b))
        out["delete_foreign"] = (url(model, "delete", foreign[model].pk), {"post": "yes"})
        out["add_own"] = (url(model, "add"), record_form(model, project_a))
        out["change_own"] = (url(model, "change", own[model].pk), record_form(model, project_a))
        out["delete_own"] = (url(model, "delete", own[model].pk), {"post": "yes"})
    if model is StatusUpdate:
        out["add_foreign"] = out["add_own"] = (url(model, "add"), record_form(model, project_b))
        out["add_own"] = (url(model, "add"), record_form(model, project_a))
    return out


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.OFFICIAL, Role.READER])
@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m.__name__)
def test_writes_outside_the_scope_are_refused_and_change_nothing(
    request, role, model, records, project_a, project_b, official_b,
):
    client = request.getfixturevalue({Role.DEPARTMENT: "clerk", Role.OFFICIAL: "official", Role.READER: "reader"}[role])
    tried = 0
    for kind, (target, data) in attempts(model, records, project_a, project_b, official_b).items():
        if kind not in FOREIGN_WRITES[role]:
            continue
        before = state()
        response = client.post(target, data)
        assert refused(response), (kind, response.status_code)
        assert state() == before, kind
        tried += 1
    assert tried


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.OFFICIAL, Role.READER])
@pytest.mark.parametrize("model", [Project, Department, Official], ids=lambda m: m.__name__)
def test_office_records_are_refused_to_every_other_role(request, role, model, project_a, dept_a, official_a):
    client = request.getfixturevalue({Role.DEPARTMENT: "clerk", Role.OFFICIAL: "official", Role.READER: "reader"}[role])
    obj = {Project: project_a, Department: dept_a, Official: official_a}[model]
    before = state()
    assert client.post(url(model, "add"), {"code": "x1", "name": "新单位"}).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    if model is not Project:
        assert client.post(url(model, "change", obj.pk), {"code": "x1", "name": "改名"}).status_code == 403
    assert state() == before


def test_official_may_not_record_a_visit_in_another_officials_name(official, project_a, official_b):
    before = state()
    response = official.post(url(Visit, "add"), record_form(Visit, project_a, official=official_b))
    assert refused(response)
    assert state() == before


def test_clerk_cannot_change_its_projects_own_fields_or_inlines_of_a_foreign_project(clerk, project_a, project_b):
    page = clerk.get(url(Project, "change", project_a.pk))
    assert page.status_code == 200
    assert "name" not in page.context["adminform"].form.fields  # every project field is read-only
    before = state()
    assert clerk.post(url(Project, "change", project_b.pk), {"name": "改名"}).status_code == 403
    assert state() == before


# --- allowed writes go through the services ---------------------------------------------------------------


def test_clerk_files_a_report_and_completes_a_milestone_on_its_own_project(clerk, project_a, records):
    response = clerk.post(url(StatusUpdate, "add"), record_form(StatusUpdate, project_a) | {"note": "本周完成投资"})
    assert response.status_code == 302 and response["Location"] == url(Project, "change", project_a.pk)
    report = StatusUpdate.objects.get(project=project_a)
    assert report.reported_by == clerk.user and report.completed_investment == 100
    project_a.refresh_from_db()
    assert project_a.completed_investment == 100 and project_a.version > 1

    milestone = records[project_a][Milestone]
    data = {"project": project_a.pk, "kind": milestone.kind, "title": milestone.title,
            "due_period": "", "completed_on": "2023-05-03", "note": ""}
    assert clerk.post(url(Milestone, "change", milestone.pk), data).status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == date(2023, 5, 3)


def test_official_logs_a_visit_in_one_form(official, official_a, project_a):
    form = official.get(url(Visit, "add"), {"project": project_a.pk}).context["adminform"].form
    assert form.initial["official"] == official_a.pk and form.initial["visited_on"] == AS_OF
    response = official.post(url(Visit, "add"), {"project": project_a.pk, "visited_on": "2023-05-04",
                                                  "kind": "inspection", "official": official_a.pk, "note": "现场督导",
                                                  **NO_PROBLEM_ROWS})
    assert response.status_code == 302
    visit = Visit.objects.get(project=project_a)
    assert (visit.official, visit.visited_on) == (official_a, date(2023, 5, 4))


def test_no_user_gets_rights_from_the_permission_checkboxes(clerk, project_b):
    """Django's per-model permissions give nothing: the policy decides."""
    from django.contrib.auth.models import Permission

    clerk.user.user_permissions.set(Permission.objects.filter(content_type__app_label="projects"))
    clerk.user.is_staff = True
    clerk.user.save()
    before = state()
    assert clerk.post(url(Project, "change", project_b.pk), {"name": "改名"}).status_code == 403
    assert refused(clerk.post(url(StatusUpdate, "add"), record_form(StatusUpdate, project_b)))
    assert state() == before
    assert get_user_model().objects.filter(pk=clerk.user.pk, is_superuser=False).exists()


def test_root_sends_the_visitor_to_the_admin(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_admin_speaks_chinese_to_an_english_browser(client, db):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    content = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert "用户名" in content and "登录" in content and "Username" not in content


@pytest.mark.parametrize("role", [Role.DEPARTMENT, Role.OFFICIAL, Role.READER])
def test_leads_of_another_department_are_refused_and_change_nothing(request, role, dept_a, dept_b):
    client = request.getfixturevalue({Role.DEPARTMENT: "clerk", Role.OFFICIAL: "official", Role.READER: "reader"}[role])
    foreign = LeadFactory(department=dept_b, name="澳康达项目")
    before = state()
    lead = {"name": "越权线索", "enterprise": "某企业", "sector": "industry", "amount": "1000", "source": "",
            "department": dept_b.pk, "received_on": "2023-04-01", "note": ""}
    assert refused(client.post(url(Lead, "add"), lead))
    assert refused(client.post(url(Lead, "change", foreign.pk), lead | {"name": "改名"}))
    assert refused(client.post(url(Lead, "delete", foreign.pk), {"post": "yes"}))
    assert refused(client.post(url(LeadMove, "add"), {"lead": foreign.pk, "stage": "contacted", "moved_on": "2023-04-10"}))
    assert state() == before
