"""Benchmark the list endpoints and flag queries on a generated portfolio; see docs/performance.md.

    DATABASE_URL=sqlite:///bench.sqlite3 python manage.py bench --projects 100000

Uses whatever DATABASE_URL points at: migrates it, generates the portfolio if it holds fewer
generated projects than asked for, then times each request in-process (DRF's APIClient, a
superuser) at a past `as_of` (flags from subqueries) and at today (flags from the cached
columns). Prints figures only: the median of a few runs, the query count and the ratio.
"""

import os
import platform
import statistics
import time
import tracemalloc
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects.dates import is_live, today
from projects.management.commands.generate_portfolio import CODE_PREFIX, generate_portfolio
from projects.models import Milestone, Project, StatusUpdate, Visit

BENCH_USERNAME = "bench_admin"
VERSION_SQL = {"postgresql": "SHOW server_version", "sqlite": "SELECT sqlite_version()"}


class Command(BaseCommand):
    help = "Time the project and milestone lists at a past as_of and at today on a generated portfolio."

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=100_000, help="generated projects wanted (default 100000)")
        parser.add_argument("--seed", type=int, default=1, help="first seed tried when projects must be generated")
        parser.add_argument("--year", type=int, default=2023, help="year of the generated list")
        parser.add_argument("--as-of", type=date.fromisoformat, default=date(2023, 5, 4),
                            help="the past as_of (default 2023-05-04, the Q2 meeting)")
        parser.add_argument("--runs", type=int, default=3, help="timed runs per figure, after one warm-up")
        parser.add_argument("--force", action="store_true", help="run even if the database holds real projects")

    def handle(self, *args, projects, seed, year, as_of, runs, force, **options):
        call_command("migrate", verbosity=0, interactive=False)
        if not force and Project.objects.exclude(code__startswith=CODE_PREFIX).exists():
            raise CommandError("this database holds projects that were not generated: point DATABASE_URL "
                               "at a scratch database, or pass --force")
        self.ensure_portfolio(projects, seed, year)
        self.client = APIClient()
        self.client.force_authenticate(self.bench_user())
        self.runs = max(1, runs)
        self.today = today()
        self.print_header(as_of)

        list_url = "/api/v1/projects/"
        for label, params in [
            ("list, page_size 50", {"page_size": 50}),
            ("list, page_size 500", {"page_size": 500}),
            ("is_overdue=true", {"is_overdue": "true"}),
            ("warning_level=red", {"warning_level": "red"}),
            ("visit_overdue=true", {"visit_overdue": "true"}),
            (f"due_period={year}-Q2", {"due_period": f"{year}-Q2"}),
            ("ordering=next_due_date", {"ordering": "next_due_date"}),
        ]:
            self.compare(label, as_of, lambda day, p=params: self.get(list_url, {**p, "as_of": day.isoformat()}))
        self.compare("warning-level counts (ORM)", as_of, self.warning_counts)
        self.compare("milestones state=overdue", as_of,
                     lambda day: self.get("/api/v1/milestones/", {"state": "overdue", "as_of": day.isoformat()}))
        self.compare("stats/summary", as_of, lambda day: self.report(
            "/api/v1/stats/summary/", {"as_of": day.isoformat(), "year": year}, lambda data: data["project_count"]))
        self.compare("reports/weekly (whole list)", as_of, lambda day: self.report(
            "/api/v1/reports/weekly/", {"as_of": day.isoformat(), "week": f"{year}-W19"},
            lambda data: len(data["projects_without_update"])))
        for page_size in (50, 500):
            past, now = (self.peak_memory({"page_size": page_size, "as_of": day.isoformat()})
                         for day in (as_of, self.today))
            self.stdout.write(f"{f'peak memory, page_size {page_size}':<30} {past:9.1f} MiB{'':12}"
                              f"{now:9.1f} MiB")

    # --- setup ------------------------------------------------------------------------------

    def ensure_portfolio(self, wanted: int, seed: int, year: int) -> None:
        missing = wanted - Project.objects.filter(code__startswith=CODE_PREFIX).count()
        if missing <= 0:
            return
        while Project.objects.filter(code__startswith=f"{CODE_PREFIX}{seed}-{year}-").exists():
            seed += 1
        self.stdout.write(f"generating {missing} projects (seed {seed}) …")
        started = time.perf_counter()
        counts = generate_portfolio(projects=missing, seed=seed, year=year)
        self.stdout.write(f"generated {counts['projects']} projects, {counts['milestones']} milestones "
                          f"in {time.perf_counter() - started:.1f} s")

    def bench_user(self):
        user, _ = get_user_model().objects.get_or_create(
            username=BENCH_USERNAME, defaults={"is_superuser": True, "is_staff": True},
        )
        return user

    def print_header(self, as_of: date) -> None:
        vendor = connection.vendor
        with connection.cursor() as cursor:
            cursor.execute(VERSION_SQL.get(vendor, "SELECT VERSION()"))
            version = cursor.fetchone()[0]
        self.stdout.write(
            f"database {vendor} {version}; {platform.python_implementation()} {platform.python_version()}; "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {platform.platform()}"
        )
        self.stdout.write(
            f"rows: {Project.objects.count()} projects, {Milestone.objects.count()} milestones, "
            f"{Visit.objects.count()} visits, {StatusUpdate.objects.count()} status updates"
        )
        self.stdout.write(f"past as_of {as_of} (subquery plan: live={is_live(as_of)}), "
                          f"today {today()} (cached-column plan); median of {self.runs} runs after a warm-up")
        self.stdout.write(f"{'':30} {'past':>9}{'':16}{'today':>9}{'':16}{'past/today':>10}   rows (past / today)")

    # --- measuring --------------------------------------------------------------------------

    def get(self, url: str, params: dict) -> int:
        response = self.client.get(url, params)
        if response.status_code != 200:
            raise CommandError(f"GET {url} {params}: {response.status_code} {response.content[:300]!r}")
        return response.data["count"]

    def report(self, url: str, params: dict, figure) -> object:
        response = self.client.get(url, params)
        if response.status_code != 200:
            raise CommandError(f"GET {url} {params}: {response.status_code} {response.content[:300]!r}")
        return figure(response.data)

    def warning_counts(self, as_of: date) -> dict:
        rows = (Project.objects.with_flags(as_of, live=is_live(as_of)).order_by()
                .values("warning_level").annotate(n=Count("pk")).values_list("warning_level", "n"))
        return dict(rows)

    def measure(self, call, as_of: date) -> tuple[float, int, object]:
        """Median milliseconds, queries of one run, and the result."""
        result = call(as_of)  # warm-up
        timings = []
        for _ in range(self.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = call(as_of)
                timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings), len(queries), result

    def compare(self, label: str, past_day: date, call) -> None:
        past_ms, past_q, past_result = self.measure(call, past_day)
        now_ms, now_q, now_result = self.measure(call, self.today)
        self.stdout.write(
            f"{label:<30} {past_ms:9.1f} ms {past_q:3d} queries   {now_ms:9.1f} ms {now_q:3d} queries   "
            f"{past_ms / now_ms:8.1f}×   {past_result} / {now_result}"
        )

    def peak_memory(self, params: dict) -> float:
        """Peak Python allocations (MiB) while serving one project list request."""
        self.get("/api/v1/projects/", params)  # warm-up: imports and caches are not the request's
        tracemalloc.start()
        try:
            self.get("/api/v1/projects/", params)
            return tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
