"""Real servers for the tests that need them: a scratch database and gunicorn processes over it.

The servers run as in production (gunicorn.conf.py, DEBUG off) but on plain HTTP, each on a free
port the kernel picks (gunicorn binds 127.0.0.1:0 and logs the port), and are always stopped,
with their workers, when the test leaves the `with` block.
"""

import atexit
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib import error, request

import dj_database_url
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
SECRET_KEY = secrets.token_urlsafe(50)


def server_env(database_url: str, **extra: str) -> dict:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "REDIS", "THROTTLE_", "WEB_CONCURRENCY", "GUNICORN"))
    }
    env.update(
        DATABASE_URL=database_url, DEBUG="0", PORTFOLIO_HTTPS="0", SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1", DJANGO_SETTINGS_MODULE="portfolio.settings", **extra,
    )
    return env


def manage(database_url: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=server_env(database_url),
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


# The migrated database each test process copies its scratch databases from (made on first use).
_TEMPLATE: dict[str, str] = {}


@contextmanager
def scratch_database(tmp_dir: Path):
    """A fresh, migrated database of the suite's kind: a PostgreSQL database named after the
    suite's own (`<name>_scale_<random>`, dropped afterwards), or an SQLite file in `tmp_dir`.

    Each is a copy of a template this test process migrates once (CREATE DATABASE … TEMPLATE, or a
    copy of the file): migrating from nothing takes seconds, a copy a fraction of one."""
    if connection.vendor == "postgresql":
        import psycopg

        base = dj_database_url.parse(os.environ["DATABASE_URL"])
        admin = {"host": base["HOST"] or "127.0.0.1", "port": base["PORT"] or 5432, "user": base["USER"],
                 "password": base["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}

        def database_url(name: str) -> str:
            return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"

        template = _TEMPLATE.get("postgresql")
        if template is None:
            template = f"{base['NAME']}_scale_template_{os.getpid()}"
            with psycopg.connect(**admin) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{template}"')
            atexit.register(_drop_database, admin, template)
            manage(database_url(template), "migrate", "--noinput")
            _TEMPLATE["postgresql"] = template
        name = f"{base['NAME']}_scale_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(**admin) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield database_url(name)
        finally:
            _drop_database(admin, name)
    else:
        template = _TEMPLATE.get("sqlite")
        if template is None:
            template = str(Path(tempfile.mkdtemp(prefix="portfolio-template-")) / "template.sqlite3")
            atexit.register(shutil.rmtree, Path(template).parent, True)
            manage(f"sqlite:///{template}", "migrate", "--noinput")
            _TEMPLATE["sqlite"] = template
        path = tmp_dir / "scale.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"


def _drop_database(admin: dict, name: str) -> None:
    import psycopg

    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Server:
    """One gunicorn master (and its workers) serving the app over `database_url`."""

    def __init__(self, database_url: str, log_path: Path, workers: int = 1, threads: int = 4, **env: str):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT,
            env=server_env(database_url, BIND="127.0.0.1:0", WEB_CONCURRENCY=str(workers),
                           GUNICORN_THREADS=str(threads), **env),
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.base_url = f"http://127.0.0.1:{self._wait_for_port()}"

    def _wait_for_port(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = LISTENING.search(self.log_path.read_text())
            if match:
                return int(match[1])
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text()


@contextmanager
def servers(count: int, database_url: str, log_dir: Path, **kwargs):
    started: list[Server] = []
    try:
        for n in range(count):
            started.append(Server(database_url, log_dir / f"gunicorn-{n}.log", **kwargs))
        yield started
    finally:
        for server in started:
            server.stop()


def call(url: str, method: str = "GET", token: str | None = None, body: dict | None = None):
    """(status, headers, JSON body) of one request."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = request.Request(url, data=data, headers=headers, method=method)
    try:
        with request.urlopen(req, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except error.HTTPError as exc:
        raw = exc.read()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = raw.decode(errors="replace")
        return exc.code, dict(exc.headers), payload


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def s3_server(log_path: Path):
    """A real S3-compatible server (moto's server mode) on 127.0.0.1, stopped when the block is left.
    Yields its endpoint URL."""
    port = free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                    break
            except (error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the S3 server did not start: {log_path.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
