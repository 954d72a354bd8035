"""What queuing the webhook dispatch costs a write: `python -m bench.enqueue [--runs N]`.

Every transaction that writes an object of the change feed queues one `webhooks_dispatch` task
when it commits (projects/tasks/jobs.py). This times that enqueue alone, elapsed and CPU, on the
queue the environment configures: the SQLite file queue by default (a scratch file here, so the
service's own queue is untouched), Redis when REDIS_URL is set (under a scratch key prefix, deleted
afterwards). Nothing consumes the queued tasks.
"""

import argparse
import os
import secrets
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=500, help="timed enqueues (default 500), after 20 untimed")
    options = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="bench-enqueue-")
    prefix = f"bench-enqueue-{secrets.token_hex(4)}"
    os.environ.update(TASK_IMMEDIATE="0", TASK_QUEUE_FILE=str(Path(scratch.name) / "queue.sqlite3"),
                      REDIS_KEY_PREFIX=prefix)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")
    import django

    django.setup()
    from django.conf import settings

    from projects.tasks.jobs import webhooks_dispatch

    try:
        for _ in range(20):
            webhooks_dispatch()
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(options.runs):
            webhooks_dispatch()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        queue = "Redis" if settings.REDIS_URL else "SQLite file"
        print(f"{queue} queue: {elapsed / options.runs * 1000:.3f} ms elapsed, "
              f"{cpu / options.runs * 1000:.3f} ms CPU per enqueue ({options.runs} enqueues)")
    finally:
        if settings.REDIS_URL:
            import redis

            client = redis.Redis.from_url(settings.REDIS_URL)
            for key in client.scan_iter(f"*{prefix}*"):
                client.delete(key)
        scratch.cleanup()


if __name__ == "__main__":
    main()
