"""What every serializer shares: Chinese display fields, written dates, the read and write bases."""

import copy
from collections.abc import Mapping
from datetime import date
from operator import attrgetter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from projects.domain.dates import WRITTEN_DATES, parse_date


@extend_schema_field(OpenApiTypes.STR)
class DisplayField(serializers.Field):
    """The Chinese label (`x_display`) of a coded field."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices.choices)
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.labels.get(value, value)


@extend_schema_field({"type": "string", "format": "date", "pattern": WRITTEN_DATES.pattern})
class WrittenDateField(serializers.DateField):
    """A date a write stores: YYYY-MM-DD in 2000–2099, an impossible day named in the error."""

    def to_internal_value(self, value):
        try:
            return parse_date(value, WRITTEN_DATES)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


# DRF introspects the model again for every model serializer it builds. The fields of these
# serializers depend only on their class, so they are built once per class and copied for each
# instance, as DRF copies declared fields. (No docstring: the schema would show it.)
class ModelSerializer(serializers.ModelSerializer):

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        return copy.deepcopy(built)


# Input serializers: a model's dates are read by WrittenDateField.
class WriteSerializer(ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.DateField: WrittenDateField}


# A model serializer whose rows are written by a plan made once per serializer. DRF finds each
# field's attribute on every row through its generic path (dotted sources, callables, dicts); here
# each readable field's getter is chosen once, so a page of 500 projects with their milestones is
# written about twice as fast. The output is DRF's, field for field (tests/api/test_read_serializers.py
# holds them equal); the fields stay the schema. (No docstring: the schema would show it on every
# serializer that inherits it.)
class ReadSerializer(ModelSerializer):

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


def code_field(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices.choices, **kwargs)


def _as_of(serializer) -> date:
    return serializer.context["as_of"]


# A written deadline: a quarter, a month or a day of 2000–2099 (the service parses and checks it).
PERIOD_MESSAGE = "应为 2000–2099 年的 2023-Q2（季度）、2023-06（月份）或 2023-06-15（日期）。"

PERIOD_PATTERN = r"^20\d\d-([Qq][1-4]|0[1-9]|1[0-2]|(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))$"

ERROR_RESPONSE = inline_serializer("ErrorResponse", fields={"detail": serializers.CharField()})
