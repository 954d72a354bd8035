"""What the worker runs: the schedules, the reminders they make, the deliveries; every task idempotent.

huey's consumer (`manage.py worker`) imports this package to find the tasks (jobs.py).
"""

from projects.tasks import jobs  # noqa: F401
