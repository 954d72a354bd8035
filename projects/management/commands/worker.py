"""`manage.py worker`: one worker of the task queue (huey's consumer, with its options)."""

from huey.contrib.djhuey.management.commands.run_huey import Command as HueyConsumerCommand


class Command(HueyConsumerCommand):
    help = ("Run one worker of the task queue: the schedules at their times (SCHEDULES), notifications and "
            "their deliveries. The queue is REDIS_URL's Redis, else the SQLite file TASK_QUEUE_FILE. "
            "Threads: TASK_WORKERS (or -w). Stop it with Ctrl-C or SIGTERM.")
