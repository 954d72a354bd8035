"""The worker as real processes: `manage.py worker` consumes a queued reminder and a real SMTP server
(aiosmtpd on 127.0.0.1) receives the mail; two workers at once send each mail once.

Everything runs over a scratch database of the suite's kind (an SQLite file, or a PostgreSQL
database made for the module) holding the seed's portfolio, and a queue of the test's own: a SQLite
file, or for the two workers also Redis on 127.0.0.1 (skipped where there is none).
Every process and server the test starts is stopped when it leaves, whatever happened.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from tests.channels import SmtpServer
from tests.servers import ROOT, manage, scratch_database, server_env

CLERKS = {"fgw": "发展改革委", "jyj": "教育局"}
EXECUTED = re.compile(r"Executing projects\.tasks\.jobs\.run_schedule: ([0-9a-f-]+)")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The seed's portfolio (29 projects, none reported yet) and a clerk with an address in two departments."""
    with scratch_database(tmp_path_factory.mktemp("worker")) as url:
        manage(url, "load_seed")
        for code in CLERKS:
            manage(url, "issue_token", f"clerk_{code}", "--role", "department", "--department", code,
                   "--email", f"clerk_{code}@erqi.example.cn")
        yield url


def worker_env(url: str, queue: Path, smtp_port: int, **extra: str) -> dict:
    return server_env(url, **{
        "TASK_IMMEDIATE": "0", "TASK_QUEUE_FILE": str(queue), "TASK_WORKERS": "2", "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port), "DEFAULT_FROM_EMAIL": "二七区重点项目管理 <xmb@erqi.example.cn>",
        "SITE_URL": "https://xmb.erqi.example.cn", "LOG_LEVEL": "INFO", **extra,
    })


@pytest.fixture(params=["file", "redis"])
def queue(request, tmp_path):
    """The queue's environment, a SQLite file or Redis under a name of the test's own, and a week of its own
    (the module's database keeps the notifications of the weeks before)."""
    if request.param == "file":
        yield {"TASK_QUEUE_FILE": str(tmp_path / "queue.sqlite3")}, "2023-05-11", "2023-W19"
        return
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    name = f"portfoliotest{uuid.uuid4().hex}"
    yield {"REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_KEY_PREFIX": name}, "2023-05-18", "2023-W20"
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    client.close()


def command(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextmanager
def workers(count: int, env: dict, log_dir: Path):
    """`count` worker processes; stopped (SIGTERM, then SIGKILL) when the block ends.

    Their periodic checks are off (`--no-periodic`): the real clock's Thursday 09:00 must not add
    reminders of its own while the test counts mails.
    """
    started = []
    try:
        for n in range(count):
            log = open(log_dir / f"worker-{n}.log", "w")
            process = subprocess.Popen([sys.executable, "manage.py", "worker", "--no-periodic"], cwd=ROOT, env=env,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            started.append((process, log))
        yield [log_dir / f"worker-{n}.log" for n in range(count)]
    finally:
        for process, log in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            log.close()


def unreported(env: dict, code: str, day: str) -> list[str]:
    """The bulletin's 本周未填报 of department `code` for `day`'s week, as "name（code）"."""
    script = (
        "import json, datetime\n"
        "from projects.models import Project\n"
        "from projects.reports import projects_without_update\n"
        f"day = datetime.date.fromisoformat('{day}')\n"
        "monday = day - datetime.timedelta(days=day.weekday())\n"
        "rows = projects_without_update(project_ids=Project.objects.values('pk'), monday=monday, as_of=day)\n"
        f"print(json.dumps([f'{{p.name}}（{{p.code}}）' for p in rows.filter(department__code='{code}')]))\n"
    )
    return json.loads(command(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1])


def counts(env: dict, period: str) -> dict:
    script = (
        "import json\n"
        "from projects.models import Notification, Delivery\n"
        f"n = Notification.objects.filter(period='{period}')\n"
        "print(json.dumps({'notifications': n.count(), 'users': n.values('user').distinct().count(),"
        " 'mail_deliveries': Delivery.objects.filter(notification__in=n).count(),"
        " 'sent': Delivery.objects.filter(notification__in=n, state='sent').count()}))\n"
    )
    return json.loads(command(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1])


def test_a_worker_process_mails_the_queued_reminder_in_chinese(seeded, tmp_path):
    with SmtpServer() as smtp:
        env = worker_env(seeded, tmp_path / "queue.sqlite3", smtp.port)
        expected = {code: unreported(env, code, "2023-05-04") for code in CLERKS}
        with workers(1, env, tmp_path) as logs:
            command(env, "run_schedule", "reminders", "--as-of", "2023-05-04", "--enqueue")
            mails = smtp.wait_for(len(CLERKS))
            log = logs[0].read_text()
        envelopes = list(smtp.envelopes)

    assert len(mails) == len(CLERKS), log
    assert "run_schedule" in log  # the worker ran the queued schedule itself
    by_address = {mail["To"]: mail for mail in mails}
    assert sorted(rcpt for _, rcpts in envelopes for rcpt in rcpts) == sorted(by_address)
    for code, unit in CLERKS.items():
        mail = by_address[f"clerk_{code}@erqi.example.cn"]
        names = expected[code]
        assert names, f"the seed has unreported projects in {code}"
        # Decoded from RFC 2047 words; the folded header starts on a continuation line, hence the strip.
        assert mail["Subject"].strip() == f"进度填报提醒：{unit}本周还有 {len(names)} 个项目未填报"
        assert str(mail["From"]) == "二七区重点项目管理 <xmb@erqi.example.cn>"
        body = mail.get_body(("plain",)).get_content()
        assert all(name in body for name in names)  # every project by name and code
        assert "2023年第18周尚未填报进度" in body and "5月5日（星期五）前" in body
        assert "https://xmb.erqi.example.cn/admin/projects/" in body
    assert counts(env, "2023-W18") == {"notifications": 2, "users": 2, "mail_deliveries": 2, "sent": 2}


def ran_schedules(logs: list[Path]) -> set[str]:
    """The ids of the queued schedules the workers executed (a log line may appear twice: huey's and the root's)."""
    return {match for log in logs for match in EXECUTED.findall(log.read_text())}


def test_two_workers_at_once_send_each_mail_once(seeded, queue, tmp_path):
    """Two workers on one queue (a file on one host, or Redis as in production)."""
    queue_env, day, week = queue
    with SmtpServer() as smtp:
        env = worker_env(seeded, tmp_path / "queue.sqlite3", smtp.port, **queue_env)
        with workers(2, env, tmp_path) as logs:
            for _ in range(4):  # the same schedule queued four times: both workers take some
                command(env, "run_schedule", "reminders", "--as-of", day, "--enqueue")
            smtp.wait_for(len(CLERKS))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                runs = ran_schedules(logs)
                if len(runs) == 4:
                    break
                time.sleep(0.3)
            time.sleep(2)  # anything sent twice would arrive by now
            texts = [log.read_text() for log in logs]
            shares = [len(ran_schedules([log])) for log in logs]
        mails = list(smtp.mails)

    print(f"\n4 queued runs of the same schedule, taken by the two workers as {shares}; {len(mails)} mail(s)")

    assert len(runs) == 4, texts
    assert sorted(mail["To"] for mail in mails) == sorted(f"clerk_{code}@erqi.example.cn" for code in CLERKS)
    assert all("Traceback" not in text and "IntegrityError" not in text for text in texts), texts
    assert counts(env, week) == {"notifications": 2, "users": 2, "mail_deliveries": 2, "sent": 2}
