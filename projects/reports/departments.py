"""考核: each department's weekly figures, score and rank, for one week (the bulletin) or a range of weeks.

The counts are SQL aggregates over the projects' flags for an explicit day; the score, the ranks and
the 红黑榜 are the rules of `projects.domain.assessment` applied to those counts.
"""

from contextlib import contextmanager
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value

from projects.domain import assessment
from projects.domain.choices import ACTIVE_STATUSES, WarningLevel
from projects.domain.rates import rate
from projects.models import Project, StatusUpdate

TABLE_FIGURES = ("projects", "updated", "overdue", "red")
COUNTS = ("active", "on_time", "overdue", "red", "visit_overdue", "problem_overdue")


def iso_week(monday: date) -> str:
    """2023-W19."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def department_counts(flagged: QuerySet[Project], *, monday: date, as_of: date) -> QuerySet:
    """Per department of `flagged` (projects annotated with their flags for the day wanted), the
    week's counts: `projects`, `updated` (a report dated in the week), `overdue`, `red`, and over its
    active projects `active`, `on_time` (a report dated from Monday to the due day),
    `visit_overdue` and `problem_overdue`. Reports dated after `as_of` do not count."""
    sunday = monday + timedelta(days=6)
    in_week = StatusUpdate.objects.filter(project=OuterRef("pk"), reported_on__gte=monday,
                                          reported_on__lte=min(sunday, as_of))
    on_time = in_week.filter(reported_on__lte=assessment.due_day(monday))
    active = Q(status__in=ACTIVE_STATUSES)
    return (
        flagged.order_by()
        .values("department_id", "department__code", "department__name")
        .annotate(
            projects=Count("pk"),
            updated=Count("pk", filter=Q(Exists(in_week))),
            overdue=Count("pk", filter=Q(is_overdue=True)),
            red=Count("pk", filter=Q(warning_level=WarningLevel.RED)),
            active=Count("pk", filter=active),
            on_time=Count("pk", filter=active & Q(Exists(on_time))),
            visit_overdue=Count("pk", filter=Q(visit_overdue=True)),
            # The light's problem rule is not green: a problem of the project is past its deadline.
            problem_overdue=Count("pk", filter=active & Q(problem_level__in=[WarningLevel.YELLOW, WarningLevel.RED])),
        )
    )


def _department(row: dict) -> dict:
    return {"id": row["department_id"], "code": row["department__code"], "name": row["department__name"]}


def _counts(row: dict) -> assessment.WeekCounts:
    return assessment.WeekCounts(**{name: row[name] for name in COUNTS})


def _ranked(rows: list[dict]) -> list[dict]:
    """`rows` (each with `department` and `score`) given their `rank`, in department order."""
    ranks = assessment.competition_ranks({row["department"]["code"]: row["score"] for row in rows})
    for row in rows:
        row["rank"] = ranks[row["department"]["code"]]
    return rows


def honour_rolls(rows: list[dict]) -> dict:
    """红黑榜: `top_three` best first and `bottom_three` worst first, each `[{department, score, rank}]`;
    equal ranks in department code order."""
    best_first = sorted((row for row in rows if row["rank"] is not None),
                        key=lambda row: (row["rank"], row["department"]["code"]))
    top, bottom = assessment.top_and_bottom(best_first, rank=lambda row: row["rank"])

    def brief(row: dict) -> dict:
        return {"department": row["department"], "score": row["score"], "rank": row["rank"]}

    return {"top_three": [brief(row) for row in top], "bottom_three": [brief(row) for row in bottom]}


def week_table(counts: QuerySet) -> list[dict]:
    """The bulletin's per-department table from `department_counts`: its figures, `reported_on_time`,
    `score` and `rank`, by department code."""
    rows = []
    for row in sorted(counts, key=lambda row: row["department__code"]):
        rows.append({
            "department": _department(row),
            **{figure: row[figure] for figure in TABLE_FIGURES},
            "reported_on_time": rate(row["on_time"], row["active"]),
            "score": assessment.score(_counts(row)),
        })
    return _ranked(rows)


def week_mondays(first: date, last: date) -> list[date]:
    """The Mondays from `first` to `last`, both Mondays."""
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


@contextmanager
def _without_jit():
    """PostgreSQL compiles (JIT) a query it estimates expensive, and it estimates the weeks' UNION
    very expensive: with 2,000 projects, compiling 20 weeks' took 28.6 s, running it 1.1 s. So that
    one statement runs without JIT (SET LOCAL: until the end of its own transaction)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def department_weeks(*, projects: QuerySet[Project], mondays: list[date], as_of: date) -> list[dict]:
    """Each department of `projects` over the weeks starting on `mondays`, by department code: the
    table's figures summed over the weeks, `reported_on_time` over all its project-weeks, `score` the
    mean of its weekly scores, `rank` by that mean, and `by_week` [{week, score, rank}].

    Each week is read as it stood at its end (its Sunday, or `as_of` if earlier): the same figures
    as the week's bulletin read on that day. One query for all the weeks: the weeks' counts are
    one UNION ALL of per-week aggregates over the same projects. Its cost grows with weeks ×
    projects (docs/reports.md).
    """
    ids = projects.ids()
    parts = [
        department_counts(
            Project.objects.filter(pk__in=ids).with_flags(min(monday + timedelta(days=6), as_of)),
            monday=monday, as_of=as_of,
        ).annotate(week_index=Value(index))
        for index, monday in enumerate(mondays)
    ]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    weeks: list[dict[int, dict]] = [{} for _ in mondays]
    departments: dict[int, dict] = {}
    with _without_jit():
        rows = list(combined)
    for row in rows:
        departments.setdefault(row["department_id"], _department(row))
        weeks[row["week_index"]][row["department_id"]] = row

    # Each week's scores and ranks among the departments.
    weekly: list[dict[int, dict]] = []
    for rows in weeks:
        ranked = _ranked([{"department": departments[pk], "score": assessment.score(_counts(row)), "pk": pk}
                          for pk, row in rows.items()])
        weekly.append({row["pk"]: row for row in ranked})

    table = []
    for pk, department in sorted(departments.items(), key=lambda item: item[1]["code"]):
        counted = [rows[pk] for rows in weeks if pk in rows]
        by_week = [
            {"week": iso_week(monday), "score": scores[pk]["score"] if pk in scores else None,
             "rank": scores[pk]["rank"] if pk in scores else None}
            for monday, scores in zip(mondays, weekly)
        ]
        table.append({
            "department": department,
            **{figure: sum(row[figure] for row in counted) for figure in TABLE_FIGURES},
            "reported_on_time": rate(sum(row["on_time"] for row in counted), sum(row["active"] for row in counted)),
            "score": assessment.mean([week["score"] for week in by_week]),
            "by_week": by_week,
        })
    return _ranked(table)
