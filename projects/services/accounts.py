"""Writes of accounts: roles, passwords, API tokens."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from knox.models import AuthToken

from projects.domain.choices import Role
from projects.models import Department, Official, UserProfile
from projects.services.base import _save


@transaction.atomic
def user_role_assign(
    *, username: str, role: str, department: Department | None = None, official: Official | None = None,
    email: str | None = None,
):
    """Create the user if needed and give it a role (admins become superusers, for /admin/ too), and
    its e-mail address when one is given."""
    if role == Role.DEPARTMENT and department is None:
        raise ValidationError({"department": ["department 角色必须指定 --department。"]})
    if role == Role.OFFICIAL and official is None:
        raise ValidationError({"official": ["official 角色必须指定 --official。"]})
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
    # 重点项目办 reads and writes everything, in the admin too.
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
    if email is not None:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"email": [f"{email} 不是有效的邮箱地址。"]}) from None
        user.email = email
    user.save()
    profile = UserProfile.objects.filter(user=user).first() or UserProfile(user=user)
    profile.role = role
    profile.department = department
    profile.official = official
    _save(profile)
    return user


@transaction.atomic
def user_password_set(*, user, password: str):
    """Set the password `user` logs in with at /admin/, checked by AUTH_PASSWORD_VALIDATORS first."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def token_issue(*, user, days: int | None = None) -> str:
    """Create an API token for `user`; only its hash is stored, so the key is shown this once."""
    if days is None:
        _, key = AuthToken.objects.create(user)
    else:
        _, key = AuthToken.objects.create(user, expiry=timedelta(days=days) if days > 0 else None)
    return key


def token_revoke_all(*, user) -> int:
    """Revoke every token of `user`; returns how many there were."""
    count, _ = AuthToken.objects.filter(user=user).delete()
    return count
