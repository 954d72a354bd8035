"""`manage.py run_schedule NAME [--as-of YYYY-MM-DD] [--enqueue]`: one schedule now, as the worker runs it at its time."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from projects.domain.dates import default_as_of
from projects.tasks import jobs
from projects.tasks.schedules import SCHEDULES


class Command(BaseCommand):
    help = ("Run one schedule now, exactly as the worker does at its time: reminders (the week's unreported "
            "projects), bulletin (the last week's bulletin), overdue (milestones that became overdue). Its "
            "deliveries go to the queue for the worker. Running it again for the same day sends nothing twice.")

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(SCHEDULES))
        parser.add_argument("--as-of", dest="as_of", help="the day to run it for (default: today, Asia/Shanghai)")
        parser.add_argument("--enqueue", action="store_true", help="queue the schedule itself for a worker to run")

    def handle(self, *args, name, as_of, enqueue, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else default_as_of()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} 不是有效日期（YYYY-MM-DD）") from None
        if enqueue:
            jobs.run_schedule(name, day.isoformat())
            self.stdout.write(f"{name} {day}: queued for the worker")
            return
        recorded = jobs.schedule_run(name, day)
        self.stdout.write(
            f"{name} {day}: {recorded.notifications} new notification(s), {recorded.messages} new robot "
            f"message(s), {len(recorded.pending)} delivery(ies) queued for the worker"
        )
