"""Queryset methods: date-dependent flags as SQL annotations for an explicit `as_of`, and write scopes.

The models import this module, so it names them through the app registry, never by import.

Every flag has exactly one definition here (the warning rules' levels in `projects.domain.lights`);
filters, ordering, serializers and reports use these annotations. The flags are wrapped by
`projects.fast.compiled.compiled_once`, so a plan's flag SQL is compiled once and reused.
"""

from datetime import date, timedelta

from django.apps import apps
from django.db import models
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from projects.domain import roles
from projects.domain.choices import ACTIVE_STATUSES, MilestoneState, PhotoCheck, ProblemState
from projects.domain.lights import escalation_level, flag, level_annotations, thresholds, visit_overdue
from projects.domain.periods import time_progress
from projects.fast.compiled import compiled_once
from projects.fast.ids import ids_without_annotations


def open_on(as_of: date) -> Q:
    """Not completed as of `as_of`: a completion dated later still leaves it open that day."""
    return Q(completed_on__isnull=True) | Q(completed_on__gt=as_of)


def done_on(as_of: date) -> Q:
    """Completed on or before `as_of`."""
    return Q(completed_on__isnull=False, completed_on__lte=as_of)


def date_subquery(queryset: models.QuerySet, aggregate) -> Subquery:
    """One date per project (MIN or MAX) of `queryset`, correlated on OuterRef("pk")."""
    rows = queryset.order_by().values("project").annotate(value=aggregate).values("value")
    return Subquery(rows, output_field=DateField())


def _count_subquery(queryset: models.QuerySet, group_by: str) -> Coalesce:
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class DayDifference(Func):
    """`later` − `earlier` in whole days, as an integer (two dates)."""

    arity = 2
    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
                           arg_joiner=") - julianday(", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s::date)", arg_joiner="::date - ", **extra)


def time_progress_expression(as_of: date) -> Case:
    """时序进度 (`periods.time_progress`) of each project's own year."""
    return Case(
        When(year__lt=as_of.year, then=Value(time_progress(as_of, as_of.year - 1))),
        When(year__gt=as_of.year, then=Value(time_progress(as_of, as_of.year + 1))),
        default=Value(time_progress(as_of, as_of.year)),
        output_field=FloatField(),
    )


class ProjectQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def with_flags(self, as_of: date, *, live: bool = False):
        """Annotate every date-dependent flag of the contract, evaluated as of `as_of`.

        `live=True` may be passed when nothing can be dated after `as_of` (it is today or
        later): the cached deadline and visit columns are then exact and no subquery is needed.
        """
        Milestone, Visit = apps.get_model("projects", "Milestone"), apps.get_model("projects", "Visit")
        open_milestones = Milestone.objects.filter(open_on(as_of), project=OuterRef("pk"), due_date__isnull=False)
        if live:
            next_due = F("cached_next_due_date")
            last_visit = F("cached_last_visit_on")
        else:
            # MIN/MAX per project rather than ORDER BY … LIMIT 1: the planner then always uses the
            # per-project indexes, even on tables whose statistics are stale after a bulk load.
            next_due = date_subquery(open_milestones, Min("due_date"))
            last_visit = date_subquery(
                Visit.objects.filter(project=OuterRef("pk"), visited_on__lte=as_of), Max("visited_on"),
            )
        active = Q(status__in=ACTIVE_STATUSES)
        problem_due, overdue_problems = _problem_deadlines(as_of, live)
        problems_overdue = active & Q(problem_due_since__lt=as_of)
        assessment = _assessment_valid_on(as_of)
        return self.annotate(**compiled_once(dict(
            next_due_date=next_due,
            last_visit_on=last_visit,
            # No visit counts as a visit long ago; one reference keeps the subquery from repeating.
            visit_overdue_since=Coalesce("last_visit_on", Value(date.min), output_field=DateField()),
            is_overdue=flag(active & Q(next_due_date__lt=as_of)),
            overdue_milestone_count=Case(
                When(active & Q(next_due_date__lt=as_of),
                     then=_count_subquery(open_milestones.filter(due_date__lt=as_of), "project")),
                default=Value(0),
                output_field=IntegerField(),
            ),
            visit_overdue=visit_overdue(as_of),
            time_progress=time_progress_expression(as_of),
            investment_lag=Case(
                When(
                    annual_plan_investment__gt=0,
                    then=F("time_progress") - Value(100.0) * F("completed_investment") / F("annual_plan_investment"),
                ),
                default=None,
                output_field=FloatField(),
            ),
            problem_due_since=problem_due,
            overdue_problem_count=Case(
                When(problems_overdue, then=_count_subquery(overdue_problems, "project_key")),
                default=Value(0),
                output_field=IntegerField(),
            ),
            overdue_problem_title=Case(
                When(problems_overdue, then=Subquery(overdue_problems.order_by("due_date", "key").values("title")[:1])),
                default=None,
                output_field=CharField(),
            ),
            assessed_level=Subquery(assessment.values("level")[:1], output_field=CharField()),
            assessed_reason=Subquery(assessment.values("reason")[:1], output_field=TextField()),
            assessed_until=Subquery(assessment.values("valid_until")[:1], output_field=DateField()),
        ))).annotate(**compiled_once(level_annotations(as_of)))

    def ids(self) -> models.QuerySet:
        """The ids of these projects, for `project__in=`, without the flags (`projects.fast.ids`).

        The filters on flags still apply; an aggregate, a window or a DISTINCT ON that needs a flag
        is refused with a ValueError.
        """
        return ids_without_annotations(self)

    def writable_by(self, user, resource: str = "status_update", action: str = roles.CREATE):
        """Projects on which `user` may do `action` on records of `resource` (by default: report progress)."""
        return self.filter(roles.project_filter(user, resource, action))


def _problem_moves_in_force(as_of: date) -> models.QuerySet:
    """The moves that set each problem's state on `as_of`: its last move dated on or before that day.

    A problem's moves are never dated before an earlier one, so its later moves have larger ids.
    """
    ProblemMove = apps.get_model("projects", "ProblemMove")
    later = ProblemMove.objects.filter(problem=OuterRef("problem"), moved_on__lte=as_of, pk__gt=OuterRef("pk"))
    return ProblemMove.objects.filter(moved_on__lte=as_of).filter(~Exists(later))


def _problem_deadlines(as_of: date, live: bool):
    """(the earliest deadline among a project's problems assigned on `as_of`, those problems as rows
    with `due_date`, `title`, `key` and `project_key`, correlated on OuterRef("pk"))."""
    if live:
        # Nothing is dated after as_of: a problem's state and deadline are its current ones.
        Problem = apps.get_model("projects", "Problem")
        assigned = Problem.objects.filter(project=OuterRef("pk"), state=ProblemState.ASSIGNED)
        overdue = assigned.filter(due_date__lt=as_of).annotate(key=F("pk"), project_key=F("project_id"))
        return F("cached_problem_due_date"), overdue
    assigned = _problem_moves_in_force(as_of).filter(
        problem__project=OuterRef("pk"), state_to=ProblemState.ASSIGNED,
    ).annotate(title=F("problem__title"), key=F("problem_id"), project_key=F("problem__project_id"))
    # The earliest by ORDER BY … LIMIT 1 rather than MIN: an aggregate would be read as one more
    # per-project figure by the summary's fenced sums.
    earliest = Subquery(assigned.order_by("due_date").values("due_date")[:1], output_field=DateField())
    return earliest, assigned.filter(due_date__lt=as_of)


def _assessment_valid_on(as_of: date) -> models.QuerySet:
    """The project's assessments valid on `as_of`, the latest first (correlated on OuterRef("pk"))."""
    Assessment = apps.get_model("projects", "Assessment")
    return Assessment.objects.valid_on(as_of).filter(project=OuterRef("pk")).order_by("-assessed_on", "-id")


class MilestoneQuerySet(models.QuerySet):
    def get_by_natural_key(self, project_code, kind, title):
        return self.get(project__code=project_code, kind=kind, title=title)

    def with_flags(self, as_of: date):
        """Annotate `state` and `is_overdue` as of `as_of`."""
        soon = as_of + timedelta(days=thresholds()["DUE_SOON_DAYS"])
        done = done_on(as_of)
        return self.annotate(**compiled_once(dict(
            state=Case(
                When(done & Q(due_date__isnull=False, completed_on__gt=F("due_date")),
                     then=Value(MilestoneState.DONE_LATE)),
                When(done, then=Value(MilestoneState.DONE)),
                When(due_date__lt=as_of, then=Value(MilestoneState.OVERDUE)),
                When(due_date__lte=soon, then=Value(MilestoneState.DUE_SOON)),
                default=Value(MilestoneState.PENDING),
                output_field=CharField(),
            ),
            is_overdue=flag(open_on(as_of) & Q(due_date__lt=as_of)),
        )))


class ApprovalItemQuerySet(models.QuerySet):
    def with_flags(self, as_of: date):
        """Annotate `is_overdue` as of `as_of`."""
        return self.annotate(is_overdue=flag(open_on(as_of) & Q(due_date__lt=as_of)))


class OfficialQuerySet(models.QuerySet):
    def get_by_natural_key(self, name, title):
        return self.get(name=name, title=title)

    def with_counts(self, as_of: date, *, live: bool = False):
        """Annotate how many projects each official leads, and how many are overdue as of `as_of`."""
        Project = apps.get_model("projects", "Project")
        led = Project.objects.filter(lead_official=OuterRef("pk"))
        flagged = Project.objects.with_flags(as_of, live=live).filter(lead_official=OuterRef("pk"))
        return self.annotate(
            project_count=_count_subquery(led, "lead_official"),
            overdue_project_count=_count_subquery(flagged.filter(is_overdue=True), "lead_official"),
            visit_overdue_project_count=_count_subquery(flagged.filter(visit_overdue=True), "lead_official"),
        )


def problem_deadline_on(as_of: date, *, live: bool = False):
    """A problem's deadline if it is assigned (已交办) on `as_of`, else NULL.

    Its state and deadline on a past day are those of its last move dated up to that day: a
    problem answered or closed later was still assigned then, and one raised later did not exist.
    """
    if live:
        return Case(When(state=ProblemState.ASSIGNED, then=F("due_date")), default=None, output_field=DateField())
    in_force = _problem_moves_in_force(as_of).filter(problem=OuterRef("pk"))
    deadline = Case(When(state_to=ProblemState.ASSIGNED, then=F("due_date")), default=None, output_field=DateField())
    return Subquery(in_force.annotate(deadline=deadline).values("deadline")[:1], output_field=DateField())


class ProblemQuerySet(models.QuerySet):
    def with_flags(self, as_of: date, *, live: bool = False):
        """Annotate `is_overdue`, `days_overdue` and `escalation_level` as of `as_of`.

        Overdue means assigned on `as_of` and past its deadline then (the due day itself is not
        overdue); an answered problem waits for the office and is not overdue.
        """
        overdue = Q(assigned_due_date__lt=as_of)
        return self.annotate(**compiled_once(dict(
            assigned_due_date=problem_deadline_on(as_of, live=live),
        ))).annotate(**compiled_once(dict(
            is_overdue=flag(overdue),
            days_overdue=Case(
                When(overdue, then=DayDifference(Value(as_of), F("assigned_due_date"))),
                default=Value(0),
                output_field=IntegerField(),
            ),
            escalation_level=escalation_level("assigned_due_date", as_of),
        )))

    def with_state_on(self, as_of: date, *, live: bool = False):
        """Annotate `state_on`: the state each problem was in on `as_of` (NULL if raised later)."""
        if live:
            return self.annotate(state_on=F("state"))
        in_force = _problem_moves_in_force(as_of).filter(problem=OuterRef("pk"))
        raised = Case(When(raised_on__lte=as_of, then=Value(ProblemState.OPEN.value)), default=None,
                      output_field=CharField())
        return self.annotate(state_on=Coalesce(
            Subquery(in_force.values("state_to")[:1], output_field=CharField()), raised, output_field=CharField(),
        ))

    def writable_by(self, user, action: str = roles.UPDATE):
        """Problems on which `user` may do `action` (the policy's "problem" entry: raise, edit, or a move)."""
        return self.filter(roles.scope_filter(user, "problem", action))


class AssessmentQuerySet(models.QuerySet):
    def valid_on(self, as_of: date):
        """Assessments valid on `as_of`: from `assessed_on` to `valid_until`, both included."""
        return self.filter(assessed_on__lte=as_of, valid_until__gte=as_of)


# A photo linked to a visit or a report is taken on its day when at most this many days away.
PHOTO_DATE_TOLERANCE_DAYS = 3


class PhotoQuerySet(models.QuerySet):
    def with_check(self, area: tuple[float, float, float, float]):
        """Annotate `photo_check`: `outside_area` (GPS outside `area`, lat_min, lon_min, lat_max, lon_max),
        `date_mismatch` (taken more than PHOTO_DATE_TOLERANCE_DAYS from the linked visit's or report's
        day), `no_exif` (neither date nor GPS), else `ok`."""
        lat_min, lon_min, lat_max, lon_max = area
        located = Q(latitude__isnull=False, longitude__isnull=False)
        inside = Q(latitude__gte=lat_min, latitude__lte=lat_max, longitude__gte=lon_min, longitude__lte=lon_max)
        days = PHOTO_DATE_TOLERANCE_DAYS
        return self.alias(
            record_day=Coalesce(F("visit__visited_on"), F("status_update__reported_on")),
        ).alias(
            days_off=DayDifference(F("taken_on"), F("record_day")),
        ).annotate(photo_check=Case(
            When(located & ~inside, then=Value(PhotoCheck.OUTSIDE_AREA)),
            When(Q(days_off__gt=days) | Q(days_off__lt=-days), then=Value(PhotoCheck.DATE_MISMATCH)),
            When(taken_on__isnull=True, latitude__isnull=True, then=Value(PhotoCheck.NO_EXIF)),
            default=Value(PhotoCheck.OK),
            output_field=CharField(),
        ))


class LeadQuerySet(models.QuerySet):
    def writable_by(self, user, action: str = roles.UPDATE):
        """Leads on which `user` may do `action` (the policy's "lead" entry)."""
        return self.filter(roles.scope_filter(user, "lead", action))
