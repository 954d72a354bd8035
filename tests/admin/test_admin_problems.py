"""问题台账 in the admin: the list and its filters for the page's day, each move per role (allowed: recorded;
refused: nothing changed, history included), the rows that raise problems with a report or a visit, the
problems and the assessed light on the project page."""

from datetime import date

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.domain.choices import Role
from projects.models import Assessment, Problem, ProblemMove, StatusUpdate, Visit
from tests.admin.clients import signed_in
from tests.conftest import AS_OF
from tests.factories import AssessmentFactory, ProblemFactory, move_problem

def snapshot() -> dict:
    """Every row of every table of the service (each model's history table included, as simple_history
    registers them in the app) and the admin's log: equal before and after a refused write."""
    models = [*apps.get_app_config("projects").get_models(include_auto_created=True), LogEntry]
    return {model._meta.label: list(model._base_manager.order_by("pk").values_list()) for model in models}


@pytest.fixture(autouse=True)
def pinned_as_of(settings):
    settings.PORTFOLIO_AS_OF = AS_OF


@pytest.fixture
def people(dept_a, dept_b, official_a, official_b):
    """The office, a clerk and an official on each side, and a reader."""
    return {
        "office": signed_in(Role.ADMIN, "office"),
        "clerk_a": signed_in(Role.DEPARTMENT, "clerk_a", department=dept_a),
        "clerk_b": signed_in(Role.DEPARTMENT, "clerk_b", department=dept_b),
        "official_a": signed_in(Role.OFFICIAL, "official_a", official=official_a),
        "official_b": signed_in(Role.OFFICIAL, "official_b", official=official_b),
        "reader": signed_in(Role.READER, "reader"),
    }


def handed_to_a(project_b, dept_a, official_a, *moves) -> Problem:
    """A land problem on department B's project, proposed for department A and coordinated by official A."""
    problem = ProblemFactory(project=project_b, title="用地指标未落实", responsible_department=dept_a,
                             coordinating_official=official_a, raised_on=date(2023, 4, 1))
    return move_problem(problem, *moves)


def move_page(problem: Problem, action: str) -> str:
    return reverse("admin:projects_problemmove_add") + f"?problem={problem.pk}&action={action}"


def post_move(client, problem: Problem, action: str, **fields):
    data = {"action": action, "problem": problem.pk, "moved_on": "2023-05-04", "note": "已协调自然资源局落实指标"}
    return client.post(move_page(problem, action), data | fields)


def listed(client, **params) -> list[str]:
    response = client.get(reverse("admin:projects_problem_changelist"), params)
    assert response.status_code == 200
    return [problem.title for problem in response.context["cl"].result_list]


def form_errors(response) -> str:
    return " ".join(str(error) for error in response.context["errors"])


# --- the moves, per role ---------------------------------------------------------------------------------

# The state a problem is in before each move, the state it moves to, and who may make it on a problem
# handed to department A and coordinated by official A.
MOVES = {
    "assign": ("open", "assigned", {"office"}),
    "answer": ("assigned", "answered", {"office", "clerk_a", "official_a"}),
    "return": ("answered", "assigned", {"office"}),
    "resolve": ("answered", "resolved", {"office"}),
    "cancel": ("open", "cancelled", {"office"}),
}
PATH_TO = {
    "open": [],
    "assigned": [("assigned", "2023-04-02")],
    "answered": [("assigned", "2023-04-02"), ("answered", "2023-04-10")],
}
ROLES = ["office", "clerk_a", "clerk_b", "official_a", "official_b", "reader"]
# Roles whose role may make the move on some problem, but not on this one: the form refuses the choice.
OUT_OF_SCOPE = {"answer": {"clerk_b", "official_b"}}


def move_fields(action: str, dept) -> dict:
    if action in ("assign", "return"):
        return {"responsible_department": dept.pk, "due_date": "2023-05-31"}
    return {}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("action", list(MOVES))
def test_each_move_per_role(people, project_b, dept_a, official_a, action, who):
    start, target, allowed = MOVES[action]
    problem = handed_to_a(project_b, dept_a, official_a, *PATH_TO[start])
    client = people[who]
    page = client.get(move_page(problem, action))
    before = snapshot()
    response = post_move(client, problem, action, **move_fields(action, dept_a))
    if who in allowed:
        assert page.status_code == 200
        assert response.status_code == 302, form_errors(response)
        assert response["Location"] == reverse("admin:projects_problem_change", args=[problem.pk])
        move = ProblemMove.objects.get(problem=problem, state_to=target, moved_by=client.user, moved_on=AS_OF)
        assert move.state_from == start and move.note == "已协调自然资源局落实指标"
        problem.refresh_from_db()
        assert problem.state == target
        assert problem.history.filter(history_type="~").exists()
    elif who in OUT_OF_SCOPE.get(action, ()):
        assert page.status_code == 200
        assert response.status_code == 200 and "选择一个有效的选项" in form_errors(response)
        assert snapshot() == before
    else:
        assert page.status_code == 403
        assert response.status_code == 403
        assert snapshot() == before


def test_cancelling_an_assigned_problem(people, project_b, dept_a, official_a):
    problem = handed_to_a(project_b, dept_a, official_a, ("assigned", "2023-04-02"))
    assert post_move(people["office"], problem, "cancel").status_code == 302
    problem.refresh_from_db()
    assert problem.state == "cancelled"


def test_a_forged_move_naming_another_action_in_its_body_is_refused(people, project_b, dept_a, official_a):
    """The clerk opens its 反馈 page but posts 销号: the role may not, so 403 and nothing changed."""
    problem = handed_to_a(project_b, dept_a, official_a, ("assigned", "2023-04-02"), ("answered", "2023-04-10"))
    before = snapshot()
    url = move_page(problem, "answer")
    response = people["clerk_a"].post(url, {"action": "resolve", "problem": problem.pk, "note": "自行销号"})
    assert response.status_code == 403
    assert snapshot() == before


def test_a_move_the_state_does_not_allow_is_refused_on_the_form(people, project_b, dept_a, official_a):
    problem = handed_to_a(project_b, dept_a, official_a, ("assigned", "2023-04-02"))
    before = snapshot()
    response = post_move(people["office"], problem, "resolve")
    assert response.status_code == 200 and "选择一个有效的选项" in form_errors(response)
    assert snapshot() == before


def test_the_services_refusal_is_shown_on_the_form_with_nothing_changed(people, project_b, dept_a, official_a):
    problem = handed_to_a(project_b, dept_a, official_a)
    before = snapshot()
    response = post_move(people["office"], problem, "assign", responsible_department=dept_a.pk, due_date="2023-05-01")
    assert response.status_code == 200
    assert "限时办结日期不能早于交办日期（2023-05-04）" in form_errors(response)
    assert snapshot() == before


def test_assigning_needs_a_unit_and_a_deadline(people, project_b, dept_a, official_a):
    problem = handed_to_a(project_b, dept_a, official_a)
    before = snapshot()
    response = post_move(people["office"], problem, "assign", responsible_department="", due_date="")
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"responsible_department", "due_date"}
    assert snapshot() == before


def test_the_assign_page_proposes_the_unit_and_shows_the_problem(people, project_b, dept_a, official_a):
    problem = handed_to_a(project_b, dept_a, official_a)
    response = people["office"].get(move_page(problem, "assign"))
    form = response.context["adminform"].form
    assert form.initial["responsible_department"] == dept_a.pk and form.initial["moved_on"] == AS_OF
    assert list(form.fields) == ["action", "problem", "responsible_department", "due_date", "moved_on", "note"]
    content = response.content.decode()
    assert "交办问题" in content and 'id="problem-summary"' in content and "用地指标未落实" in content
    assert form.fields["note"].label == "交办要求" and form.fields["due_date"].label == "限时办结日期"


def test_returning_sets_a_new_deadline(people, project_b, dept_a, official_a):
    problem = handed_to_a(project_b, dept_a, official_a, ("assigned", "2023-04-02"), ("answered", "2023-04-10"))
    response = post_move(people["office"], problem, "return", responsible_department=dept_a.pk, due_date="2023-06-15")
    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.state, problem.due_date) == ("assigned", date(2023, 6, 15))
    # The clerk's answer page shows what was asked and why it came back.
    answer_page = people["clerk_a"].get(move_page(problem, "answer")).content.decode()
    assert "办理过程" in answer_page and "退回" not in answer_page.split("办理过程")[0]
    assert answer_page.count("已协调自然资源局落实指标") == 1


def test_the_move_log_is_append_only(people, project_b, dept_a, official_a):
    problem = handed_to_a(project_b, dept_a, official_a, ("assigned", "2023-04-02"))
    move = problem.moves.get()
    office = people["office"]
    assert office.get(reverse("admin:projects_problemmove_changelist")).status_code == 200
    before = snapshot()
    assert office.post(reverse("admin:projects_problemmove_change", args=[move.pk]), {"note": "改"}).status_code == 403
    assert office.post(reverse("admin:projects_problemmove_delete", args=[move.pk]), {"post": "yes"}).status_code == 403
    assert office.get(reverse("admin:projects_problemmove_add")).status_code == 403  # a move names its action
    assert snapshot() == before


# --- the list: 待办, the actions offered, filters, as_of ---------------------------------------------------


@pytest.fixture
def ledger(project_a, project_b, dept_a, dept_b, official_a, official_b):
    """Four problems as of 2023-05-04: open on A's project; assigned to A on B's project, due 04-20
    (14 days overdue: 督办); assigned to B on A's project, due 05-31; answered by A."""
    open_one = ProblemFactory(project=project_a, title="施工用电未接入", category="utilities", source="report",
                              raised_on=date(2023, 4, 25))
    late = handed_to_a(project_b, dept_a, official_a)
    move_problem(late, ("assigned", "2023-04-05", {"due_date": date(2023, 4, 20)}))
    on_time = ProblemFactory(project=project_a, title="规划方案待批复", category="planning", source="meeting",
                             raised_on=date(2023, 4, 10), coordinating_official=official_b)
    move_problem(on_time, ("assigned", "2023-04-12", {"responsible_department": dept_b, "due_date": date(2023, 5, 31)}))
    answered = ProblemFactory(project=project_a, title="融资贷款未到位", category="funding", raised_on=date(2023, 3, 1),
                              responsible_department=dept_a)
    move_problem(answered, ("assigned", "2023-03-02", {"due_date": date(2023, 3, 31)}), ("answered", "2023-04-01"))
    return {"open": open_one, "late": late, "on_time": on_time, "answered": answered}


def test_a_clerk_opens_on_its_problems_to_answer(people, ledger):
    response = people["clerk_a"].get(reverse("admin:projects_problem_changelist"))
    assert [p.title for p in response.context["cl"].result_list] == ["用地指标未落实"]
    content = response.content.decode()
    assert "待我反馈的问题（评价日 2023-05-04）" in content
    assert move_page(ledger["late"], "answer").replace("&", "&amp;") in content
    assert set(listed(people["clerk_a"], todo="all")) == {p.title for p in ledger.values()}
    assert listed(people["clerk_b"]) == ["规划方案待批复"]


def test_an_official_opens_on_the_problems_it_coordinates(people, ledger):
    assert listed(people["official_a"]) == ["用地指标未落实"]
    assert listed(people["official_b"]) == ["规划方案待批复"]


def test_the_office_sees_all_and_its_own_to_do(people, ledger):
    office = people["office"]
    assert len(listed(office)) == 4
    assert listed(office, todo="assign") == ["施工用电未接入"]
    assert listed(office, todo="resolve") == ["融资贷款未到位"]


def test_each_row_offers_the_moves_the_user_may_make(people, ledger):
    office = people["office"].get(reverse("admin:projects_problem_changelist")).content.decode()
    for problem, actions in ((ledger["open"], ["assign", "cancel"]), (ledger["late"], ["answer", "cancel"]),
                             (ledger["answered"], ["return", "resolve"])):
        for action in actions:
            assert move_page(problem, action).replace("&", "&amp;") in office
    clerk = people["clerk_a"].get(reverse("admin:projects_problem_changelist"), {"todo": "all"}).content.decode()
    assert "problem-action-answer" in clerk
    assert not any(f"problem-action-{action}" in clerk for action in ("assign", "return", "resolve", "cancel"))
    reader = people["reader"].get(reverse("admin:projects_problem_changelist")).content.decode()
    assert "problem-action-" not in reader


@pytest.mark.parametrize(("params", "shown"), [
    ({"state__exact": "assigned"}, {"用地指标未落实", "规划方案待批复"}),
    ({"category__exact": "funding"}, {"融资贷款未到位"}),
    ({"source__exact": "meeting"}, {"规划方案待批复"}),
    ({"source__exact": "report"}, {"施工用电未接入"}),
    ("responsible_department", {"用地指标未落实", "融资贷款未到位"}),
    ("project_department", {"用地指标未落实"}),
    ({"is_overdue": "1"}, {"用地指标未落实"}),
    ({"is_overdue": "0"}, {"施工用电未接入", "规划方案待批复", "融资贷款未到位"}),
    ({"escalation_level": "2"}, {"用地指标未落实"}),
    ({"escalation_level": "2,3"}, {"用地指标未落实"}),
    ({"escalation_level": "0"}, {"施工用电未接入", "规划方案待批复", "融资贷款未到位"}),
    ({"pending": "1"}, {"施工用电未接入", "用地指标未落实", "规划方案待批复", "融资贷款未到位"}),
    ({"raised_on_from": "2023-04-01", "raised_on_to": "2023-04-10"}, {"用地指标未落实", "规划方案待批复"}),
    ({"due_date_from": "2023-05-01"}, {"规划方案待批复"}),
    ({"due_date_to": "2023-04-30"}, {"用地指标未落实", "融资贷款未到位"}),
    ({"q": "贷款"}, {"融资贷款未到位"}),
    ({"q": "陇西南华府"}, {"用地指标未落实"}),
    ({"project__year": "2022"}, set()),
])
def test_each_filter_narrows_the_list(people, ledger, dept_a, dept_b, params, shown):
    if params == "responsible_department":
        params = {"responsible_department__id__exact": dept_a.pk}
    elif params == "project_department":
        params = {"project__department__id__exact": dept_b.pk}
    assert set(listed(people["office"], todo="all", **params)) == shown


def test_the_list_is_evaluated_as_of_its_day(people, ledger):
    """The problem due 2023-04-20: 催办 five days after, 督办 at 14, 通报 at 42; before it was assigned, no mark."""
    office = people["office"]
    for day, level, days in (("2023-04-20", 0, 0), ("2023-04-25", 1, 5), ("2023-05-04", 2, 14),
                             ("2023-06-01", 3, 42)):
        response = office.get(reverse("admin:projects_problem_changelist"), {"as_of": day, "q": "用地指标"})
        problem = response.context["cl"].result_list[0]
        assert (problem.escalation_level, problem.days_overdue, problem.is_overdue) == (level, days, days > 0), day
        content = response.content.decode()
        assert f"问题台账（评价日 {day}）" in content
        assert f'class="escalation escalation-{level}"' in content
    early = office.get(reverse("admin:projects_problem_changelist"), {"as_of": "2023-04-03", "q": "用地指标"})
    problem = early.context["cl"].result_list[0]
    assert problem.assigned_due_date is None and 'class="escalation ' not in early.content.decode()
    # Answered 2023-04-01 but still assigned on 2023-03-31, its deadline's day: on time, shown green.
    answered = office.get(reverse("admin:projects_problem_changelist"), {"as_of": "2023-03-31", "q": "贷款"})
    assert 'class="escalation escalation-0"' in answered.content.decode()


def test_the_escalation_marks_are_coloured(people, ledger):
    content = people["office"].get(reverse("admin:projects_problem_changelist"), {"as_of": "2023-06-01"}).content.decode()
    assert "background:#d93025" in content and "通报" in content  # 42 days: red
    content = people["office"].get(reverse("admin:projects_problem_changelist"), {"as_of": "2023-05-04"}).content.decode()
    assert "background:#e8710a" in content and "督办" in content and "逾期 14 天" in content


def test_a_problem_page_shows_its_moves_history_and_moves_offered(people, ledger):
    late = ledger["late"]
    page = people["clerk_a"].get(reverse("admin:projects_problem_change", args=[late.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "办理过程" in content and "problem-action-answer" in content
    assert 'class="escalation escalation-2"' in content
    assert "name=\"title\"" not in content  # a clerk reads the problem, it does not edit it
    history = people["reader"].get(reverse("admin:projects_problem_history", args=[late.pk]))
    assert history.status_code == 200 and "用地指标未落实" in history.content.decode()


def test_the_office_edits_the_words_but_not_the_handover(people, ledger, official_a):
    problem = ledger["open"]
    url = reverse("admin:projects_problem_change", args=[problem.pk])
    form = people["office"].get(url).context["adminform"].form
    assert set(form.fields) == {"title", "category", "description", "coordinating_official"}
    data = {"title": "施工用电未接入（10kV）", "category": "utilities", "description": "", "coordinating_official": official_a.pk,
            "moves-TOTAL_FORMS": "0", "moves-INITIAL_FORMS": "0"}
    assert people["office"].post(url, data).status_code == 302
    problem.refresh_from_db()
    assert (problem.title, problem.coordinating_official) == ("施工用电未接入（10kV）", official_a)
    before = snapshot()
    assert people["clerk_a"].post(url, data | {"title": "改名"}).status_code == 403
    assert snapshot() == before


def test_a_problem_with_moves_is_cancelled_not_deleted(people, ledger):
    before = snapshot()
    response = people["office"].post(reverse("admin:projects_problem_delete", args=[ledger["late"].pk]), {"post": "yes"})
    assert response.status_code == 403
    assert snapshot() == before
    assert people["clerk_a"].post(reverse("admin:projects_problem_delete", args=[ledger["open"].pk]),
                                  {"post": "yes"}).status_code == 403
    assert snapshot() == before
    response = people["office"].post(reverse("admin:projects_problem_delete", args=[ledger["open"].pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Problem.objects.filter(pk=ledger["open"].pk).exists()


# --- raising: the office from a meeting, clerks with a report, officials with a visit -------------------


def test_the_office_raises_a_problem_from_a_meeting(people, project_a, dept_b):
    office = people["office"]
    form = office.get(reverse("admin:projects_problem_add"), {"project": project_a.pk}).context["adminform"].form
    assert [value for value, _ in form.fields["source"].choices] == ["office", "meeting"]
    assert form.initial["raised_on"] == AS_OF
    response = office.post(reverse("admin:projects_problem_add"), {
        "project": project_a.pk, "title": "周边道路未打通", "category": "construction", "description": "调度会议定",
        "source": "meeting", "raised_on": "2023-05-04", "responsible_department": dept_b.pk,
        "coordinating_official": "", "moves-TOTAL_FORMS": "0", "moves-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302
    problem = Problem.objects.get(title="周边道路未打通")
    assert (problem.source, problem.state, problem.raised_by, problem.responsible_department) == (
        "meeting", "open", office.user, dept_b)


def test_a_clerk_raises_on_its_own_projects_only(people, project_a, project_b):
    clerk = people["clerk_a"]
    form = clerk.get(reverse("admin:projects_problem_add")).context["adminform"].form
    assert "source" not in form.fields
    assert list(form.fields["project"].queryset) == [project_a]
    data = {"title": "拆迁户未签约", "category": "demolition", "description": "", "raised_on": "",
            "responsible_department": "", "coordinating_official": "", "moves-TOTAL_FORMS": "0",
            "moves-INITIAL_FORMS": "0"}
    before = snapshot()
    assert "选择一个有效的选项" in form_errors(clerk.post(reverse("admin:projects_problem_add"),
                                                        data | {"project": project_b.pk}))
    assert snapshot() == before
    assert people["reader"].post(reverse("admin:projects_problem_add"), data | {"project": project_a.pk}).status_code == 403
    assert snapshot() == before
    assert clerk.post(reverse("admin:projects_problem_add"), data | {"project": project_a.pk}).status_code == 302
    assert Problem.objects.get(title="拆迁户未签约").source == "report"


def problem_rows(*rows, prefix="raised_problems") -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for number, row in enumerate(rows):
        data |= {f"{prefix}-{number}-{name}": value for name, value in row.items()}
    return data


def report(project, **fields) -> dict:
    return {"project": project.pk, "status_to": "", "completed_investment": "", "progress_percent": "",
            "note": "主体施工", "problems": "", "next_steps": "", "reported_on": "2023-05-04", **fields}


def test_a_report_raises_its_problems_in_the_same_transaction(people, project_a):
    clerk = people["clerk_a"]
    page = clerk.get(reverse("admin:projects_statusupdate_add"), {"project": project_a.pk})
    assert "本次提出的问题" in page.content.decode()
    rows = problem_rows({"title": "施工用电未接入", "category": "utilities", "description": "需供电公司增容"},
                        {"title": "", "category": "other", "description": ""})
    response = clerk.post(reverse("admin:projects_statusupdate_add"), report(project_a) | rows)
    assert response.status_code == 302, form_errors(response)
    update = StatusUpdate.objects.get()
    problem = Problem.objects.get()
    assert (problem.title, problem.category, problem.description) == ("施工用电未接入", "utilities", "需供电公司增容")
    assert (problem.source, problem.source_status_update, problem.raised_on, problem.raised_by) == (
        "report", update, AS_OF, clerk.user)
    view = clerk.get(reverse("admin:projects_statusupdate_change", args=[update.pk])).content.decode()
    assert "施工用电未接入" in view


def test_a_bad_problem_row_saves_neither_report_nor_problem(people, project_a):
    before = snapshot()
    rows = problem_rows({"title": "", "category": "utilities", "description": "只写了情况没写问题"})
    response = people["clerk_a"].post(reverse("admin:projects_statusupdate_add"), report(project_a) | rows)
    assert response.status_code == 200
    assert snapshot() == before


def test_a_refused_report_raises_nothing(people, project_a):
    before = snapshot()
    rows = problem_rows({"title": "施工用电未接入", "category": "utilities", "description": ""})
    response = people["clerk_a"].post(reverse("admin:projects_statusupdate_add"),
                                      report(project_a, reported_on="2099-01-01") | rows)
    assert response.status_code == 200 and "晚于今天" in response.content.decode()
    assert snapshot() == before


def test_a_visit_raises_its_problems(people, project_a, official_a):
    official = people["official_a"]
    rows = problem_rows({"title": "审批手续卡在消防验收", "category": "approval", "description": ""})
    response = official.post(reverse("admin:projects_visit_add"), {
        "project": project_a.pk, "visited_on": "2023-05-02", "kind": "inspection", "official": official_a.pk,
        "note": "现场督导",
    } | rows)
    assert response.status_code == 302, form_errors(response)
    visit = Visit.objects.get()
    problem = Problem.objects.get()
    assert (problem.source, problem.source_visit, problem.raised_on) == ("visit", visit, date(2023, 5, 2))
    page = official.get(reverse("admin:projects_visit_change", args=[visit.pk])).content.decode()
    assert "审批手续卡在消防验收" in page


# --- the project page: problems inline, the assessed light -----------------------------------------------


def test_the_project_page_lists_its_problems_with_their_marks(people, ledger, project_a):
    response = people["clerk_a"].get(reverse("admin:projects_project_change", args=[project_a.pk]))
    content = response.content.decode()
    for problem in (ledger["open"], ledger["on_time"], ledger["answered"]):
        assert reverse("admin:projects_problem_change", args=[problem.pk]) in content
    assert 'class="escalation escalation-0"' in content  # 规划方案待批复, due 05-31
    assert 'id="add-problem"' in content and 'id="project-problems"' in content


def test_the_inline_marks_follow_the_pages_day(people, ledger, project_b):
    content = people["office"].get(reverse("admin:projects_project_change", args=[project_b.pk]),
                                   {"as_of": "2023-06-01"}).content.decode()
    assert 'class="escalation escalation-3"' in content and "逾期 42 天" in content


def project_page_data(client, project, **extra_rows) -> dict:
    """The project page as a browser posts it, unchanged: every field as rendered, the inlines' empty
    rows included (a select sends its selected option, an empty input "")."""
    response = client.get(reverse("admin:projects_project_change", args=[project.pk]))

    def value(bound):
        shown = bound.value()
        return "" if shown is None else getattr(shown, "pk", shown)

    form = response.context["adminform"].form
    data = {name: value(form[name]) for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= {f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
                 f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count())}
        for row in formset.forms:
            data |= {row.add_prefix(name): value(row[name]) for name in row.fields if name != "DELETE"}
    return data | extra_rows


def assessment_row(**row) -> dict:
    """The assessment inline's empty row (its only extra form), filled in."""
    return {f"assessments-0-{name}": value for name, value in row.items()}


@pytest.mark.parametrize("who", ["office", "clerk_a"])
def test_the_project_page_saves_with_its_empty_rows(people, project_a, who):
    """An untouched empty row (节点, 人工研判) stays empty: its choices start blank."""
    client = people[who]
    data = project_page_data(client, project_a)
    assert data["milestones-0-kind"] == ""
    response = client.post(reverse("admin:projects_project_change", args=[project_a.pk]), data)
    assert response.status_code == 302, form_errors(response)
    assert not project_a.milestones.exists() and not Assessment.objects.exists()


def test_the_office_assesses_a_project_on_its_page(people, project_a):
    office = people["office"]
    data = project_page_data(office, project_a) | assessment_row(
        level="red", reason="征迁受阻，研判为红灯", assessed_on="2023-05-04", valid_until="2023-06-03")
    response = office.post(reverse("admin:projects_project_change", args=[project_a.pk]), data)
    assert response.status_code == 302, form_errors(response)
    assessment = Assessment.objects.get()
    assert (assessment.level, assessment.assessed_by, assessment.valid_until) == ("red", office.user, date(2023, 6, 3))
    page = office.get(reverse("admin:projects_project_change", args=[project_a.pk])).content.decode()
    assert 'class="assessed-light-detail"' in page and "征迁受阻，研判为红灯" in page and "2023-06-03" in page


def test_an_assessment_the_service_refuses_is_a_form_error(people, project_a):
    office = people["office"]
    before = snapshot()
    data = project_page_data(office, project_a) | assessment_row(
        level="yellow", reason="观察", assessed_on="2023-05-04", valid_until="2023-09-30")
    response = office.post(reverse("admin:projects_project_change", args=[project_a.pk]), data)
    assert response.status_code == 200
    assert "人工研判第1行 有效期至：有效期最长为研判日期后 90 天。" in form_errors(response)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["clerk_a", "official_a"])
def test_only_the_office_assesses(people, project_a, who):
    client = people[who]
    page = client.get(reverse("admin:projects_project_change", args=[project_a.pk]))
    assert not any(inline.formset.model is Assessment and inline.formset.extra
                   for inline in page.context["inline_admin_formsets"])
    before = snapshot()
    # A forged row the page never offered.
    data = project_page_data(client, project_a) | {"assessments-TOTAL_FORMS": "1"} | assessment_row(
        level="green", reason="自评绿灯", assessed_on="2023-05-04", valid_until="2023-05-30")
    client.post(reverse("admin:projects_project_change", args=[project_a.pk]), data)
    after = snapshot()
    for model in (Assessment, Assessment.history.model):
        assert after[model._meta.label] == before[model._meta.label] == []


def test_the_project_list_shows_the_assessed_light_beside_the_computed_one(people, project_a, project_b):
    AssessmentFactory(project=project_a, level="red", assessed_on=date(2023, 5, 1), valid_until=date(2023, 5, 31))
    office = people["office"]
    response = office.get(reverse("admin:projects_project_changelist"))
    content = response.content.decode()
    assert 'class="assessed-light assessed-red"' in content and "人工研判：" in content
    assert 'class="assessed-light ' not in office.get(reverse("admin:projects_project_changelist"),
                                                      {"as_of": "2023-06-01"}).content.decode()
    assert [p.pk for p in office.get(reverse("admin:projects_project_changelist"),
                                     {"assessed_level": "red"}).context["cl"].result_list] == [project_a.pk]
    assert [p.pk for p in office.get(reverse("admin:projects_project_changelist"),
                                     {"assessed_level": "none"}).context["cl"].result_list] == [project_b.pk]


def test_the_list_costs_the_same_number_of_queries_for_3_and_30_problems(people, project_a, dept_a):
    def problems(count):
        for number in range(count):
            move_problem(ProblemFactory(project=project_a, title=f"问题{number}", raised_on=date(2023, 4, 1)),
                         ("assigned", "2023-04-02", {"responsible_department": dept_a, "due_date": date(2023, 4, 20)}))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert people["office"].get(reverse("admin:projects_problem_changelist")).status_code == 200
        return len(captured)

    problems(3)
    few = queries()
    problems(27)
    assert queries() == few
