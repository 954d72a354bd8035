"""Time each API request against its floor on a generated portfolio; see docs/performance.md.

    DATABASE_URL=sqlite:///bench.sqlite3 python -m bench --projects 100000

Uses whatever DATABASE_URL points at: migrates it, generates the portfolio if it holds fewer
generated projects than asked for, then times every request in-process (Django's test client
with a knox token: the whole request) and, alternately in the same loop, its floor: the same
body built by hand-written SQL and `json.dumps` (bench/floor.py). The two bodies
must be equal. Each request runs at a past `as_of` (flags from the milestone and visit tables)
and at today (flags from the cached columns). Prints milliseconds, the ratio to the floor and
the number of queries; `--results` keeps them as JSON and `--write-docs` rebuilds the tables of
docs/performance.md from every result file there.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import floor
from projects import services
from projects.domain.choices import ProjectStatus, Role
from projects.domain.dates import is_live, today
from projects.fast.startup import freeze_startup_objects
from projects.management.commands.generate_portfolio import CODE_PREFIX, generate_portfolio
from projects.models import Assessment, Event, Milestone, Problem, Project, StatusUpdate, Visit

BENCH_USERNAME = "bench_admin"
VERSION_SQL = {"postgresql": "SHOW server_version", "sqlite": "SELECT sqlite_version()"}
PROJECTS_URL = "/api/v1/projects/"
EVENTS_URL = "/api/v1/events/"
EVENTS = 100_000  # the feed's size for its page figures
DOCS = Path(settings.BASE_DIR) / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


@dataclass
class Case:
    """One request: how the API is called and how its floor builds the same body."""

    label: str
    api: Callable[[date], bytes]
    floor: Callable[[date], bytes]
    ignore: tuple[str, ...] = ()  # keys that differ by nature (a new row's id and timestamp)
    plans: tuple[str, ...] = ("past", "today")


@dataclass
class Figure:
    label: str
    plan: str  # "past" or "today"
    api_ms: float
    floor_ms: float
    api_queries: int
    floor_queries: int
    runs: int

    @property
    def ratio(self) -> float:
        return self.api_ms / self.floor_ms


@dataclass
class Result:
    vendor: str
    projects: int
    machine: str
    command: str
    past: str
    today: str
    figures: list[Figure] = field(default_factory=list)
    export: dict = field(default_factory=dict)


def peak_resident_mib() -> float:
    """This process's peak resident memory in MiB. Linux's VmHWM belongs to the process image, so a
    process started by a large one does not inherit its peak, as ru_maxrss does across exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def first_difference(a, b, path="body") -> str | None:
    """Where two JSON values differ, for the error message."""
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: only on the {'floor' if key in b else 'API'} side"
            if (found := first_difference(a[key], b[key], f"{path}.{key}")) is not None:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for index, (x, y) in enumerate(zip(a, b)):
            if (found := first_difference(x, y, f"{path}[{index}]")) is not None:
                return found
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


class BenchError(Exception):
    """The bench cannot go on: an answer other than the expected one, or a database it must not touch."""


def argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time each API request against the same body built by hand-written SQL, at a past as_of and today.",
    )
    parser.add_argument("--projects", type=int, default=100_000, help="generated projects wanted (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="first seed tried when projects must be generated")
    parser.add_argument("--year", type=int, default=2023, help="year of the generated list")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2023, 7, 1),
                        help="the past as_of (default 2023-07-01)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each side per figure (default 20)")
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds per figure after which fewer runs are taken (at least 3)")
    parser.add_argument("--only", help="run only the requests whose label contains this text")
    parser.add_argument("--skip-export", action="store_true", help="skip the whole-list CSV memory check")
    parser.add_argument("--export-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--docs-only", action="store_true",
                        help="measure nothing: rebuild the tables of docs/performance.md from the result files")
    parser.add_argument("--results", default="bench-results", help="directory of the JSON result files")
    parser.add_argument("--write-docs", action="store_true",
                        help="rebuild the tables of docs/performance.md from every result file")
    parser.add_argument("--force", action="store_true", help="run even if the database holds real projects")
    return parser


class Bench:
    """One run: the database prepared, then every case measured against its floor."""

    def write(self, text: str) -> None:
        print(text, flush=True)

    def request_options(self) -> dict:
        """The token, and HTTPS as the proxy would say it, since the service is HTTPS-only with DEBUG off."""
        return {"HTTP_AUTHORIZATION": f"Token {self.token}", "secure": True}

    def run(self, *, projects, seed, year, as_of, runs, budget, only, skip_export, export_only, docs_only,
            results, write_docs, force):
        if docs_only:
            return self.write_docs(Path(results))
        if export_only:
            self.token = self.bench_token(revoke=False)
            self.client, self.auth = Client(), self.request_options()
            return self.export_only(as_of)
        call_command("migrate", verbosity=0, interactive=False)
        if not force and Project.objects.exclude(code__startswith=CODE_PREFIX).exists():
            raise BenchError("this database holds projects that were not generated: point DATABASE_URL "
                               "at a scratch database, or pass --force")
        self.ensure_portfolio(projects, seed, year)
        self.runs, self.budget = max(1, runs), budget
        self.token = self.bench_token()
        self.client = Client()
        self.auth = self.request_options()
        self.year = year
        result = Result(
            vendor=connection.vendor, projects=Project.objects.count(), machine=self.machine(),
            command=f"DATABASE_URL={connection.vendor}:… python -m bench --projects {projects}",
            past=as_of.isoformat(), today=today().isoformat(),
        )
        self.print_header(result)
        cases = self.cases(as_of)
        freeze_startup_objects()  # as a gunicorn worker does once loaded (portfolio/wsgi.py, projects.fast.startup)
        for case in cases:
            if only and only not in case.label:
                continue
            for plan, day in (("past", as_of), ("today", today())):
                if plan not in case.plans:
                    continue
                figure = self.measure(case, plan, day)
                result.figures.append(figure)
                self.write(
                    f"{case.label:<34} {plan:<6} {figure.api_ms:9.1f} ms  floor {figure.floor_ms:8.1f} ms  "
                    f"{figure.ratio:6.1f}×  {figure.api_queries:3d} queries (floor {figure.floor_queries})"
                )
        if not skip_export and not only:
            result.export = self.export_memory(as_of)
        if not only:
            self.save(result, Path(results))
        if write_docs:
            self.write_docs(Path(results))

    # --- setup ------------------------------------------------------------------------------

    def ensure_portfolio(self, wanted: int, seed: int, year: int) -> None:
        missing = wanted - Project.objects.filter(code__startswith=CODE_PREFIX).count()
        if missing <= 0:
            return
        while Project.objects.filter(code__startswith=f"{CODE_PREFIX}{seed}-{year}-").exists():
            seed += 1
        self.write(f"generating {missing} projects (seed {seed}) …")
        started = time.perf_counter()
        counts = generate_portfolio(projects=missing, seed=seed, year=year)
        self.write(f"generated {counts['projects']} projects, {counts['milestones']} milestones "
                          f"in {time.perf_counter() - started:.1f} s")

    def ensure_events(self, wanted: int) -> None:
        """At least `wanted` events in the feed: synthetic `project.changed` events carrying a real project's
        detail (about 2.5 KB each), written in bulk like the generated portfolio."""
        missing = wanted - Event.objects.count()
        if missing <= 0:
            return
        self.write(f"writing {missing} events …")
        project = Project.objects.order_by("code").first()
        data = json.loads(self.get(f"{PROJECTS_URL}{project.pk}/", {}))
        now = timezone.now()
        for start in range(0, missing, 5000):
            Event.objects.bulk_create([
                Event(type="project.changed", at=now, object_type="project", object_id=project.pk,
                      project_id=project.pk, user_id=None, username="", via="command", data=data)
                for _ in range(min(5000, missing - start))
            ])

    def bench_token(self, *, revoke: bool = True) -> str:
        user = services.user_role_assign(username=BENCH_USERNAME, role=Role.ADMIN)
        if revoke:
            services.token_revoke_all(user=user)
        return services.token_issue(user=user, days=1)

    def machine(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute(VERSION_SQL.get(connection.vendor, "SELECT VERSION()"))
            version = cursor.fetchone()[0]
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        return (f"{os.cpu_count()} cores ({platform.machine()}, {platform.system()} {platform.release()}), "
                f"{memory:.0f} GB RAM, {platform.python_implementation()} {platform.python_version()}, "
                f"{connection.display_name} {version}")

    def print_header(self, result: Result) -> None:
        self.write(f"{result.machine}; load average {os.getloadavg()[0]:.1f}")
        self.write(
            f"rows: {result.projects} projects, {Milestone.objects.count()} milestones, "
            f"{Visit.objects.count()} visits, {StatusUpdate.objects.count()} status updates"
        )
        self.write(f"past as_of {result.past}, today {result.today}; median of up to {self.runs} runs "
                          f"(budget {self.budget:.0f} s per figure), API and floor alternately")

    # --- the requests -----------------------------------------------------------------------

    def get(self, path: str, params: dict) -> bytes:
        response = self.client.get(path, params, **self.auth)
        if response.status_code != 200:
            raise BenchError(f"GET {path} {params}: {response.status_code} {response.content[:300]!r}")
        return response.content

    def list_case(self, label: str, params: dict, where: str = "", order: str = "") -> Case:
        def api(day):
            return self.get(PROJECTS_URL, {"as_of": day.isoformat(), **params})

        def hand(day):
            query = {"as_of": day.isoformat(), **params}
            return floor.project_list(self.token, as_of=day, live=is_live(day), params=query,
                                      base=f"https://testserver{PROJECTS_URL}", where=where, order=order)

        return Case(label, api, hand)

    def cases(self, past: date) -> list[Case]:
        if Problem.objects.exists() or Assessment.objects.exists():
            raise CommandError("the floor covers portfolios without problems or assessments (see benchmarks/floor.py)")
        total = Project.objects.count()
        deep_page = total // 2 // 50 + 1
        middle, middle_code = Project.objects.order_by("code", "id").values_list("pk", "code")[total // 2]
        by_cursor = {"page_size": 50, "cursor": floor.cursor_token("after", middle_code)}
        reporter = (Project.objects.filter(status=ProjectStatus.UNDER_CONSTRUCTION).order_by("code")
                    .values_list("pk", "progress_percent").first())
        monday = lambda day: day - timedelta(days=day.weekday())  # noqa: E731
        post_body = {"note": "基准测试：本周正常推进", "progress_percent": reporter[1]}
        status_url = f"{PROJECTS_URL}{reporter[0]}/status-updates/"

        def post(day):
            response = self.client.post(status_url, post_body, content_type="application/json", **self.auth)
            if response.status_code != 201:
                raise BenchError(f"POST {status_url}: {response.status_code} {response.content[:300]!r}")
            return response.content

        self.ensure_events(EVENTS)
        first_event = Event.objects.order_by("id").values_list("id", flat=True)[EVENTS // 2]

        def events_case(page_size: int) -> Case:
            params = {"after": first_event, "page_size": page_size}
            return Case(
                f"events page of {page_size} ({EVENTS // 1000}k)",
                lambda day: self.get(EVENTS_URL, params),
                lambda day: floor.events_page(self.token, after=first_event, page_size=page_size,
                                              url=f"https://testserver{EVENTS_URL}"),
                plans=("today",),
            )

        return [
            events_case(50),
            events_case(500),
            self.list_case("list", {"page_size": 50}),
            self.list_case("list, page_size 10", {"page_size": 10}),
            self.list_case("list, page_size 500", {"page_size": 500}),
            self.list_case("list ?is_overdue=true", {"is_overdue": "true"}, where="{f.is_overdue}"),
            self.list_case("list ?warning_level=red", {"warning_level": "red"}, where="{f.warning_level} = 'red'"),
            self.list_case("list ?ordering=next_due_date", {"ordering": "next_due_date"},
                           order="{f.next_due} ASC NULLS LAST, p.id"),
            self.list_case("list, deep page (middle)", {"page": deep_page, "page_size": 50}),
            Case("list, deep page by cursor",
                 lambda day: self.get(PROJECTS_URL, {"as_of": day.isoformat(), **by_cursor}),
                 lambda day: floor.project_list_after(
                     self.token, as_of=day, live=is_live(day), params={"as_of": day.isoformat(), **by_cursor},
                     base=f"https://testserver{PROJECTS_URL}", after=middle_code)),
            Case("project detail",
                 lambda day: self.get(f"{PROJECTS_URL}{middle}/", {"as_of": day.isoformat()}),
                 lambda day: floor.project_detail(self.token, pk=middle, as_of=day, live=is_live(day))),
            Case("stats/summary",
                 lambda day: self.get("/api/v1/stats/summary/", {"as_of": day.isoformat(), "year": self.year}),
                 lambda day: floor.stats_summary(self.token, as_of=day, live=is_live(day), year=self.year)),
            Case("reports/weekly (whole list)",
                 lambda day: self.get("/api/v1/reports/weekly/", {"as_of": day.isoformat()}),
                 lambda day: floor.weekly_bulletin(self.token, as_of=day, live=is_live(day), monday=monday(day))),
            Case("POST status-update", post,
                 lambda day: floor.status_update_create(self.token, pk=reporter[0], **post_body),
                 ignore=("id", "created_at"), plans=("today",)),
        ]

    # --- measuring --------------------------------------------------------------------------

    def compare(self, case: Case, api: bytes, hand: bytes) -> None:
        a, b = json.loads(api), json.loads(hand)
        for key in case.ignore:
            a.pop(key, None)
            b.pop(key, None)
        if (difference := first_difference(a, b)) is not None:
            raise BenchError(f"{case.label}: the floor's body differs from the API's at {difference}")

    @staticmethod
    def queries(call, day) -> tuple[int, bytes]:
        with CaptureQueriesContext(connection) as captured:
            body = call(day)
        return len(captured), body

    def measure(self, case: Case, plan: str, day: date) -> Figure:
        api_queries, api_body = self.queries(case.api, day)  # also the warm-up
        floor_queries, floor_body = self.queries(case.floor, day)
        self.compare(case, api_body, floor_body)
        timings = {"api": [], "floor": []}
        sides = [("api", case.api), ("floor", case.floor)]
        started = time.perf_counter()
        for run in range(self.runs):
            for side, call in sides if run % 2 == 0 else reversed(sides):
                begun = time.perf_counter()
                call(day)
                timings[side].append((time.perf_counter() - begun) * 1000)
            if run >= 2 and time.perf_counter() - started > self.budget:
                break
        return Figure(case.label, plan, statistics.median(timings["api"]), statistics.median(timings["floor"]),
                      api_queries, floor_queries, len(timings["api"]))

    def export_memory(self, as_of: date) -> dict:
        """Peak memory of a fresh process while it serves the whole project list as CSV."""
        command = [sys.executable, "-m", "bench", "--export-only", "--as-of", as_of.isoformat()]
        output = subprocess.run(command, cwd=settings.BASE_DIR, check=True, capture_output=True, text=True).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        self.write(
            f"CSV of all {figures['rows']} projects: {figures['bytes'] / 2**20:.1f} MiB in {figures['seconds']:.1f} s, "
            f"the process's peak grew {figures['peak_mib']:.1f} MiB over {figures.get('before_mib', 0):.1f} MiB "
            f"(streaming: {figures['streaming']})"
        )
        return figures

    def export_only(self, as_of: date) -> None:
        """Run in a fresh process: the growth of the peak resident memory (ru_maxrss) over the
        process warmed up by one small request, while the whole list is downloaded as CSV."""
        self.get(PROJECTS_URL, {"as_of": as_of.isoformat(), "page_size": 1})
        before = peak_resident_mib()
        started = time.perf_counter()
        response = self.client.get(PROJECTS_URL, {"as_of": as_of.isoformat(), "format": "csv"}, **self.auth)
        size = sum(len(chunk) for chunk in response) if response.streaming else len(response.content)
        seconds = time.perf_counter() - started
        peak = peak_resident_mib()
        self.write(json.dumps({"rows": Project.objects.count(), "bytes": size, "peak_mib": round(peak - before, 1),
                                      "before_mib": round(before, 1), "seconds": round(seconds, 1),
                                      "streaming": response.streaming}))

    # --- results ----------------------------------------------------------------------------

    def save(self, result: Result, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{result.vendor}-{result.projects}.json"
        path.write_text(json.dumps(asdict(result), ensure_ascii=False, indent=1))
        self.write(f"results written to {path}")

    def write_docs(self, directory: Path) -> None:
        results = []
        for path in sorted(directory.glob("*.json")):
            data = json.loads(path.read_text())
            data["figures"] = [Figure(**f) for f in data["figures"]]
            results.append(Result(**data))
        if not results:
            raise BenchError(f"no result files in {directory}")
        results.sort(key=lambda r: (r.vendor != "sqlite", r.projects))
        text = DOCS.read_text()
        if BEGIN not in text or END not in text:
            raise BenchError(f"{DOCS} has no {BEGIN} … {END} block")
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        DOCS.write_text(f"{head}{BEGIN}\n{render_tables(results)}{END}{tail}")
        self.write(f"tables written to {DOCS}")


def _cell(figure: Figure | None) -> str:
    if figure is None:
        return "—"
    return (f"{figure.api_ms:,.1f} vs {figure.floor_ms:,.1f} (**{figure.ratio:.1f}×**), "
            f"{figure.api_queries} q")


def render_tables(results: list[Result]) -> str:
    """Markdown: one table per plan (past, today), one column per database and size."""
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    headers = [f"{names.get(r.vendor, r.vendor)} {r.projects:,}" for r in results]
    labels = list(dict.fromkeys(f.label for r in results for f in r.figures))
    out = []
    for plan, title in (("past", f"past `as_of` ({results[0].past})"), ("today", "today's `as_of`")):
        out.append(f"\nAt {title}: API ms vs floor ms (**ratio**), queries of the API request\n")
        out.append("| request | " + " | ".join(headers) + " |")
        out.append("|---|" + "---:|" * len(results))
        for label in labels:
            cells = [_cell(next((f for f in r.figures if f.label == label and f.plan == plan), None))
                     for r in results]
            out.append(f"| {label} | " + " | ".join(cells) + " |")
    scaled = {r.vendor: {} for r in results}
    for r in results:
        scaled[r.vendor][r.projects] = r
    lines = []
    for vendor, sizes in scaled.items():
        if len(sizes) < 2:
            continue
        small, large = sizes[min(sizes)], sizes[max(sizes)]
        for figure in large.figures:
            base = next((f for f in small.figures if f.label == figure.label and f.plan == figure.plan), None)
            if base and figure.label.startswith(("list", "project detail")):
                lines.append((vendor, figure, base))
    if lines:
        out.append(f"\nA page's cost at {max(r.projects for r in results):,} projects over the same request "
                   f"at {min(r.projects for r in results):,} (API ms)\n")
        out.append("| request | plan | database | small | large | large / small |")
        out.append("|---|---|---|---:|---:|---:|")
        for vendor, figure, base in lines:
            out.append(f"| {figure.label} | {figure.plan} | {names.get(vendor, vendor)} | {base.api_ms:,.1f} | "
                       f"{figure.api_ms:,.1f} | {figure.api_ms / base.api_ms:.2f}× |")
    exports = [r for r in results if r.export]
    if exports:
        out.append("\nThe whole project list as CSV (`?format=csv`) in a fresh process: growth of its peak "
                   "resident memory over one small request\n")
        out.append("| database | rows | size | time | peak growth (over the warmed process) | streaming |")
        out.append("|---|---:|---:|---:|---:|---|")
        for r in exports:
            e = r.export
            out.append(f"| {names.get(r.vendor, r.vendor)} | {e['rows']:,} | {e['bytes'] / 2**20:.1f} MiB | "
                       f"{e['seconds']:.1f} s | {e['peak_mib']:.1f} MiB (over {e.get('before_mib', 0):.0f} MiB) | "
                       f"{'yes' if e['streaming'] else 'no'} |")
    machines = sorted({r.machine for r in results})
    out.append("\nMachines: " + "; ".join(machines) + ".\n")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run the bench with the command line's options (Django set up by the caller, bench/__main__.py)."""
    options = argument_parser().parse_args(argv)
    try:
        Bench().run(**vars(options))
    except BenchError as exc:
        sys.exit(f"bench: {exc}")
