import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects import services
from projects.domain.choices import Role
from projects.models import Department, Official


class Command(BaseCommand):
    help = "Create (or reset) the demo admin login and one demo user and token per role; print them."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="http://127.0.0.1:8000")

    def handle(self, *args, host, **options):
        department = Department.objects.filter(projects__isnull=False).order_by("code").first()
        official = Official.objects.filter(projects__isnull=False).order_by("id").first()
        if department is None or official is None:
            raise CommandError("load a portfolio first (manage.py loaddata erqi_2023)")

        password = secrets.token_urlsafe(12)
        admin = services.user_role_assign(username="demo_admin", role=Role.ADMIN)
        admin.is_superuser = True
        admin.set_password(password)
        admin.save()

        tokens = {
            Role.ADMIN: services.token_issue(user=admin),
            Role.DEPARTMENT: services.token_issue(user=services.user_role_assign(
                username="demo_department", role=Role.DEPARTMENT, department=department)),
            Role.OFFICIAL: services.token_issue(user=services.user_role_assign(
                username="demo_official", role=Role.OFFICIAL, official=official)),
            Role.READER: services.token_issue(user=services.user_role_assign(
                username="demo_reader", role=Role.READER)),
        }
        as_of = settings.PORTFOLIO_AS_OF
        out = self.stdout.write
        out("")
        out(f"Admin:   {host}/admin/  user demo_admin  password {password}  (opens on the 领导驾驶舱)")
        out(f"API docs: {host}/api/docs/   ReDoc: {host}/api/redoc/")
        out(f"Default as_of: {as_of.isoformat() if as_of else 'today (Asia/Shanghai)'}")
        out("")
        out("Tokens (Authorization: Token <key>):")
        out(f"  admin       demo_admin       {tokens[Role.ADMIN]}")
        out(f"  department  demo_department  {tokens[Role.DEPARTMENT]}  ({department.code} {department.name})")
        out(f"  official    demo_official    {tokens[Role.OFFICIAL]}  ({official})")
        out(f"  reader      demo_reader      {tokens[Role.READER]}")
        out("")
        out("Try:")
        auth = f'-H "Authorization: Token {tokens[Role.READER]}"'
        out(f"  curl {auth} '{host}/api/v1/projects/?is_overdue=true'")
        out(f"  curl {auth} '{host}/api/v1/projects/?due_period=2023-Q2&category=start'")
        out(f"  curl {auth} '{host}/api/v1/milestones/?as_of=2023-07-01&state=overdue'")
        out(f"  curl {auth} '{host}/api/v1/stats/summary/'")
        out(f"  curl {auth} '{host}/api/v1/reports/weekly/?week=2023-W18'")
        out(f"  curl {auth} '{host}/api/v1/stats/leads/?year=2023'")
        out(f"  curl {auth} '{host}/api/v1/stats/targets/'")
        out("")
