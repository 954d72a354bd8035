"""Load test: serve the API with gunicorn and drive it from this second process.

    python -m bench.loadtest --database-url postgres://postgres@127.0.0.1:5432/portfolio_bench

Prepares the database (migrate; a generated portfolio if it has fewer projects than
`--projects`), issues a token to an admin user, starts gunicorn (2 workers, 127.0.0.1 only),
then for each number of concurrent clients runs a fixed mix of requests for a bounded time:
project list, one project, a filtered list and a status-update POST. Prints requests per
second, p50/p99 latency and errors, per request kind and overall, and stops the server.
Standard library only on the client side, so it measures the server, not a framework.
"""

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
# (kind, weight): what a Friday morning looks like, reads dominating.
MIX = [("list", 35), ("detail", 30), ("filter", 20), ("status-update", 15)]


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    return result.stdout


def request(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        headers = {"Authorization": f"Token {token}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_up(port: int, token: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if request(port, "GET", "/api/v1/departments/", token)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not answer in time")


class Targets:
    """Ids the requests use, read once from the API."""

    def __init__(self, port: int, token: str):
        status, body = request(port, "GET", "/api/v1/projects/?" + urlencode({"page_size": 500}), token)
        if status != 200:
            raise SystemExit(f"GET /projects/: {status} {body[:200]!r}")
        projects = json.loads(body)["results"]
        self.ids = [p["id"] for p in projects]
        self.reporting = [(p["id"], p["progress_percent"]) for p in projects
                          if p["status"] == "under_construction"][:50]
        if not self.ids or not self.reporting:
            raise SystemExit("the database holds no projects under construction to report on")

    def call(self, kind: str, rng: random.Random) -> tuple[str, str, dict | None]:
        if kind == "list":
            return "GET", f"/api/v1/projects/?page={rng.randint(1, 5)}", None
        if kind == "detail":
            return "GET", f"/api/v1/projects/{rng.choice(self.ids)}/", None
        if kind == "filter":
            query = rng.choice([{"warning_level": "red"}, {"is_overdue": "true"}, {"visit_overdue": "true"},
                                {"ordering": "next_due_date"}])
            return "GET", "/api/v1/projects/?" + urlencode(query), None
        pk, progress = rng.choice(self.reporting)
        return "POST", f"/api/v1/projects/{pk}/status-updates/", {"note": "压力测试：本周正常推进",
                                                                  "progress_percent": progress}


def run(port: int, token: str, targets: Targets, clients: int, seconds: float) -> dict:
    samples: dict[str, list[float]] = {kind: [] for kind, _ in MIX}
    errors: dict[str, int] = {kind: 0 for kind, _ in MIX}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    kinds, weights = zip(*MIX)

    def client(number: int) -> None:
        rng = random.Random(number)
        while time.monotonic() < stop:
            kind = rng.choices(kinds, weights)[0]
            method, path, body = targets.call(kind, rng)
            started = time.perf_counter()
            try:
                status, _ = request(port, method, path, token, body)
                ok = 200 <= status < 300
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                samples[kind].append(elapsed)
                if not ok:
                    errors[kind] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    figures = {kind: summary(samples[kind], errors[kind], wall) for kind in samples}
    figures["all"] = summary([t for s in samples.values() for t in s], sum(errors.values()), wall)
    return figures


def summary(timings: list[float], errors: int, wall: float) -> dict:
    if not timings:
        return {"requests": 0, "per_second": 0.0, "p50": None, "p99": None, "errors": errors}
    ordered = sorted(timings)
    return {"requests": len(ordered), "per_second": len(ordered) / wall, "p50": statistics.median(ordered),
            "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a scratch database: status updates are written")
    parser.add_argument("--projects", type=int, default=1000, help="generate a portfolio of this size if smaller")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", default="4,16", help="concurrent clients, one run per number")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    options = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": options.database_url, "DEBUG": "0",
           # One user drives all the load here; the per-user throttle would answer 429 to it.
           "THROTTLE_USER_RATE": "1000000/min", "LOG_LEVEL": "ERROR",
           # Plain HTTP on the loopback: no proxy terminates TLS here.
           "PORTFOLIO_HTTPS": "0"}
    manage(env, "migrate", "--noinput", "-v0")
    count = int(manage(env, "shell", "-v0", "-c", "from projects.models import Project; print(Project.objects.count())").split()[-1])
    if count < options.projects:
        manage(env, "generate_portfolio", "--projects", str(options.projects - count))
    token = manage(env, "issue_token", "loadtest_admin", "--role", "admin", "--revoke", "--days", "1").split()[-1]

    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "portfolio.wsgi", "--workers", str(options.workers), "--bind", f"{HOST}:{options.port}",
         "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        wait_until_up(options.port, token, server)
        targets = Targets(options.port, token)
        print(f"gunicorn, {options.workers} workers, {options.database_url.split('://')[0]}, "
              f"{max(count, options.projects)} projects; {os.cpu_count()} cores shared with this client")
        print(f"{'clients':>7} {'request':<14} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
        for clients in (int(c) for c in options.clients.split(",")):
            run(options.port, token, targets, clients, 1.0)  # warm-up: workers import and connect
            figures = run(options.port, token, targets, clients, options.seconds)
            for kind, f in figures.items():
                p50 = "—" if f["p50"] is None else f"{f['p50']:.0f}"
                p99 = "—" if f["p99"] is None else f"{f['p99']:.0f}"
                print(f"{clients:>7} {kind:<14} {f['requests']:>8} {f['per_second']:>7.1f} {p50:>8} {p99:>8} "
                      f"{f['errors']:>6}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
