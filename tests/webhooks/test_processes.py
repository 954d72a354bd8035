"""Webhooks between real processes: `manage.py worker` delivers to a receiver process on 127.0.0.1 that
verifies every request with `standardwebhooks`; the receiver is killed in the middle of a burst of
500 events and started again, and a worker is killed with SIGKILL in the middle of a delivery.

Everything runs over a scratch database of the suite's kind and a queue file of the test's own;
every process the test starts is stopped when it leaves, whatever happened.
"""

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.channels import free_port
from tests.servers import ROOT, scratch_database, server_env

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch(tmp_path):
    with scratch_database(tmp_path) as url:
        yield url


def env_for(url: str, tmp_path: Path) -> dict:
    return server_env(url, TASK_IMMEDIATE="0", TASK_QUEUE_FILE=str(tmp_path / "queue.sqlite3"), TASK_WORKERS="2",
                      WEBHOOK_ALLOWED_HOSTS="127.0.0.1", WEBHOOK_ALLOW_HTTP="1", WEBHOOK_STALLED_AFTER="3",
                      LOG_LEVEL="INFO")


def shell(env: dict, script: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def subscribe(env: dict, port: int) -> tuple[int, str]:
    out = shell(env, (
        "import json\n"
        "from projects.services import webhook_create\n"
        f"hook = webhook_create(user=None, url='http://127.0.0.1:{port}/hooks/portfolio', description='接收方')\n"
        "print(json.dumps([hook.pk, hook.secret]))\n"
    ))
    return tuple(json.loads(out))


def write_targets(env: dict, count: int, start: int = 0) -> None:
    """`count` writes through the services, each its own transaction: one `target.created` event each."""
    shell(env, (
        "from decimal import Decimal\n"
        "from projects.services import target_create\n"
        f"for n in range({start}, {start + count}):\n"
        "    target_create(user=None, year=2023, name=f'目标{n}', metric='project_count', value=Decimal(n + 1))\n"
        "print('ok')\n"
    ))


def figures(env: dict, hook: int) -> dict:
    return json.loads(shell(env, (
        "import json\n"
        "from projects.models import Event, WebhookDelivery\n"
        f"d = WebhookDelivery.objects.filter(subscription_id={hook})\n"
        "print(json.dumps({'events': list(Event.objects.order_by('id').values_list('id', flat=True)),"
        " 'delivered': sorted(d.filter(state='delivered').values_list('event_id', flat=True)),"
        " 'attempts_made': d.exclude(started_at=None).count(),"
        " 'states': sorted(set(d.values_list('state', flat=True)))}))\n"
    )))


@contextmanager
def process(args: list[str], env: dict, log_path: Path):
    """One process (its own session, so its children go with it), stopped when the block ends."""
    log = open(log_path, "a")
    started = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield started
    finally:
        stop(started)
        log.close()


def stop(started: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if started.poll() is None:
        os.killpg(started.pid, sig)
        try:
            started.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(started.pid, signal.SIGKILL)
            started.wait(timeout=10)


def receiver(port: int, secret: str, log: Path, tmp_path: Path, *extra: str):
    return process([sys.executable, "-m", "tests.webhook_receiver", "--port", str(port), "--secret", secret,
                    "--log", str(log), *extra], os.environ.copy(), tmp_path / "receiver.out")


def worker(env: dict, tmp_path: Path, name: str = "worker"):
    return process([sys.executable, "manage.py", "worker", "--no-periodic"], env, tmp_path / f"{name}.log")


def received(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def wait_until(condition, timeout: float, step: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def in_order(ids: list[int]) -> bool:
    """Each event first arrives after every lower one, and a repeat only ever repeats the latest (a retry)."""
    latest = 0
    for event_id in ids:
        if event_id > latest:
            latest = event_id
        elif event_id != latest:
            return False
    return True


def test_a_receiver_killed_in_a_burst_of_500_events_misses_none(scratch, tmp_path):
    env = env_for(scratch, tmp_path)
    port = free_port()
    hook, secret = subscribe(env, port)
    log = tmp_path / "received.jsonl"
    with worker(env, tmp_path):
        first = receiver(port, secret, log, tmp_path)
        started = time.monotonic()
        with first as running:
            write_targets(env, 500)  # 500 commits, each queueing a dispatch; the worker is sending meanwhile
            assert wait_until(lambda: len(received(log)) >= 150, 120), "the receiver got too little"
            os.killpg(running.pid, signal.SIGKILL)  # in the middle of the burst
            running.wait(timeout=10)
            killed_after = len(received(log))
        time.sleep(1)
        with receiver(port, secret, log, tmp_path):
            # Watched through the receiver's log (a shell per poll would take the worker's CPU), then the
            # deliveries' states, which the worker writes once each answer is in.
            wait_until(lambda: len({hit["id"] for hit in received(log)}) >= 500, 240)
            done = wait_until(lambda: len(figures(env, hook)["delivered"]) == 500, 30, step=1)
            assert done, figures(env, hook)
            elapsed = time.monotonic() - started
            time.sleep(1)
        state = figures(env, hook)
    hits = received(log)
    ids = [int(hit["id"]) for hit in hits]
    events = state["events"]
    duplicates = len(ids) - len(set(ids))
    lost = len(set(events) - set(ids))
    print(f"\nwebhook burst: {len(events)} events, {state['attempts_made']} attempts sent, {len(hits)} requests"
          f" received ({killed_after} before the receiver was killed), {duplicates} duplicate(s), {lost} lost,"
          f" {sum(not hit['verified'] for hit in hits)} bad signature(s); all delivered {elapsed:.1f} s after"
          f" the first write")

    assert len(events) == 500
    assert lost == 0 and set(ids) == set(events)
    assert all(hit["verified"] for hit in hits)
    assert all(hit["event"] == int(hit["id"]) for hit in hits)  # a repeat carries the same webhook-id and event
    assert in_order(ids)
    assert state["states"] in (["delivered"], ["delivered", "failed"])


def test_a_worker_killed_while_delivering_is_retried_after_restart(scratch, tmp_path):
    env = env_for(scratch, tmp_path)
    port = free_port()
    hook, secret = subscribe(env, port)
    log = tmp_path / "received.jsonl"
    with receiver(port, secret, log, tmp_path, "--stall-first", "20"):
        with worker(env, tmp_path, "worker-1") as first:
            write_targets(env, 3)
            assert wait_until(lambda: len(received(log)) >= 1, 60), (tmp_path / "worker-1.log").read_text()
            time.sleep(0.5)
            os.killpg(first.pid, signal.SIGKILL)  # while its request waits for the stalled receiver
            first.wait(timeout=10)
        assert shell(env, f"from projects.models import WebhookDelivery\n"
                          f"print(WebhookDelivery.objects.get(subscription_id={hook}, attempt=1, event_id="
                          f"WebhookDelivery.objects.filter(subscription_id={hook}).order_by('event_id')"
                          f".first().event_id).state)") == "sending"
        with worker(env, tmp_path, "worker-2"):
            wait_until(lambda: len(received(log)) >= 4, 90, step=0.2)
            done = wait_until(lambda: len(figures(env, hook)["delivered"]) == 3, 30, step=1)
            restarted_log = (tmp_path / "worker-2.log").read_text()
        state = figures(env, hook)
    ids = [int(hit["id"]) for hit in received(log)]
    print(f"\nworker killed mid-delivery: {len(state['events'])} events, {state['attempts_made']} attempts,"
          f" received {ids}")

    assert done, restarted_log
    first_event = state["events"][0]
    assert ids == [first_event, *state["events"]]  # the killed attempt reached the receiver, then its retry
    assert in_order(ids)
    assert "Traceback" not in restarted_log
    rows = json.loads(shell(env, (
        "import json\nfrom projects.models import WebhookDelivery\n"
        f"print(json.dumps(list(WebhookDelivery.objects.filter(subscription_id={hook}, event_id={first_event})"
        ".order_by('attempt').values_list('attempt', 'state', 'error'))))"
    )))
    assert [(attempt, state) for attempt, state, _ in rows] == [(1, "failed"), (2, "delivered")]
    assert rows[0][2].startswith("发送中断")
