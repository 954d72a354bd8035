"""Unnamed demo leads (each named 示例…) that complete the seed's 招商引资 funnel; `make run` loads them."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from projects.domain.choices import LeadStage, Sector
from projects.models import Department, Lead
from projects.services import lead_create, lead_move_create

DEMO_PREFIX = "示例线索"
DEPARTMENTS = ["swj", "jkq", "gxj", "fgw"]
SECTORS = [Sector.INDUSTRY, Sector.COMMERCE, Sector.INDUSTRY, Sector.OTHER, Sector.CULTURE_SPORTS_EDUCATION]
SOURCES = ["以商招商", "产业链招商", "驻外招商", "展会招商", "网络招商"]
# The eight demo signings of 2023; with the seed's two (no amount given) they make 10 for 27.02亿元.
SIGNED_AMOUNTS = ["60000.00", "50000.00", "45000.00", "35000.00", "30000.00", "22000.00", "16200.00", "12000.00"]
# (how many, the stages each moves through) for the demo leads received in 2023.
PLAN_2023 = [
    (len(SIGNED_AMOUNTS), [LeadStage.CONTACTED, LeadStage.NEGOTIATING, LeadStage.SIGNED]),
    (49, [LeadStage.CONTACTED, LeadStage.NEGOTIATING]),
    (110, [LeadStage.CONTACTED]),
    (9, [LeadStage.CONTACTED, LeadStage.DROPPED]),
    (9, [LeadStage.CONTACTED, LeadStage.NEGOTIATING, LeadStage.DROPPED]),
    (60, []),
    (10, [LeadStage.DROPPED]),
]
# Landed in 2023 after signing in 2022, so they are not among 2023's new signings.
LANDED_2023 = 17


class Command(BaseCommand):
    help = "Load the demo leads (示例线索…) that complete the seed's 招商引资 funnel, unless already loaded."

    def handle(self, *args, **options):
        if Lead.objects.filter(name__startswith=DEMO_PREFIX).exists():
            self.stdout.write("demo leads already loaded; skipping")
            return
        departments = list(Department.objects.filter(code__in=DEPARTMENTS).order_by("code"))
        if len(departments) != len(DEPARTMENTS):
            raise CommandError("load the seed's portfolio first (manage.py load_seed)")
        with transaction.atomic():
            count = self.load(departments)
        self.stdout.write(f"loaded {count} demo leads")

    def load(self, departments) -> int:
        number = 0
        amounts = iter(SIGNED_AMOUNTS)
        for size, stages in PLAN_2023:
            for _ in range(size):
                number += 1
                received = date(2023, 1, 3) + timedelta(days=(number * 37) % 90)
                amount = Decimal(next(amounts)) if LeadStage.SIGNED in stages else None
                lead = self.lead(number, departments, received, amount)
                for step, stage in enumerate(stages, 1):
                    lead_move_create(lead=lead, user=None, stage=stage, moved_on=received + timedelta(days=7 * step),
                                     note="示例数据")
        for index in range(LANDED_2023):
            number += 1
            received = date(2022, 3, 1) + timedelta(days=10 * index)
            lead = self.lead(number, departments, received, None)
            for stage, day in [
                (LeadStage.CONTACTED, received + timedelta(days=10)),
                (LeadStage.NEGOTIATING, received + timedelta(days=30)),
                (LeadStage.SIGNED, received + timedelta(days=60)),
                (LeadStage.LANDED, date(2023, 1, 5) + timedelta(days=6 * index)),
            ]:
                lead_move_create(lead=lead, user=None, stage=stage, moved_on=day, note="示例数据")
        return number

    @staticmethod
    def lead(number: int, departments, received: date, amount: Decimal | None) -> Lead:
        return lead_create(
            user=None, name=f"{DEMO_PREFIX}{number:03d}", enterprise=f"示例企业{number:03d}", sector=SECTORS[number % len(SECTORS)],
            amount=amount, source=SOURCES[number % len(SOURCES)], department=departments[number % len(departments)],
            received_on=received, note="示例数据，非种子材料所列。",
        )
