import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from projects import services
from projects.domain.choices import Role
from projects.models import Department, Official


class Command(BaseCommand):
    help = "Create USERNAME if needed, give it a role, and print a new API token alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.READER)
        parser.add_argument("--department", help="department code (role department)")
        parser.add_argument("--official", type=int, help="official id (role official)")
        parser.add_argument("--email", help="the user's e-mail address (reminders are mailed to it)")
        parser.add_argument("--days", type=int, help="days until the token expires (default: TOKEN_TTL_DAYS)")
        parser.add_argument("--revoke", action="store_true", help="revoke the user's existing tokens first")
        parser.add_argument(
            "--password", action="store_true",
            help="also set the password for /admin/: from PORTFOLIO_PASSWORD, else asked at the terminal",
        )

    def handle(self, *args, username, role, department, official, email, days, revoke, password, **options):
        secret = self._read_password() if password else None
        try:
            dept = Department.objects.get(code=department) if department else None
        except Department.DoesNotExist:
            raise CommandError(f"no department with code {department!r}") from None
        try:
            lead = Official.objects.get(pk=official) if official else None
        except Official.DoesNotExist:
            raise CommandError(f"no official with id {official}") from None
        try:
            user = services.user_role_assign(username=username, role=role, department=dept, official=lead, email=email)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if secret is not None:
            try:
                services.user_password_set(user=user, password=secret)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
            self.stderr.write(f"{username}: password set, log in at /admin/")
        if revoke:
            self.stderr.write(f"revoked {services.token_revoke_all(user=user)} token(s)")
        self.stderr.write(f"{username}: role {role}")
        self.stdout.write(services.token_issue(user=user, days=days))

    def _read_password(self) -> str:
        """The password from PORTFOLIO_PASSWORD, else typed twice at the terminal (never an argument)."""
        secret = os.environ.get("PORTFOLIO_PASSWORD")
        if secret:
            return secret
        try:
            secret = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("no password given (set PORTFOLIO_PASSWORD or type it at the terminal)") from None
        if not secret:
            raise CommandError("the password is empty")
        if secret != again:
            raise CommandError("the two passwords differ")
        return secret
