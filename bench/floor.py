"""The floor of the bench (`python -m bench`): each benchmarked response built by hand-written SQL.

Every function here returns the exact JSON body the API answers for the same request, built
with the database cursor, plain dicts and `json.dumps`: no ORM, no serializers, no filters.
It is what a request costs when nothing but the work itself is done, so the benchmark reports
each endpoint as a ratio to it, measured in the same run. The bench compares both bodies and
stops when they differ, so a floor cannot drift from the API unnoticed.

Pure Python helpers of the service (choice labels, warning-reason texts, rates) are reused:
they cost the same on both sides. When the API body gains a field, add it to the SQL column
list (`PROJECT_COLUMNS`, `MILESTONE_COLUMNS`, …) and to the matching `*_body` function.

A generated portfolio has problems (问题台账) but no assessments (人工研判): the floor computes the
problem rule of the light, the problem list and the bulletin's week of problems by hand, and
writes the assessed light as a portfolio without assessments reads it (null, no project whose
lights differ); `python -m bench` refuses a database that holds any assessment.
"""

import base64
import json
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from hmac import compare_digest
from types import SimpleNamespace
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from knox.crypto import hash_token
from knox.settings import CONSTANTS

from projects.domain import assessment
from projects.domain.choices import (
    ACTIVE_STATUSES,
    MILESTONE_KIND_OF_BATCH,
    STARTED_STATUSES,
    BatchKind,
    LeadStage,
    MilestoneKind,
    MilestoneState,
    EscalationLevel,
    ProblemCategory,
    ProblemSource,
    ProblemState,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    WarningLevel,
)
from projects.domain.dates import is_live
from projects.domain.lights import thresholds
from projects.domain.lights import warning_reasons as reasons_of
from projects.domain.periods import time_progress
from projects.domain.rates import rate
from projects.models import Project
from projects.reports import weekly_bulletin_title
from projects.selectors.events import _PG_FRONTIER

CENTS = Decimal("0.01")
LOCAL = ZoneInfo(settings.TIME_ZONE)
LABELS = {
    "category": dict(ProjectCategory.choices), "level": dict(ProjectLevel.choices), "sector": dict(Sector.choices),
    "status": dict(ProjectStatus.choices), "warning_level": dict(WarningLevel.choices),
    "kind": dict(MilestoneKind.choices), "state": dict(MilestoneState.choices), "batch": dict(BatchKind.choices),
    "lead_stage": dict(LeadStage.choices), "problem_category": dict(ProblemCategory.choices),
    "problem_source": dict(ProblemSource.choices), "problem_state": dict(ProblemState.choices),
    "escalation": dict(EscalationLevel.choices),
}


def _table(label: str) -> str:
    """The table of model `label` ("app_label.ModelName"), as the model names it."""
    return apps.get_model(label)._meta.db_table


# The tables the floor reads and writes, named by their models: a renamed table renames it here too.
T = SimpleNamespace(
    user=_table(settings.AUTH_USER_MODEL),
    token=_table("knox.AuthToken"),
    department=_table("projects.Department"),
    official=_table("projects.Official"),
    project=_table("projects.Project"),
    project_history=_table("projects.HistoricalProject"),
    batch=_table("projects.ProjectBatch"),
    milestone=_table("projects.Milestone"),
    visit=_table("projects.Visit"),
    approval_item=_table("projects.ApprovalItem"),
    status_update=_table("projects.StatusUpdate"),
    lead=_table("projects.Lead"),
    lead_move=_table("projects.LeadMove"),
    target=_table("projects.Target"),
    problem=_table("projects.Problem"),
    problem_move=_table("projects.ProblemMove"),
    event=_table("projects.Event"),
    events_pruned=_table("projects.EventsPruned"),
)


# --- values as DRF renders them ---------------------------------------------------------------


def iso_date(value) -> str | None:
    if value is None:
        return None
    return value[:10] if isinstance(value, str) else value.isoformat()


def parse_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def iso_datetime(value) -> str | None:
    """Local time (Asia/Shanghai) with its offset, as DRF's DateTimeField renders it."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_timezone.utc)
    return value.astimezone(LOCAL).isoformat()


def money(value) -> str | None:
    if value is None:
        return None
    return f"{Decimal(str(value)).quantize(CENTS):f}"


def flag(value) -> bool:
    return bool(value)


def dumps(body) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def rows(cursor, sql: str, params) -> list[dict]:
    cursor.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def in_list(ids) -> str:
    """`IN (...)` of integer ids, inlined: they come from the database, never from the caller."""
    return "(" + ",".join(str(int(i)) for i in ids) + ")" if ids else "(NULL)"


# --- authentication ---------------------------------------------------------------------------


def authenticate(cursor, token: str) -> int:
    """The user id of a knox token: one query, one digest."""
    cursor.execute(
        f"SELECT t.digest, t.user_id FROM {T.token} t JOIN {T.user} u ON u.id = t.user_id "
        "WHERE t.token_key = %(key)s AND u.is_active AND (t.expiry IS NULL OR t.expiry > %(now)s)",
        {"key": token[:CONSTANTS.TOKEN_KEY_LENGTH], "now": timezone.now()},
    )
    for digest, user_id in cursor.fetchall():
        if compare_digest(hash_token(token), digest):
            return user_id
    raise PermissionError("invalid token")


# --- the flags ----------------------------------------------------------------------------------


class Flags:
    """SQL of the date-dependent flags as of one day, for projects aliased `p`.

    At a past `as_of` the earliest open deadline and the latest visit are correlated
    subqueries, computed once per row in a derived table (`source`); today they are the
    cached columns. The number of overdue milestones is only read for a page's rows.
    """

    def __init__(self, as_of: date, live: bool):
        rules = thresholds()
        self.as_of, self.live = as_of, live
        self.params = {
            "as_of": as_of,
            "red_due": as_of - timedelta(days=rules["RED_OVERDUE_DAYS"]),
            "visit_due": as_of - timedelta(days=rules["VISIT_INTERVAL_DAYS"]),
            "soon": as_of + timedelta(days=rules["DUE_SOON_DAYS"]),
            "red_lag": rules["RED_INVESTMENT_LAG"], "yellow_lag": rules["YELLOW_INVESTMENT_LAG"],
            "progress": time_progress(as_of, as_of.year), "year": as_of.year, "hundred": 100.0,
            "full": time_progress(as_of, as_of.year - 1), "none": time_progress(as_of, as_of.year + 1),
            "problem_red": as_of - timedelta(days=rules["PROBLEM_LEVEL3_AFTER_DAYS"]),
        }
        self.active = "p.status IN (" + ",".join(f"'{s}'" for s in ACTIVE_STATUSES) + ")"
        self.next_due = "p.cached_next_due_date" if live else "p.next_due"
        self.last_visit = "p.cached_last_visit_on" if live else "p.last_visit"
        # The earliest deadline among the project's problems assigned (已交办) on as_of.
        self.problem_due = "p.cached_problem_due_date" if live else "p.problem_due"
        # Keeps the planner from merging the derived table into the outer query, which would
        # repeat each subquery wherever the outer query refers to its column.
        self.fence = " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"

    def source(self, where: str = "", *, overdue_count: bool = False) -> str:
        """The projects (aliased `p`) with what the flags need."""
        if self.live and not overdue_count:
            return f"(SELECT * FROM {T.project} p WHERE {where}) p" if where else f"{T.project} p"
        columns = []
        if not self.live:
            columns += [
                f"(SELECT MIN(m.due_date) FROM {T.milestone} m WHERE m.project_id = p.id AND m.due_date IS NOT NULL "
                "AND (m.completed_on IS NULL OR m.completed_on > %(as_of)s)) AS next_due",
                f"(SELECT MAX(v.visited_on) FROM {T.visit} v WHERE v.project_id = p.id "
                "AND v.visited_on <= %(as_of)s) AS last_visit",
                f"(SELECT MIN(mv.due_date) {self.assigned_problems} AND {self.in_force('mv', 'as_of')}) AS problem_due",
            ]
        if overdue_count:
            columns.append(
                f"(SELECT COUNT(*) FROM {T.milestone} m WHERE m.project_id = p.id AND m.due_date < %(as_of)s "
                "AND (m.completed_on IS NULL OR m.completed_on > %(as_of)s)) AS overdue_n"
            )
            if self.live:
                overdue = (f"FROM {T.problem} pr WHERE pr.project_id = p.id AND pr.state = 'assigned' "
                           "AND pr.due_date < %(as_of)s")
                first = "pr.due_date, pr.id"
            else:
                overdue = f"{self.assigned_problems} AND {self.in_force('mv', 'as_of')} AND mv.due_date < %(as_of)s"
                first = "mv.due_date, pr.id"
            columns += [f"(SELECT COUNT(*) {overdue}) AS overdue_problem_n",
                        f"(SELECT pr.title {overdue} ORDER BY {first} LIMIT 1) AS overdue_problem_title"]
        return (f"(SELECT p.*, {', '.join(columns)} FROM {T.project} p"
                f"{' WHERE ' + where if where else ''}{self.fence}) p")

    @property
    def assigned_problems(self) -> str:
        """FROM … WHERE of the moves that assigned a problem of project `p`; `in_force` keeps each problem's last."""
        return (f"FROM {T.problem_move} mv JOIN {T.problem} pr ON pr.id = mv.problem_id "
                "WHERE pr.project_id = p.id AND mv.state_to = 'assigned'")

    @staticmethod
    def in_force(alias: str, day: str) -> str:
        """Move `alias` is its problem's last move dated on or before the parameter `day`."""
        return (f"{alias}.id = (SELECT MAX(x.id) FROM {T.problem_move} x WHERE x.problem_id = {alias}.problem_id "
                f"AND x.moved_on <= %({day})s)")

    @property
    def time_progress(self) -> str:
        return "(CASE WHEN p.year < %(year)s THEN %(full)s WHEN p.year > %(year)s THEN %(none)s ELSE %(progress)s END)"

    @property
    def investment_lag(self) -> str:
        return (f"(CASE WHEN p.annual_plan_investment > 0 THEN {self.time_progress} - "
                "%(hundred)s * p.completed_investment / p.annual_plan_investment END)")

    @property
    def is_overdue(self) -> str:
        return f"({self.active} AND {self.next_due} < %(as_of)s)"

    @property
    def visit_overdue(self) -> str:
        return f"({self.active} AND ({self.last_visit} IS NULL OR {self.last_visit} < %(visit_due)s))"

    def level(self, red: str | None, yellow: str) -> str:
        """A rule's level: red or yellow where its condition holds on an active project, green otherwise."""
        red_case = f"WHEN {self.active} AND ({red}) THEN 'red' " if red else ""
        return f"(CASE {red_case}WHEN {self.active} AND ({yellow}) THEN 'yellow' ELSE 'green' END)"

    @property
    def milestone_level(self) -> str:
        return self.level(f"{self.next_due} < %(red_due)s", f"{self.next_due} < %(as_of)s")

    @property
    def investment_level(self) -> str:
        lag = self.investment_lag
        return self.level(f"{lag} > %(red_lag)s", f"{lag} >= %(yellow_lag)s")

    @property
    def visit_level(self) -> str:
        return self.level(None, self.visit_overdue)

    @property
    def problem_level(self) -> str:
        return self.level(f"{self.problem_due} < %(problem_red)s", f"{self.problem_due} < %(as_of)s")

    @property
    def warning_level(self) -> str:
        """The worst of the rules' levels."""
        lag = self.investment_lag
        return self.level(
            f"{self.next_due} < %(red_due)s OR {lag} > %(red_lag)s OR {self.problem_due} < %(problem_red)s",
            f"{self.next_due} < %(as_of)s OR {lag} >= %(yellow_lag)s OR {self.visit_overdue} "
            f"OR {self.problem_due} < %(as_of)s",
        )

    def columns(self) -> str:
        """Every flag of a project row, as select-list items."""
        return (
            f"{self.next_due} AS next_due_date, {self.last_visit} AS last_visit_on, "
            f"CASE WHEN {self.is_overdue} THEN 1 ELSE 0 END AS is_overdue, "
            f"CASE WHEN {self.is_overdue} THEN p.overdue_n ELSE 0 END AS overdue_milestone_count, "
            f"CASE WHEN {self.visit_overdue} THEN 1 ELSE 0 END AS visit_overdue, "
            f"{self.time_progress} AS time_progress, {self.investment_lag} AS investment_lag, "
            f"{self.milestone_level} AS milestone_level, {self.investment_level} AS investment_level, "
            f"{self.visit_level} AS visit_level, {self.warning_level} AS warning_level, "
            f"{self.problem_due} AS problem_due_since, {self.problem_level} AS problem_level, "
            f"CASE WHEN {self.problems_overdue} THEN p.overdue_problem_n ELSE 0 END AS overdue_problem_count, "
            f"CASE WHEN {self.problems_overdue} THEN p.overdue_problem_title END AS overdue_problem_title"
        )

    @property
    def problems_overdue(self) -> str:
        return f"({self.active} AND {self.problem_due} < %(as_of)s)"

    @property
    def milestone_state(self) -> str:
        done = "(m.completed_on IS NOT NULL AND m.completed_on <= %(as_of)s)"
        return (
            f"CASE WHEN {done} AND m.due_date IS NOT NULL AND m.completed_on > m.due_date THEN 'done_late' "
            f"WHEN {done} THEN 'done' WHEN m.due_date < %(as_of)s THEN 'overdue' "
            "WHEN m.due_date <= %(soon)s THEN 'due_soon' ELSE 'pending' END"
        )

    @property
    def milestone_overdue(self) -> str:
        return "(m.due_date < %(as_of)s AND (m.completed_on IS NULL OR m.completed_on > %(as_of)s))"


# --- projects -----------------------------------------------------------------------------------

PROJECT_COLUMNS = (
    "p.id, p.code, p.name, p.year, p.category, p.level, p.sector, p.zone, p.status, p.total_investment, "
    "p.annual_plan_investment, p.completed_investment, p.progress_percent, p.floor_area, p.owner, "
    "p.description, p.version, p.created_at, p.updated_at, "
    "d.id AS department_id, d.code AS department_code, d.name AS department_name, "
    "o.id AS official_id, o.name AS official_name, o.title AS official_title, "
    "p.delivery_plan, p.delivery_task_force, p.delivery_bank, p.delivery_stalled_since, "
    "l.id AS lead_id, l.name AS lead_name, l.stage AS lead_stage"
)
PROJECT_JOINS = (f"JOIN {T.department} d ON d.id = p.department_id "
                 f"LEFT JOIN {T.official} o ON o.id = p.lead_official_id")
DETAIL_JOINS = f"{PROJECT_JOINS} LEFT JOIN {T.lead} l ON l.project_id = p.id"
MILESTONE_BRIEF_COLUMNS = "m.id, m.project_id, m.kind, m.title, m.due_period, m.due_date, m.completed_on"


def warning_reasons(row: dict, as_of: date) -> list[dict]:
    return reasons_of(SimpleNamespace(**row), as_of)


def milestone_brief(m: dict) -> dict:
    return {
        "id": m["id"], "kind": m["kind"], "kind_display": LABELS["kind"][m["kind"]], "title": m["title"],
        "due_period": m["due_period"], "due_date": iso_date(m["due_date"]), "completed_on": iso_date(m["completed_on"]),
        "state": m["state"], "state_display": LABELS["state"][m["state"]],
    }


def project_body(p: dict, milestones: list[dict], batches: list[dict], as_of: date) -> dict:
    p["next_due_date"] = parse_date(p["next_due_date"])
    p["last_visit_on"] = parse_date(p["last_visit_on"])
    p["problem_due_since"] = parse_date(p["problem_due_since"])
    p["is_overdue"], p["visit_overdue"] = flag(p["is_overdue"]), flag(p["visit_overdue"])
    return {
        "id": p["id"], "code": p["code"], "name": p["name"], "year": p["year"],
        "category": p["category"], "category_display": LABELS["category"][p["category"]],
        "level": p["level"], "level_display": LABELS["level"][p["level"]],
        "sector": p["sector"], "sector_display": LABELS["sector"][p["sector"]], "zone": p["zone"],
        "status": p["status"], "status_display": LABELS["status"][p["status"]],
        "batches": [{"period": b["period"], "kind": b["kind"], "kind_display": LABELS["batch"][b["kind"]]}
                    for b in batches],
        "total_investment": money(p["total_investment"]),
        "annual_plan_investment": money(p["annual_plan_investment"]),
        "completed_investment": money(p["completed_investment"]),
        "progress_percent": p["progress_percent"], "floor_area": money(p["floor_area"]), "owner": p["owner"],
        "department": {"id": p["department_id"], "code": p["department_code"], "name": p["department_name"]},
        "lead_official": None if p["official_id"] is None else {
            "id": p["official_id"], "name": p["official_name"], "title": p["official_title"]},
        "description": p["description"],
        "delivery": {
            "plan": p["delivery_plan"], "task_force": p["delivery_task_force"], "bank": p["delivery_bank"],
            "stalled_since": iso_date(p["delivery_stalled_since"]),
        } if p["sector"] == Sector.HOUSING else None,
        "source_lead": None if p["lead_id"] is None else {
            "id": p["lead_id"], "name": p["lead_name"], "stage": p["lead_stage"],
            "stage_display": LABELS["lead_stage"][p["lead_stage"]]},
        "milestones": [milestone_brief(m) for m in milestones],
        "next_due_date": iso_date(p["next_due_date"]), "is_overdue": p["is_overdue"],
        "overdue_milestone_count": p["overdue_milestone_count"],
        "warning_level": p["warning_level"], "warning_level_display": LABELS["warning_level"][p["warning_level"]],
        "warning_reasons": warning_reasons(p, as_of),
        "assessed_level": None, "assessed_level_display": None, "assessed_reason": None, "assessed_until": None,
        "last_visit_on": iso_date(p["last_visit_on"]), "visit_overdue": p["visit_overdue"],
        "version": p["version"], "created_at": iso_datetime(p["created_at"]), "updated_at": iso_datetime(p["updated_at"]),
    }


def project_bodies(cursor, ids: list[int], flags: Flags) -> list[dict]:
    """Full bodies of the projects `ids`, in that order: the row, its milestones, its batches."""
    if not ids:
        return []
    projects = rows(cursor, (
        f"SELECT {PROJECT_COLUMNS}, {flags.columns()} "
        f"FROM {flags.source(f'p.id IN {in_list(ids)}', overdue_count=True)} {DETAIL_JOINS}"
    ), flags.params)
    milestones = {i: [] for i in ids}
    for m in rows(cursor, (
        f"SELECT {MILESTONE_BRIEF_COLUMNS}, {flags.milestone_state} AS state FROM {T.milestone} m "
        f"WHERE m.project_id IN {in_list(ids)} ORDER BY m.due_date IS NULL, m.due_date, m.project_id, m.id"
    ), flags.params):
        milestones[m["project_id"]].append(m)
    batches = {i: [] for i in ids}
    for b in rows(cursor, (f"SELECT project_id, period, kind FROM {T.batch} "
                           f"WHERE project_id IN {in_list(ids)} ORDER BY period, kind, id"), {}):
        batches[b["project_id"]].append(b)
    by_id = {p["id"]: p for p in projects}
    return [project_body(by_id[i], milestones[i], batches[i], flags.as_of) for i in ids]


def page_url(base: str, params: dict, page: int) -> str:
    """The `next`/`previous` link DRF's page-number pagination writes: sorted parameters, no page 1."""
    query = {key: value for key, value in params.items() if key != "page"}
    if page > 1:
        query["page"] = page
    return f"{base}?{urlencode(sorted(query.items()))}"


def project_list(token: str, *, as_of: date, live: bool, params: dict, base: str,
                 where: str = "", order: str = "") -> bytes:
    """GET /projects/: the page's ids (and count) on the project table, flags joined only if a filter
    or the ordering needs them; then the full bodies of those ids."""
    flags = Flags(as_of, live)
    page, page_size = int(params.get("page", 1)), int(params.get("page_size", 50))
    with connection.cursor() as cursor:
        authenticate(cursor, token)
        # A flag condition as a CASE, like the ORM writes it: SQLite then scans in page order and
        # stops at the page instead of reading a status index for most of the table.
        condition = f"(CASE WHEN {where.format(f=flags)} THEN 1 ELSE 0 END) = 1" if where else ""
        needs_flags = "{f." in where or "{f." in order
        table = flags.source() if needs_flags else f"{T.project} p"
        sql_where = f"WHERE {condition}" if condition else ""
        cursor.execute(f"SELECT COUNT(*) FROM {table} {sql_where}", flags.params)
        count = cursor.fetchone()[0]
        order_by = order.format(f=flags) if order else "p.code, p.id"
        cursor.execute(
            f"SELECT p.id FROM {table} {sql_where} ORDER BY {order_by} "
            f"LIMIT {int(page_size)} OFFSET {int((page - 1) * page_size)}", flags.params,
        )
        ids = [row[0] for row in cursor.fetchall()]
        results = project_bodies(cursor, ids, flags)
    last = (count + page_size - 1) // page_size
    return dumps({
        "count": count,
        "next": page_url(base, params, page + 1) if page < last else None,
        "previous": None if page == 1 else page_url(base, params, page - 1),
        "results": results,
    })


def cursor_token(direction: str, code: str) -> str:
    """A keyset cursor as the API writes it: URL-safe base64 of {"after"|"before": code}, unpadded."""
    return base64.urlsafe_b64encode(json.dumps({direction: code}).encode()).decode().rstrip("=")


def project_list_after(token: str, *, as_of: date, live: bool, params: dict, base: str, after: str) -> bytes:
    """GET /projects/?cursor=… (the page after project code `after`): the count, then the page's
    ids found through the code index, then their bodies."""
    flags = Flags(as_of, live)
    page_size = int(params.get("page_size", 50))
    with connection.cursor() as cursor:
        authenticate(cursor, token)
        cursor.execute(f"SELECT COUNT(*) FROM {T.project}")
        count = cursor.fetchone()[0]
        cursor.execute(f"SELECT p.id, p.code FROM {T.project} p WHERE p.code > %(after)s ORDER BY p.code, p.id "
                       f"LIMIT {page_size + 1}", {"after": after})
        keys = cursor.fetchall()
        more, keys = len(keys) > page_size, keys[:page_size]
        results = project_bodies(cursor, [pk for pk, _ in keys], flags)

    def link(direction, code):
        query = {**params, "cursor": cursor_token(direction, code)}
        return f"{base}?{urlencode(sorted(query.items()))}"

    return dumps({
        "count": count,
        "next": link("after", keys[-1][1]) if more else None,
        "previous": link("before", keys[0][1]) if keys else None,
        "results": results,
    })


def project_detail(token: str, *, pk: int, as_of: date, live: bool) -> bytes:
    flags = Flags(as_of, live)
    with connection.cursor() as cursor:
        authenticate(cursor, token)
        (body,) = project_bodies(cursor, [pk], flags)
    return dumps(body)


# --- status updates -------------------------------------------------------------------------------


def _history_columns() -> list[str]:
    """The columns of the project's history rows that copy the project's own fields."""
    own = {f.column for f in Project._meta.concrete_fields}
    return [f.column for f in Project.history.model._meta.concrete_fields if f.column in own]


def status_update_create(token: str, *, pk: int, note: str, progress_percent: int) -> bytes:
    """POST /projects/{pk}/status-updates/ without a status change: lock the project, insert the
    report, update the project, write its history row."""
    history = _history_columns()
    now = timezone.now()
    reported_on = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        user_id = authenticate(cursor, token)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        (p,) = rows(cursor, f"SELECT {', '.join('p.' + c for c in history)} FROM {T.project} p "
                            f"WHERE p.id = %(pk)s{lock}", {"pk": pk})
        cursor.execute(
            f"INSERT INTO {T.status_update} (project_id, status_from, status_to, completed_investment, "
            "progress_percent, note, problems, next_steps, reported_on, reported_by_id, created_at, "
            "idempotency_key, request_fingerprint) VALUES (%(pk)s, %(status)s, %(status)s, %(money)s, "
            "%(progress)s, %(note)s, '', '', %(day)s, %(user)s, %(now)s, NULL, '') RETURNING id",
            {"pk": pk, "status": p["status"], "money": p["completed_investment"], "progress": progress_percent,
             "note": note, "day": reported_on, "user": user_id, "now": now},
        )
        report_id = cursor.fetchone()[0]
        p["version"] += 1
        p["progress_percent"] = progress_percent
        cursor.execute(f"UPDATE {T.project} SET progress_percent = %(progress)s, version = %(version)s, "
                       "updated_at = %(now)s WHERE id = %(pk)s",
                       {"progress": progress_percent, "version": p["version"], "now": now, "pk": pk})
        values = {**p, "history_date": now, "history_change_reason": None, "history_type": "~",
                  "history_user_id": user_id}
        columns = [*history, "history_date", "history_change_reason", "history_type", "history_user_id"]
        cursor.execute(
            f"INSERT INTO {T.project_history} ({', '.join(columns)}) "
            f"VALUES ({', '.join('%(' + c + ')s' for c in columns)})", values,
        )
        cursor.execute(f"SELECT username, first_name, last_name FROM {T.user} WHERE id = %(id)s", {"id": user_id})
        username, first, last = cursor.fetchone()
    label = LABELS["status"][p["status"]]
    return dumps({
        "id": report_id, "project": {"id": p["id"], "code": p["code"], "name": p["name"]},
        "status_from": p["status"], "status_from_display": label, "status_to": p["status"], "status_to_display": label,
        "completed_investment": money(p["completed_investment"]), "progress_percent": progress_percent,
        "note": note, "problems": "", "next_steps": "", "reported_on": reported_on.isoformat(),
        "reported_by": {"id": user_id, "username": username, "name": f"{first} {last}".strip() or username},
        "created_at": iso_datetime(now),
    })


# --- the change feed ----------------------------------------------------------------------------


def events_page(token: str, *, after: int, page_size: int, url: str) -> bytes:
    """GET /events/?after=&page_size=: the retention mark, on PostgreSQL the frontier (the same SQL as
    the selector: it is the work of a feed that skips nothing), then one page in id order."""
    with connection.cursor() as cursor:
        authenticate(cursor, token)
        cursor.execute(f"SELECT through_id FROM {T.events_pruned} WHERE id = 1")
        pruned = cursor.fetchone()
        if pruned and after < pruned[0]:
            raise ValueError("after is older than the events kept")
        bound = ""
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FRONTIER, [T.event])
            bound = f" AND id <= {int(cursor.fetchone()[0])}"
        cursor.execute(
            f"SELECT id, type, at, object_type, object_id, project_id, user_id, username, via, data FROM {T.event} "
            f"WHERE id > %(after)s{bound} ORDER BY id LIMIT %(size)s", {"after": after, "size": page_size},
        )
        found = cursor.fetchall()
    results = [{
        "id": pk, "type": kind, "at": iso_datetime(at), "object_type": object_type, "object_id": object_id,
        "project": project_id, "user": {"id": user_id, "username": username} if user_id or username else None,
        "via": via, "data": json.loads(data) if isinstance(data, str) else data,
    } for pk, kind, at, object_type, object_id, project_id, user_id, username, via, data in found]
    following = None
    if len(results) == page_size:
        following = f"{url}?after={results[-1]['id']}&page_size={page_size}"
    return dumps({"next": following, "results": results})


# --- reports ------------------------------------------------------------------------------------


def _counts(column: str, choices) -> str:
    return ", ".join(f"SUM(CASE WHEN {column} = '{code}' THEN 1 ELSE 0 END) AS \"{column}__{code}\""
                     for code in choices.values)


def stats_summary(token: str, *, as_of: date, live: bool, year: int) -> bytes:
    """GET /stats/summary/: one aggregate pass over the year's projects with their flags, then the
    milestones, approvals and "三个一批" rounds of those projects."""

    flags = Flags(as_of, live)
    params = {**flags.params, "list_year": year}
    in_year = f"SELECT id FROM {T.project} WHERE year = %(list_year)s"
    started = ",".join(f"'{s}'" for s in STARTED_STATUSES)
    with connection.cursor() as cursor:
        authenticate(cursor, token)
        (row,) = rows(cursor, (
            "SELECT COUNT(*) AS project_count, "
            f"{_counts('category', ProjectCategory)}, {_counts('level', ProjectLevel)}, "
            f"{_counts('status', ProjectStatus)}, {_counts('sector', Sector)}, "
            f"{_counts('warning_level', WarningLevel)}, "
            "SUM(annual_plan_investment) AS annual_plan, SUM(completed_investment) AS completed, "
            "SUM(CASE WHEN category = 'start' THEN 1 ELSE 0 END) AS start_target, "
            f"SUM(CASE WHEN category = 'start' AND (status IN ({started}) OR (status = 'suspended' "
            f"AND suspended_from IN ({started}))) THEN 1 ELSE 0 END) AS started, "
            f"SUM(CASE WHEN status IN ({','.join(repr(s) for s in ACTIVE_STATUSES)}) THEN 1 ELSE 0 END) AS active, "
            "SUM(visit_overdue) AS visits_overdue "
            "FROM (SELECT p.category, p.level, p.status, p.sector, p.suspended_from, p.annual_plan_investment, "
            f"p.completed_investment, {flags.warning_level} AS warning_level, "
            f"CASE WHEN {flags.visit_overdue} THEN 1 ELSE 0 END AS visit_overdue "
            f"FROM {flags.source('p.year = %(list_year)s')}) f"
        ), params)
        (milestones,) = rows(cursor, (
            "SELECT " + ", ".join(f"SUM(CASE WHEN state = '{s}' THEN 1 ELSE 0 END) AS {s}" for s in MilestoneState.values)
            + f" FROM (SELECT {flags.milestone_state} AS state FROM {T.milestone} m "
            f"WHERE m.project_id IN ({in_year})) s"
        ), params)
        cursor.execute(
            "SELECT COUNT(*), SUM(CASE WHEN completed_on IS NOT NULL AND completed_on <= %(as_of)s THEN 1 ELSE 0 END) "
            f"FROM {T.approval_item} WHERE project_id IN ({in_year})", params,
        )
        approvals_total, approvals_done = cursor.fetchone()
        achieved = " OR ".join(
            f"(b.kind = '{batch}' AND EXISTS (SELECT 1 FROM {T.milestone} m WHERE m.project_id = b.project_id "
            f"AND m.kind = '{kind}' AND m.completed_on IS NOT NULL AND m.completed_on <= %(as_of)s))"
            for batch, kind in MILESTONE_KIND_OF_BATCH.items()
        )
        batches = rows(cursor, (
            f"SELECT b.period, b.kind, COUNT(*) AS count, SUM(CASE WHEN {achieved} THEN 1 ELSE 0 END) AS achieved "
            f"FROM {T.batch} b WHERE b.project_id IN ({in_year}) GROUP BY b.period, b.kind "
            "ORDER BY b.period, b.kind"
        ), params)
    annual_plan = Decimal(str(row["annual_plan"] or 0)).quantize(CENTS)
    completed = Decimal(str(row["completed"] or 0)).quantize(CENTS)
    completion_rate = rate(completed, annual_plan)
    progress = time_progress(as_of, year)
    active, overdue = row["active"] or 0, row["visits_overdue"] or 0
    split = lambda column, choices: {code: int(row[f"{column}__{code}"] or 0) for code in choices.values}  # noqa: E731
    return dumps({
        "as_of": as_of.isoformat(), "year": year, "project_count": row["project_count"],
        "by_category": split("category", ProjectCategory), "by_level": split("level", ProjectLevel),
        "by_status": split("status", ProjectStatus), "by_sector": split("sector", Sector),
        "by_warning_level": split("warning_level", WarningLevel),
        "investment": {"annual_plan": f"{annual_plan:f}", "completed": f"{completed:f}",
                       "completion_rate": completion_rate, "time_progress": progress,
                       "ahead_of_time": None if completion_rate is None else completion_rate >= progress},
        "start_rate": {"target": int(row["start_target"] or 0), "started": int(row["started"] or 0),
                       "rate": rate(row["started"] or 0, row["start_target"] or 0)},
        "milestones": {s: int(milestones[s] or 0) for s in MilestoneState.values},
        "approvals": {"total": approvals_total, "done": int(approvals_done or 0),
                      "rate": rate(approvals_done or 0, approvals_total)},
        "visits": {"active_projects": int(active), "overdue": int(overdue),
                   "compliance_rate": rate(active - overdue, active)},
        "batches": [{"period": b["period"], "kind": b["kind"], "kind_display": LABELS["batch"][b["kind"]],
                     "count": b["count"], "achieved": int(b["achieved"] or 0)} for b in batches],
    })


MILESTONE_COLUMNS = (
    "m.id, m.kind, m.title, m.due_period, m.due_date, m.completed_on, m.note, m.created_at, m.updated_at, "
    "p.id AS project_id, p.code AS project_code, p.name AS project_name"
)


def milestone_body(m: dict, as_of: date) -> dict:
    overdue = flag(m["is_overdue"])
    return {
        "id": m["id"], "project": {"id": m["project_id"], "code": m["project_code"], "name": m["project_name"]},
        "kind": m["kind"], "kind_display": LABELS["kind"][m["kind"]], "title": m["title"],
        "due_period": m["due_period"], "due_date": iso_date(m["due_date"]), "completed_on": iso_date(m["completed_on"]),
        "note": m["note"], "state": m["state"], "state_display": LABELS["state"][m["state"]], "is_overdue": overdue,
        "days_overdue": (as_of - parse_date(m["due_date"])).days if overdue else 0,
        "created_at": iso_datetime(m["created_at"]), "updated_at": iso_datetime(m["updated_at"]),
    }


def weekly_bulletin(token: str, *, as_of: date, live: bool, monday: date) -> bytes:
    """GET /reports/weekly/: the week's reports, completed and newly overdue milestones, silent
    projects and the table per department."""
    flags = Flags(as_of, live)
    sunday = monday + timedelta(days=6)
    params = {**flags.params, "monday": monday, "sunday": sunday, "eve": monday - timedelta(days=1),
              "last": sunday - timedelta(days=1), "due_day": assessment.due_day(monday)}
    in_week = "s.reported_on BETWEEN %(monday)s AND %(sunday)s AND s.reported_on <= %(as_of)s"
    reported = f"EXISTS (SELECT 1 FROM {T.status_update} s WHERE s.project_id = p.id AND {in_week})"
    active = flags.active
    milestone_sql = (f"SELECT {MILESTONE_COLUMNS}, {flags.milestone_state} AS state, "
                     f"CASE WHEN {flags.milestone_overdue} THEN 1 ELSE 0 END AS is_overdue "
                     f"FROM {T.milestone} m JOIN {T.project} p ON p.id = m.project_id WHERE ")
    with connection.cursor() as cursor:
        authenticate(cursor, token)
        reports = rows(cursor, (
            "SELECT s.id, s.status_from, s.status_to, s.completed_investment, s.progress_percent, s.note, s.problems, "
            "s.next_steps, s.reported_on, s.created_at, p.id AS project_id, p.code AS project_code, "
            "p.name AS project_name, u.id AS user_id, u.username, u.first_name, u.last_name "
            f"FROM {T.status_update} s JOIN {T.project} p ON p.id = s.project_id "
            f"JOIN {T.user} u ON u.id = s.reported_by_id WHERE {in_week} ORDER BY s.reported_on, s.created_at, s.id"
        ), params)
        completed = rows(cursor, milestone_sql + (
            "m.completed_on BETWEEN %(monday)s AND %(sunday)s AND m.completed_on <= %(as_of)s "
            "ORDER BY m.completed_on, m.id"), params)
        became_overdue = rows(cursor, milestone_sql + (
            "m.due_date BETWEEN %(eve)s AND %(last)s AND m.due_date < %(as_of)s "
            "AND (m.completed_on IS NULL OR m.completed_on > m.due_date) ORDER BY m.due_date, m.id"), params)
        cursor.execute(
            "SELECT p.id, p.code, p.name, p.status, d.id, d.code, d.name, o.id, o.name, o.title "
            f"FROM {T.project} p {PROJECT_JOINS} WHERE {active} AND NOT {reported} ORDER BY d.code, p.code",
            params,
        )
        silent = cursor.fetchall()
        moves = rows(cursor, (
            "SELECT mv.id, mv.stage_from, mv.stage, mv.moved_on, mv.note, mv.created_at, l.id AS lead_id, "
            "l.name AS lead_name, l.enterprise, l.amount, d.id AS department_id, d.code AS department_code, "
            "d.name AS department_name, u.id AS user_id, u.username, u.first_name, u.last_name "
            f"FROM {T.lead_move} mv JOIN {T.lead} l ON l.id = mv.lead_id "
            f"JOIN {T.department} d ON d.id = l.department_id LEFT JOIN {T.user} u ON u.id = mv.moved_by_id "
            "WHERE mv.moved_on BETWEEN %(monday)s AND %(sunday)s AND mv.moved_on <= %(as_of)s ORDER BY mv.moved_on, mv.id"
        ), params)
        on_time = (f"EXISTS (SELECT 1 FROM {T.status_update} s WHERE s.project_id = p.id AND {in_week} "
                   "AND s.reported_on <= %(due_day)s)")
        departments = rows(cursor, (
            "SELECT d.id, d.code, d.name, COUNT(*) AS projects, "
            f"SUM(CASE WHEN {reported} THEN 1 ELSE 0 END) AS updated, "
            f"SUM(CASE WHEN {flags.is_overdue} THEN 1 ELSE 0 END) AS overdue, "
            f"SUM(CASE WHEN {flags.warning_level} = 'red' THEN 1 ELSE 0 END) AS red, "
            f"SUM(CASE WHEN {active} THEN 1 ELSE 0 END) AS active, "
            f"SUM(CASE WHEN {active} AND {on_time} THEN 1 ELSE 0 END) AS on_time, "
            f"SUM(CASE WHEN {flags.visit_overdue} THEN 1 ELSE 0 END) AS visit_overdue, "
            f"SUM(CASE WHEN {flags.problems_overdue} THEN 1 ELSE 0 END) AS problem_overdue "
            f"FROM {flags.source()} JOIN {T.department} d ON d.id = p.department_id "
            "GROUP BY d.id, d.code, d.name ORDER BY d.code"
        ), params)
        problems = week_problems(cursor, as_of=as_of, monday=monday)
        # The bulletin closes with the year's targets; a generated portfolio has none, and the floor
        # does not reimplement their metrics, so it measures only portfolios without targets.
        cursor.execute(f"SELECT COUNT(*) FROM {T.target} WHERE year = %s", [as_of.year])
        if cursor.fetchone()[0]:
            raise NotImplementedError("the bulletin's floor covers portfolios without targets")
    status_labels = LABELS["status"]
    iso = monday.isocalendar()
    return dumps({
        "title": weekly_bulletin_title(monday),
        "week": f"{iso.year}-W{iso.week:02d}", "start": monday.isoformat(), "end": sunday.isoformat(),
        "as_of": as_of.isoformat(),
        "status_updates": [{
            "id": r["id"], "project": {"id": r["project_id"], "code": r["project_code"], "name": r["project_name"]},
            "status_from": r["status_from"], "status_from_display": status_labels[r["status_from"]],
            "status_to": r["status_to"], "status_to_display": status_labels[r["status_to"]],
            "completed_investment": money(r["completed_investment"]), "progress_percent": r["progress_percent"],
            "note": r["note"], "problems": r["problems"], "next_steps": r["next_steps"],
            "reported_on": iso_date(r["reported_on"]),
            "reported_by": {"id": r["user_id"], "username": r["username"],
                            "name": f"{r['first_name']} {r['last_name']}".strip() or r["username"]},
            "created_at": iso_datetime(r["created_at"]),
        } for r in reports],
        "milestones_completed": [milestone_body(m, as_of) for m in completed],
        "milestones_became_overdue": [milestone_body(m, as_of) for m in became_overdue],
        "projects_without_update": [{
            "id": pid, "code": code, "name": name, "status": status, "status_display": status_labels[status],
            "department": {"id": did, "code": dcode, "name": dname},
            "lead_official": None if oid is None else {"id": oid, "name": oname, "title": otitle},
        } for pid, code, name, status, did, dcode, dname, oid, oname, otitle in silent],
        "lead_moves": [{
            "id": m["id"], "lead": {
                "id": m["lead_id"], "name": m["lead_name"], "enterprise": m["enterprise"], "amount": money(m["amount"]),
                "department": {"id": m["department_id"], "code": m["department_code"], "name": m["department_name"]}},
            "stage_from": m["stage_from"], "stage_from_display": LABELS["lead_stage"][m["stage_from"]],
            "stage": m["stage"], "stage_display": LABELS["lead_stage"][m["stage"]], "moved_on": iso_date(m["moved_on"]),
            "note": m["note"], "moved_by": None if m["user_id"] is None else {
                "id": m["user_id"], "username": m["username"],
                "name": f"{m['first_name']} {m['last_name']}".strip() or m["username"]},
            "created_at": iso_datetime(m["created_at"]),
        } for m in moves],
        "targets": [],
        "problems": problems,
        "lights_differ": [],
        **department_table(departments),
    })


def department_table(departments: list[dict]) -> dict:
    """The bulletin's `departments` (figures, score, rank) and its 红黑榜, from the per-department sums;
    the score's arithmetic and the ranking rules are the service's (projects.domain.assessment)."""
    table = []
    for d in departments:
        counts = assessment.WeekCounts(**{name: int(d[name] or 0) for name in
                                          ("active", "on_time", "overdue", "red", "visit_overdue", "problem_overdue")})
        table.append({
            "department": {"id": d["id"], "code": d["code"], "name": d["name"]},
            "projects": d["projects"], "updated": int(d["updated"] or 0), "overdue": counts.overdue, "red": counts.red,
            "reported_on_time": rate(counts.on_time, counts.active), "score": assessment.score(counts),
        })
    ranks = assessment.competition_ranks({row["department"]["code"]: row["score"] for row in table})
    for row in table:
        row["rank"] = ranks[row["department"]["code"]]
    ranked = sorted((row for row in table if row["rank"] is not None),
                    key=lambda row: (row["rank"], row["department"]["code"]))
    top, bottom = assessment.top_and_bottom(ranked, rank=lambda row: row["rank"])
    brief = lambda row: {"department": row["department"], "score": row["score"], "rank": row["rank"]}  # noqa: E731
    return {"departments": table, "top_three": [brief(row) for row in top],
            "bottom_three": [brief(row) for row in bottom]}


def deadline_on(day: str, live: bool) -> str:
    """SQL of problem `pr`'s deadline while it is assigned on the parameter `day`, else NULL."""
    if live:
        return "(CASE WHEN pr.state = 'assigned' THEN pr.due_date END)"
    return (f"(SELECT mv.due_date FROM {T.problem_move} mv WHERE mv.problem_id = pr.id AND mv.state_to = 'assigned' "
            f"AND {Flags.in_force('mv', day)})")


def escalation(deadline: str, day: str) -> str:
    """SQL of the 督办 level on the parameter `day` of a problem whose deadline then is `deadline`."""
    return (f"(CASE WHEN {deadline} < %({day}_l3)s THEN 3 WHEN {deadline} < %({day}_l2)s THEN 2 "
            f"WHEN {deadline} < %({day})s THEN 1 ELSE 0 END)")


def escalation_params(name: str, day: date) -> dict:
    rules = thresholds()
    return {name: day, f"{name}_l2": day - timedelta(days=rules["PROBLEM_LEVEL2_AFTER_DAYS"]),
            f"{name}_l3": day - timedelta(days=rules["PROBLEM_LEVEL3_AFTER_DAYS"])}


def week_problems(cursor, *, as_of: date, monday: date) -> dict:
    """The bulletin's problems: raised, resolved and newly escalated in the week (up to as_of), and
    those at level 2 or above on its last day, the longest overdue first."""
    last, eve = min(monday + timedelta(days=6), as_of), monday - timedelta(days=1)
    fence = " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"
    params = {**escalation_params("last", last), **escalation_params("eve", eve), "monday": monday}
    figures = {"raised": 0, "resolved": 0, "escalated": 0}
    if last >= monday:
        (row,) = rows(cursor, (
            "SELECT SUM(CASE WHEN raised_on BETWEEN %(monday)s AND %(last)s THEN 1 ELSE 0 END) AS raised, "
            "SUM(CASE WHEN state = 'resolved' AND resolved_on BETWEEN %(monday)s AND %(last)s THEN 1 ELSE 0 END) "
            "AS resolved, "
            f"SUM(CASE WHEN {escalation('due_last', 'last')} > {escalation('due_eve', 'eve')} THEN 1 ELSE 0 END) "
            f"AS escalated FROM (SELECT pr.raised_on, pr.state, pr.resolved_on, "
            f"{deadline_on('last', is_live(last))} AS due_last, {deadline_on('eve', is_live(eve))} AS due_eve "
            f"FROM {T.problem} pr{fence}) pr"
        ), params)
        figures = {name: int(row[name] or 0) for name in figures}
    listed = rows(cursor, (
        "SELECT pr.id, pr.title, pr.due_date, pr.due_last, p.id AS project_id, p.code AS project_code, "
        "p.name AS project_name, d.id AS department_id, d.code AS department_code, d.name AS department_name "
        f"FROM (SELECT pr.*, {deadline_on('last', is_live(last))} AS due_last FROM {T.problem} pr{fence}) pr "
        f"JOIN {T.project} p ON p.id = pr.project_id "
        f"LEFT JOIN {T.department} d ON d.id = pr.responsible_department_id "
        "WHERE pr.due_last < %(last_l2)s ORDER BY pr.due_last, pr.id"
    ), params)
    labels = LABELS["escalation"]

    def row_body(r: dict) -> dict:
        due = parse_date(r["due_last"])
        level = 3 if due < params["last_l3"] else 2
        return {
            "id": r["id"], "title": r["title"],
            "project": {"id": r["project_id"], "code": r["project_code"], "name": r["project_name"]},
            "responsible_department": None if r["department_id"] is None else {
                "id": r["department_id"], "code": r["department_code"], "name": r["department_name"]},
            "due_date": iso_date(r["due_date"]), "days_overdue": (last - due).days,
            "escalation_level": level, "escalation_level_display": labels[level],
        }

    return {**figures, "listed": [row_body(r) for r in listed]}


# --- problems -----------------------------------------------------------------------------------

PROBLEM_COLUMNS = (
    "pr.id, pr.title, pr.description, pr.category, pr.source, pr.source_status_update_id, pr.source_visit_id, "
    "pr.raised_on, pr.due_date, pr.state, pr.resolved_on, pr.created_at, pr.updated_at, "
    "p.id AS project_id, p.code AS project_code, p.name AS project_name, "
    "u.id AS user_id, u.username, u.first_name, u.last_name, "
    "d.id AS department_id, d.code AS department_code, d.name AS department_name, "
    "o.id AS official_id, o.name AS official_name, o.title AS official_title"
)


def _user(r: dict, prefix: str = "") -> dict | None:
    if r[f"{prefix}user_id"] is None:
        return None
    name = f"{r[prefix + 'first_name']} {r[prefix + 'last_name']}".strip()
    return {"id": r[f"{prefix}user_id"], "username": r[f"{prefix}username"], "name": name or r[f"{prefix}username"]}


def _department(r: dict) -> dict | None:
    if r["department_id"] is None:
        return None
    return {"id": r["department_id"], "code": r["department_code"], "name": r["department_name"]}


def problem_body(r: dict, moves: list[dict], as_of: date, params: dict) -> dict:
    due = parse_date(r["due_now"])
    overdue = due is not None and due < as_of
    level = 0
    if overdue:
        level = 3 if due < params["as_of_l3"] else 2 if due < params["as_of_l2"] else 1
    return {
        "id": r["id"], "project": {"id": r["project_id"], "code": r["project_code"], "name": r["project_name"]},
        "title": r["title"], "description": r["description"],
        "category": r["category"], "category_display": LABELS["problem_category"][r["category"]],
        "source": r["source"], "source_display": LABELS["problem_source"][r["source"]],
        "source_status_update": r["source_status_update_id"], "source_visit": r["source_visit_id"],
        "raised_by": _user(r), "raised_on": iso_date(r["raised_on"]), "responsible_department": _department(r),
        "coordinating_official": None if r["official_id"] is None else {
            "id": r["official_id"], "name": r["official_name"], "title": r["official_title"]},
        "due_date": iso_date(r["due_date"]), "state": r["state"],
        "state_display": LABELS["problem_state"][r["state"]], "resolved_on": iso_date(r["resolved_on"]),
        "moves": [{
            "id": m["id"], "state_from": m["state_from"], "state_from_display": LABELS["problem_state"][m["state_from"]],
            "state_to": m["state_to"], "state_to_display": LABELS["problem_state"][m["state_to"]],
            "moved_on": iso_date(m["moved_on"]), "note": m["note"], "responsible_department": _department(m),
            "due_date": iso_date(m["due_date"]), "moved_by": _user(m), "created_at": iso_datetime(m["created_at"]),
        } for m in moves],
        "is_overdue": overdue, "days_overdue": (as_of - due).days if overdue else 0,
        "escalation_level": level, "escalation_level_display": LABELS["escalation"][level],
        "created_at": iso_datetime(r["created_at"]), "updated_at": iso_datetime(r["updated_at"]),
    }


def problem_list(token: str, *, as_of: date, live: bool, params: dict, base: str, overdue: bool = False) -> bytes:
    """GET /problems/ (newest raised first), or only the problems overdue on as_of: the page's ids
    and the count on the problem table (with each problem's deadline on as_of if filtered), then the
    page's rows with their references, then their moves."""
    page, page_size = int(params.get("page", 1)), int(params.get("page_size", 50))
    values = {**escalation_params("as_of", as_of)}
    deadline = deadline_on("as_of", live)
    fence = " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"
    if overdue:
        table = f"(SELECT pr.id, pr.raised_on, {deadline} AS due_now FROM {T.problem} pr{fence}) pr"
        where = "WHERE pr.due_now < %(as_of)s"
    else:
        table, where = f"{T.problem} pr", ""
    with connection.cursor() as cursor:
        authenticate(cursor, token)
        cursor.execute(f"SELECT COUNT(*) FROM {table} {where}", values)
        count = cursor.fetchone()[0]
        cursor.execute(f"SELECT pr.id FROM {table} {where} ORDER BY pr.raised_on DESC, pr.id DESC "
                       f"LIMIT {int(page_size)} OFFSET {int((page - 1) * page_size)}", values)
        ids = [row[0] for row in cursor.fetchall()]
        results = []
        if ids:
            found = rows(cursor, (
                f"SELECT {PROBLEM_COLUMNS}, {deadline} AS due_now FROM {T.problem} pr "
                f"JOIN {T.project} p ON p.id = pr.project_id LEFT JOIN {T.user} u ON u.id = pr.raised_by_id "
                f"LEFT JOIN {T.department} d ON d.id = pr.responsible_department_id "
                f"LEFT JOIN {T.official} o ON o.id = pr.coordinating_official_id WHERE pr.id IN {in_list(ids)}"
            ), values)
            moves = {pk: [] for pk in ids}
            for m in rows(cursor, (
                "SELECT mv.id, mv.problem_id, mv.state_from, mv.state_to, mv.moved_on, mv.note, mv.due_date, "
                "mv.created_at, d.id AS department_id, d.code AS department_code, d.name AS department_name, "
                "u.id AS user_id, u.username, u.first_name, u.last_name "
                f"FROM {T.problem_move} mv LEFT JOIN {T.department} d ON d.id = mv.responsible_department_id "
                f"LEFT JOIN {T.user} u ON u.id = mv.moved_by_id WHERE mv.problem_id IN {in_list(ids)} "
                "ORDER BY mv.moved_on, mv.id"
            ), {}):
                moves[m["problem_id"]].append(m)
            by_id = {r["id"]: r for r in found}
            results = [problem_body(by_id[pk], moves[pk], as_of, values) for pk in ids]
    last = (count + page_size - 1) // page_size
    return dumps({
        "count": count,
        "next": page_url(base, params, page + 1) if page < last else None,
        "previous": None if page == 1 else page_url(base, params, page - 1),
        "results": results,
    })
