"""What every model module shares: money fields, natural keys by code, choice constraints."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 14, "decimal_places": 2}

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class CodeManager(models.Manager):
    """Natural key `code`, so fixtures refer to rows by code and never overwrite by id."""

    def get_by_natural_key(self, code):
        return self.get(code=code)


def _choices_check(field: str, values: list[str], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": values}), name=name)
