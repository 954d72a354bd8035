"""The floor of the bench (`python -m bench`): each benchmarked response built by hand-written SQL.

Every function here returns the exact JSON body the API answers for the same request, built
with the database cursor, plain dicts and `json.dumps`: no ORM, no serializers, no filters.
It is what a request costs when nothing but the work itself is done, so the benchmark reports
each endpoint as a ratio to it, measured in the same run. The bench compares both bodies and
stops when they differ, so a floor cannot drift from the API unnoticed.

Pure Python helpers of the service (choice labels, warning-reason texts, rates) are reused:
they cost the same on both sides. When the API body gains a field, add it to the SQL column
list (`PROJECT_COLUMNS`, `MILESTONE_COLUMNS`, …) and to the matching `*_body` function.

A generated portfolio has no problems (问题台账) and no assessments (人工研判): the floor writes
their fields as a portfolio without them reads (no problem rule, no assessed light, an empty
week of problems) and `manage.py bench` refuses a database that holds any. So the API's cost of
the problem rule and the assessed light is measured against a floor that does not pay it.
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

from projects.domain.choices import (
    ACTIVE_STATUSES,
    MILESTONE_KIND_OF_BATCH,
    STARTED_STATUSES,
    BatchKind,
    LeadStage,
    MilestoneKind,
    MilestoneState,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    WarningLevel,
)
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
    "lead_stage": dict(LeadStage.choices),
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
        }
        self.active = "p.status IN (" + ",".join(f"'{s}'" for s in ACTIVE_STATUSES) + ")"
        self.next_due = "p.cached_next_due_date" if live else "p.next_due"
        self.last_visit = "p.cached_last_visit_on" if live else "p.last_visit"
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
            ]
        if overdue_count:
            columns.append(
                f"(SELECT COUNT(*) FROM {T.milestone} m WHERE m.project_id = p.id AND m.due_date < %(as_of)s "
                "AND (m.completed_on IS NULL OR m.completed_on > %(as_of)s)) AS overdue_n"
            )
        return (f"(SELECT p.*, {', '.join(columns)} FROM {T.project} p"
                f"{' WHERE ' + where if where else ''}{self.fence}) p")

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
    def warning_level(self) -> str:
        """The worst of the rules' levels."""
        lag = self.investment_lag
        return self.level(f"{self.next_due} < %(red_due)s OR {lag} > %(red_lag)s",
                          f"{self.next_due} < %(as_of)s OR {lag} >= %(yellow_lag)s OR {self.visit_overdue}")

    def columns(self) -> str:
        """Every flag of a project row, as select-list items."""
        return (
            f"{self.next_due} AS next_due_date, {self.last_visit} AS last_visit_on, "
            f"CASE WHEN {self.is_overdue} THEN 1 ELSE 0 END AS is_overdue, "
            f"CASE WHEN {self.is_overdue} THEN p.overdue_n ELSE 0 END AS overdue_milestone_count, "
            f"CASE WHEN {self.visit_overdue} THEN 1 ELSE 0 END AS visit_overdue, "
            f"{self.time_progress} AS time_progress, {self.investment_lag} AS investment_lag, "
            f"{self.milestone_level} AS milestone_level, {self.investment_level} AS investment_level, "
            f"{self.visit_level} AS visit_level, {self.warning_level} AS warning_level"
        )

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


# The problem rule's figures of a project without problems.
NO_PROBLEMS = {"problem_level": WarningLevel.GREEN, "problem_due_since": None, "overdue_problem_count": 0,
               "overdue_problem_title": None}


def warning_reasons(row: dict, as_of: date) -> list[dict]:
    return reasons_of(SimpleNamespace(**NO_PROBLEMS, **row), as_of)


def milestone_brief(m: dict) -> dict:
    return {
        "id": m["id"], "kind": m["kind"], "kind_display": LABELS["kind"][m["kind"]], "title": m["title"],
        "due_period": m["due_period"], "due_date": iso_date(m["due_date"]), "completed_on": iso_date(m["completed_on"]),
        "state": m["state"], "state_display": LABELS["state"][m["state"]],
    }


def project_body(p: dict, milestones: list[dict], batches: list[dict], as_of: date) -> dict:
    p["next_due_date"] = parse_date(p["next_due_date"])
    p["last_visit_on"] = parse_date(p["last_visit_on"])
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
              "last": sunday - timedelta(days=1)}
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
        departments = rows(cursor, (
            "SELECT d.id, d.code, d.name, COUNT(*) AS projects, "
            f"SUM(CASE WHEN {reported} THEN 1 ELSE 0 END) AS updated, "
            f"SUM(CASE WHEN {flags.is_overdue} THEN 1 ELSE 0 END) AS overdue, "
            f"SUM(CASE WHEN {flags.warning_level} = 'red' THEN 1 ELSE 0 END) AS red "
            f"FROM {flags.source()} JOIN {T.department} d ON d.id = p.department_id "
            "GROUP BY d.id, d.code, d.name ORDER BY d.code"
        ), params)
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
        "departments": [{
            "department": {"id": d["id"], "code": d["code"], "name": d["name"]},
            "projects": d["projects"], "updated": int(d["updated"] or 0), "overdue": int(d["overdue"] or 0),
            "red": int(d["red"] or 0),
        } for d in departments],
        "targets": [],
        "problems": {"raised": 0, "resolved": 0, "escalated": 0, "listed": []},
        "lights_differ": [],
    })
