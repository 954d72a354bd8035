"""generate_portfolio: a realistic, deterministic portfolio whose cached columns are exact."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max

from projects.domain.choices import STATUS_PATH, ProblemState, problem_move_allowed, status_move_allowed
from projects.domain.dates import today
from projects.models import ApprovalItem, Milestone, Problem, Project, StatusUpdate, Visit

PROJECTS = 40
SEED = 7


@pytest.fixture
def generated(db):
    call_command("generate_portfolio", projects=PROJECTS, seed=SEED, stdout=StringIO())
    return Project.objects.filter(code__startswith=f"GEN{SEED}-2023-")


def _snapshot(projects) -> list[tuple]:
    """Everything generated, keyed by code rather than by database id."""
    rows = []
    for project in projects.order_by("code").prefetch_related("milestones", "visits", "status_updates", "approvals",
                                                               "batches"):
        rows.append((
            project.code, project.name, project.category, project.level, project.sector, project.zone,
            project.status, project.total_investment, project.completed_investment, project.progress_percent,
            project.department.code, project.lead_official.name, project.cached_next_due_date,
            project.cached_last_visit_on,
            sorted((m.kind, m.title, m.due_period, m.due_date, m.completed_on) for m in project.milestones.all()),
            sorted(v.visited_on for v in project.visits.all()),
            sorted((u.reported_on, u.status_from, u.status_to, u.completed_investment)
                   for u in project.status_updates.all()),
            sorted((a.name, a.due_date, a.completed_on) for a in project.approvals.all()),
            sorted((b.period, b.kind) for b in project.batches.all()),
        ))
    return rows


def test_category_mix_follows_the_seed(generated):
    counts = Counter(generated.values_list("category", flat=True))
    assert sum(counts.values()) == PROJECTS
    # The seed's list: 81 开工类, 150 在建类 and 129 前期类 of 360; 40 projects give room for chance.
    assert 3 <= counts["start"] <= 17
    assert 8 <= counts["construction"] <= 26
    assert 5 <= counts["preparation"] <= 24


def test_each_project_has_three_to_five_milestones(generated):
    per_project = list(generated.annotate(n=Count("milestones")).values_list("n", flat=True))
    assert len(per_project) == PROJECTS
    assert set(per_project) <= {3, 4, 5}


def test_nothing_is_dated_after_today(generated):
    latest = [
        Milestone.objects.aggregate(d=Max("completed_on"))["d"],
        Visit.objects.aggregate(d=Max("visited_on"))["d"],
        StatusUpdate.objects.aggregate(d=Max("reported_on"))["d"],
        ApprovalItem.objects.aggregate(d=Max("completed_on"))["d"],
    ]
    assert all(day is not None and day <= today() for day in latest)


def test_status_updates_follow_the_workflow(generated):
    projects = list(generated.prefetch_related("status_updates"))
    assert len(projects) == PROJECTS
    reported = pairs = 0
    for project in projects:
        reports = sorted(project.status_updates.all(), key=lambda u: (u.reported_on, u.pk))
        for before, after in zip(reports, reports[1:]):
            assert after.status_from == before.status_to
            assert after.completed_investment >= before.completed_investment
            pairs += 1
        for report in reports:
            assert status_move_allowed(report.status_from, report.status_to, project.suspended_from)
        if reports:
            assert reports[-1].status_to == project.status
            assert reports[-1].completed_investment == project.completed_investment
            reported += 1
    # The checks above ran: some projects report, some more than once.
    assert reported >= PROJECTS // 4 and pairs >= PROJECTS // 4, (reported, pairs)


def test_reached_statuses_completed_their_milestones(generated):
    reached_kind = {"signed": "signing", "under_construction": "start", "completed": "completion",
                    "operating": "commissioning"}
    projects = list(generated.filter(status__in=STATUS_PATH).prefetch_related("milestones"))
    assert projects
    seen = Counter()
    for project in projects:
        passed = STATUS_PATH[1:STATUS_PATH.index(project.status) + 1]
        for milestone in project.milestones.all():
            if milestone.kind in reached_kind.values():
                reached = any(reached_kind[status] == milestone.kind for status in passed)
                assert (milestone.completed_on is not None) == reached, (project.code, milestone.kind)
                seen[reached] += 1
    # Both sides were checked: milestones a status reached (done) and milestones still ahead (open).
    assert seen[True] and seen[False], seen


def test_cached_columns_equal_the_subquery_plan(generated):
    cached = list(generated.order_by("pk").values_list(
        "pk", "cached_next_due_date", "cached_last_visit_on", "cached_problem_due_date"))
    assert any(row[1] for row in cached) and any(row[2] for row in cached) and any(row[3] for row in cached)
    by_subquery = generated.with_flags(today(), live=False).order_by("pk")
    assert cached == list(by_subquery.values_list("pk", "next_due_date", "last_visit_on", "problem_due_since"))


def test_problems_move_through_the_workflow_in_order(generated):
    problems = Problem.objects.filter(project__in=generated).prefetch_related("moves")
    ends = Counter()
    for problem in problems:
        state, day = ProblemState.OPEN, problem.raised_on
        for move in problem.moves.order_by("id"):
            assert move.state_from == state and problem_move_allowed(state, move.state_to), problem.pk
            assert day <= move.moved_on <= today(), problem.pk
            state, day = move.state_to, move.moved_on
        assert problem.state == state
        assert problem.resolved_on == (day if state == ProblemState.RESOLVED else None)
        if state == ProblemState.ASSIGNED:
            assert problem.due_date > day and problem.responsible_department_id is not None
        ends[state] += 1
    # Problems still assigned (the light's problem rule) and closed ones, among several states.
    assert ends[ProblemState.ASSIGNED] and ends[ProblemState.RESOLVED] and len(ends) >= 4, ends


def test_same_seed_gives_the_same_data(db):
    quiet = StringIO()
    call_command("generate_portfolio", projects=PROJECTS, seed=SEED, stdout=quiet)
    first = _snapshot(Project.objects.filter(code__startswith=f"GEN{SEED}-"))
    assert len(first) == PROJECTS
    StatusUpdate.objects.all().delete()  # they protect their projects
    Project.objects.all().delete()
    call_command("generate_portfolio", projects=PROJECTS, seed=SEED, stdout=quiet)
    assert _snapshot(Project.objects.filter(code__startswith=f"GEN{SEED}-")) == first


def test_another_seed_adds_more_and_the_same_seed_is_refused(generated):
    call_command("generate_portfolio", projects=5, seed=SEED + 1, stdout=StringIO())
    assert Project.objects.count() == PROJECTS + 5
    with pytest.raises(CommandError):
        call_command("generate_portfolio", projects=5, seed=SEED)


def test_the_api_lists_them(generated, admin_client):
    response = admin_client.get("/api/v1/projects/", {"page_size": 500})
    assert response.status_code == 200
    assert response.json()["count"] == PROJECTS
    past = admin_client.get("/api/v1/projects/", {"as_of": "2023-05-04", "warning_level": "red,yellow,green"})
    assert past.status_code == 200
    assert past.json()["count"] == PROJECTS
