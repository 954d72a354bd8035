from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from projects import services
from projects.choices import Role
from projects.models import Department, Official


class Command(BaseCommand):
    help = "Create USERNAME if needed, give it a role, and print a new API token alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.READER)
        parser.add_argument("--department", help="department code (role department)")
        parser.add_argument("--official", type=int, help="official id (role official)")
        parser.add_argument("--days", type=int, help="days until the token expires (default: TOKEN_TTL_DAYS)")
        parser.add_argument("--revoke", action="store_true", help="revoke the user's existing tokens first")

    def handle(self, *args, username, role, department, official, days, revoke, **options):
        try:
            dept = Department.objects.get(code=department) if department else None
        except Department.DoesNotExist:
            raise CommandError(f"no department with code {department!r}") from None
        try:
            lead = Official.objects.get(pk=official) if official else None
        except Official.DoesNotExist:
            raise CommandError(f"no official with id {official}") from None
        try:
            user = services.user_role_assign(username=username, role=role, department=dept, official=lead)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if revoke:
            self.stderr.write(f"revoked {services.token_revoke_all(user=user)} token(s)")
        self.stderr.write(f"{username}: role {role}")
        self.stdout.write(services.token_issue(user=user, days=days))
