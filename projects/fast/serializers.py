"""Model serializers that build their fields once per class and write rows by a plan.

What: two mixins the API's serializer bases put in front of DRF's `ModelSerializer`
(`projects.api.serializers.base`):

- `FieldsBuiltOnce`: the fields DRF builds for a model serializer are built once per class and
  deep-copied for each instance;
- `PlannedRows`: each readable field's getter and writer are chosen once per serializer (once
  per page with `many=True`), and every row is written by that plan.

Why: DRF introspects the model again for every serializer it builds (0.86 ms for the project
serializer, 0.28 ms copied); its generic path finds each field's attribute through dotted
sources, callables and dicts on every row. Together with the plain writers below, a page of 500
projects with their milestones is written about twice as fast (docs/performance.md, "Serializer
fields built once per class", "Rows written by a plan").

The DRF behaviour it relies on (checked on the versions pinned in tests/fast/test_versions.py):

- `ModelSerializer.get_fields()` depends only on the serializer's class (its `Meta` and declared
  fields), never on the instance, its context or its data; DRF itself deep-copies
  `_declared_fields` per instance, and the copies are bound to the instance afterwards.
- `Serializer._readable_fields` (private) yields the fields `to_representation` writes, in order;
  once bound, `Field.source_attrs` (private) is the source split on dots, empty for `source="*"`.
- `Serializer.to_representation` writes None for a None attribute without calling the field, and
  otherwise `field.to_representation(field.get_attribute(instance))`. For a one-attribute source,
  `get_attribute` is `getattr`, plus three things the plan skips: calling a callable attribute,
  None for a missing related object, and leaving out a missing attribute of a field that is not
  required. A read serializer therefore must not use a method as a single-attribute source, nor
  rely on those two fallbacks; the equality test below fails if one does.
- The plain writers give DRF's output for database values: `IntegerField` (not coerced to a
  string) is `int`, `CharField` is `str`, `BooleanField` is `bool` for real booleans, a
  `DateField` in ISO 8601 is `isoformat()`. Only those exact classes are replaced, never subclasses.
- Rows read as `values()` (mappings) take DRF's own path.

The mixins carry no class docstring on purpose: drf-spectacular describes a serializer component
by the first docstring in its class hierarchy above DRF's classes, so a docstring here would
appear on every serializer that inherits it.

Tests: tests/api/test_read_serializers.py (`test_planned_rows_equal_drfs_generic_rows` holds every list,
`test_a_project_detail_equals_drfs_generic_detail` every detail, equal to DRF's generic output),
tests/api/test_schema.py (the schema, and so the fields, unchanged).
"""

import copy
from collections.abc import Mapping
from operator import attrgetter

from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


class FieldsBuiltOnce:
    # DRF builds a model serializer's fields from its class alone: built once, copied per instance.

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)


class PlannedRows:
    # Each readable field's getter and writer chosen once per serializer; rows written by the plan.

    def _read_plan(self) -> list:
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = []
            for field in self._readable_fields:
                if field.source == "*":
                    getter = None
                elif len(field.source_attrs) == 1:
                    getter = attrgetter(field.source_attrs[0])
                else:
                    getter = field.get_attribute
                plan.append((field.field_name, getter, _representation(field)))
            self._plan = plan
        return plan

    def to_representation(self, instance):
        if isinstance(instance, Mapping):  # rows read as values() go DRF's way
            return super().to_representation(instance)
        row = {}
        for name, getter, represent in self._read_plan():
            value = instance if getter is None else getter(instance)
            row[name] = None if value is None else represent(value)
        return row


def _iso_date(value):
    return value if isinstance(value, str) else value.isoformat()


def _representation(field: serializers.Field):
    """The field's `to_representation`, or a plain function giving the same output for database
    values (never None here) where DRF's generic path is slow: plain integers, text, booleans, ISO dates."""
    kind = type(field)
    if kind is serializers.IntegerField and not getattr(field, "coerce_to_string", False):
        return int
    if kind is serializers.CharField:
        return str
    if kind is serializers.BooleanField:
        return bool
    if kind is serializers.DateField and getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601:
        return _iso_date
    return field.to_representation
