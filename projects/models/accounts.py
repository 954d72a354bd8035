"""Who a user is to the service (role, department, official) and their API tokens."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from knox.models import AuthToken

from projects.domain.choices import (
    Role,
)
from projects.models.base import _choices_check
from projects.models.portfolio import Department, Official


class UserProfile(models.Model):
    """The role of a user of the API, and the department or official that scopes its writes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="portfolio_profile",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.READER)
    department = models.ForeignKey(
        Department, verbose_name="所属单位", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
    )
    official = models.ForeignKey(
        Official, verbose_name="对应分包领导", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
    )

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"
        constraints = [
            _choices_check("role", Role.values, "profile_role_valid"),
            models.CheckConstraint(
                condition=~Q(role=Role.DEPARTMENT) | Q(department__isnull=False), name="profile_department_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.OFFICIAL) | Q(official__isnull=False), name="profile_official_has_official",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(AuthToken):
    """knox's hashed API tokens, under a Chinese name in the admin (deleting one revokes it)."""

    class Meta:
        proxy = True
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
