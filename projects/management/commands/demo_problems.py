"""A handful of demo problems (each titled 示例问题：…) in every state, and one demo assessment; `make run` loads them.

The seed names no individual problem: these only fill the 问题台账 for a demonstration as of the
meeting day (4 May 2023), through the same services as any write.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from projects.models import Assessment, Department, Problem, Project
from projects.services import assessment_create, problem_create, problem_move_create

DEMO_PREFIX = "示例问题："
DEMO_NOTE = "示例数据，非种子材料所列。"
# (project code, title, category, source, raised on, [(state, moved on, unit code, due date)]).
PROBLEMS = [
    ("EQ2023-011", "施工用电增容待批复", "utilities", "report", "2023-04-28", []),
    ("EQ2023-012", "地下管网迁改方案待审定", "planning", "visit", "2023-04-20",
     [("assigned", "2023-04-21", "cgj", "2023-05-20")]),
    ("EQ2023-001", "项目用地规划条件待出具", "land", "meeting", "2023-04-15",
     [("assigned", "2023-04-16", "zrzyj", "2023-04-28")]),
    ("EQ2023-008", "征迁剩余两户未签约", "demolition", "meeting", "2023-04-06",
     [("assigned", "2023-04-07", "cgj", "2023-04-20")]),
    ("EQ2023-002", "施工许可办理受阻", "approval", "office", "2023-03-15",
     [("assigned", "2023-03-16", "zjj", "2023-03-31")]),
    ("EQ2023-022", "配套道路未贯通", "construction", "visit", "2023-04-10",
     [("assigned", "2023-04-11", "cgj", "2023-04-30"), ("answered", "2023-04-29", None, None)]),
    ("EQ2023-005", "建设资金未到位", "funding", "report", "2023-04-01",
     [("assigned", "2023-04-02", "fgw", "2023-04-15"), ("answered", "2023-04-12", None, None),
      ("resolved", "2023-04-14", None, None)]),
    ("EQ2023-016", "重复提出的用地问题", "land", "report", "2023-04-10", [("cancelled", "2023-04-11", None, None)]),
    ("EQ2023-019", "水电气暖配套接入滞后", "utilities", "report", "2023-04-08",
     [("assigned", "2023-04-09", "zjj", "2023-04-25"), ("answered", "2023-04-24", None, None),
      ("assigned", "2023-04-26", None, "2023-05-10")]),
]
ASSESSMENT = ("EQ2023-007", "yellow", "示例研判：招商进度慢于预期，需重点关注。", "2023-04-28", "2023-05-27")


class Command(BaseCommand):
    help = "Load the demo problems (示例问题：…) in every state and one demo assessment, unless already loaded."

    def handle(self, *args, **options):
        if Problem.objects.filter(title__startswith=DEMO_PREFIX).exists():
            self.stdout.write("demo problems already loaded; skipping")
            return
        codes = {code for code, *_ in PROBLEMS} | {ASSESSMENT[0]}
        projects = Project.objects.in_bulk(codes, field_name="code")
        departments = Department.objects.in_bulk(field_name="code")
        if len(projects) != len(codes):
            raise CommandError("load the seed's portfolio first (manage.py load_seed)")
        with transaction.atomic():
            for code, title, category, source, raised_on, moves in PROBLEMS:
                problem = problem_create(
                    user=None, project=projects[code], title=DEMO_PREFIX + title, category=category, source=source,
                    raised_on=date.fromisoformat(raised_on), description=DEMO_NOTE,
                )
                for state, moved_on, unit, due in moves:
                    problem_move_create(
                        problem=problem, user=None, state=state, note=f"示例：{title}",
                        moved_on=date.fromisoformat(moved_on),
                        responsible_department=departments[unit] if unit else None,
                        due_date=date.fromisoformat(due) if due else None,
                    )
            code, level, reason, assessed_on, valid_until = ASSESSMENT
            if not Assessment.objects.filter(reason__startswith="示例").exists():
                assessment_create(
                    project=projects[code], user=None, level=level, reason=reason,
                    assessed_on=date.fromisoformat(assessed_on), valid_until=date.fromisoformat(valid_until),
                )
        self.stdout.write(f"loaded {len(PROBLEMS)} demo problems and a demo assessment")
