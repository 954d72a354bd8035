"""Model validation for the services: check constraints judged in Python, the database as last guard.

What: `full_clean(instance, exclude=…)` is `instance.full_clean()` with every `CheckConstraint`
whose condition is a `Q` judged on the instance, not by a query; the services call it
(`projects.services.base`).

Why: Django's `full_clean()` validates each `CheckConstraint` with its own query (a savepoint, a
`SELECT 1 … _check` and a release on PostgreSQL): 30 of the 52 queries of a status update
(docs/performance.md, "Check constraints judged in Python"). Every check constraint of this
service is a plain condition on the row's own values (`in`, comparisons, `isnull`, combined with
and/or/not), so it is judged here with SQL's three-valued logic: a condition that is unknown (a
NULL compared) passes, as in the database. The constraints stay in the schema, so a write that
bypasses the services is still refused by the database. A condition this module cannot read is
left to Django's query.

The Django behaviour it relies on (checked on the versions pinned in tests/fast/test_versions.py):

- `Model.full_clean(validate_constraints=False)` runs every other check, and
  `Model.get_constraints()` (undocumented) lists `(model, constraints)` for the model and its
  parents, as `Model.validate_constraints()` walks them;
- `CheckConstraint.condition` (named `check` before Django 5.1) is the `Q` the database checks,
  and a `Q`'s `children`, `connector` and `negated` are its tree of `(lookup, value)` leaves;
- `validate_constraints` here mirrors Django's: a constraint on a field in `exclude` (or one that
  already failed) is skipped, the error is `get_violation_error_message()` with
  `violation_error_code`, and a failed single-field unique constraint is filed under its field.

Tests: tests/models/test_validation.py (`test_every_check_constraint_is_judged_in_python_as_the_database_judges_it`
compares every check constraint of every model with the database's verdict;
`test_full_clean_asks_the_database_for_no_check_constraint_and_says_what_django_says`).
"""

import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q

UNKNOWN = None  # SQL's third truth value

LOOKUPS = {
    "exact": operator.eq, "in": lambda value, values: value in values,
    "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le,
}


class Unreadable(Exception):
    """A condition this module does not judge (an expression, a join, another lookup)."""


def _field_value(instance: models.Model, name: str):
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist as exc:
        raise Unreadable(name) from exc
    if field.is_relation and not field.many_to_one:
        raise Unreadable(name)
    return getattr(instance, field.attname)


def _leaf(instance: models.Model, lookup: str, expected) -> bool | None:
    if hasattr(expected, "resolve_expression"):
        raise Unreadable(lookup)
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    value = _field_value(instance, name)
    if kind == "isnull":
        return (value is None) == bool(expected)
    if kind not in LOOKUPS:
        raise Unreadable(lookup)
    if value is None or expected is None:
        return UNKNOWN
    return LOOKUPS[kind](value, expected)


def holds(condition: Q, instance: models.Model) -> bool | None:
    """The truth of `condition` for `instance`: True, False or UNKNOWN (SQL's NULL)."""
    results = [holds(child, instance) if isinstance(child, Q) else _leaf(instance, *child)
               for child in condition.children]
    if condition.connector == Q.OR:
        result = True if True in results else (UNKNOWN if UNKNOWN in results else False)
    else:
        result = False if False in results else (UNKNOWN if UNKNOWN in results else True)
    if condition.negated and result is not UNKNOWN:
        result = not result
    return result


def _fields_of(condition: Q) -> set[str]:
    names = set()
    for child in condition.children:
        names |= _fields_of(child) if isinstance(child, Q) else {child[0].split("__")[0]}
    return names


def validate_constraints(instance: models.Model, exclude: set[str]) -> None:
    """Django's `Model.validate_constraints`, with check constraints judged in Python."""
    errors: dict = {}
    for model, constraints in instance.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, models.CheckConstraint) and isinstance(constraint.condition, Q):
                try:
                    if _fields_of(constraint.condition) & exclude:
                        continue
                    if holds(constraint.condition, instance) is False:
                        error = ValidationError(constraint.get_violation_error_message(),
                                                code=constraint.violation_error_code)
                        errors = error.update_error_dict(errors)
                    continue
                except Unreadable:
                    pass
            try:
                constraint.validate(model, instance, exclude=exclude)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def full_clean(instance: models.Model, *, exclude=None) -> None:
    """`instance.full_clean(exclude=…)` with the check constraints judged in Python."""
    exclude = set(exclude or ())
    errors: dict = {}
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        # As Django does: a field that failed its own validation is not judged again by a constraint.
        validate_constraints(instance, exclude | set(errors))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
