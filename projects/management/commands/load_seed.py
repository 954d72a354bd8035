from django.core.management import call_command
from django.core.management.base import BaseCommand

from projects.models import Project

SEED_FIXTURE = "erqi_2023"
SEED_FIRST_PROJECT = "EQ2023-001"


class Command(BaseCommand):
    help = "Load the seed's portfolio (fixtures/erqi_2023.json) unless it is already loaded."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="load again, resetting the seeded rows")

    def handle(self, *args, force, **options):
        if not force and Project.objects.filter(code=SEED_FIRST_PROJECT).exists():
            self.stdout.write(f"{SEED_FIXTURE} already loaded; skipping (use --force to reload)")
            return
        call_command("loaddata", SEED_FIXTURE, verbosity=options["verbosity"])
