"""What every serializer shares: Chinese display fields, written dates, the read and write bases."""

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from projects.domain.dates import WRITTEN_DATES, parse_date
from projects.fast.serializers import FieldsBuiltOnce, PlannedRows


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


# DRF's model serializer with its fields built once per class (`projects.fast.serializers`).
# (No docstring: the schema would show it on every serializer.)
class ModelSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    pass


# Input serializers: a model's dates are read by WrittenDateField.
class WriteSerializer(ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.DateField: WrittenDateField}


# A model serializer whose rows are written by a plan made once per serializer
# (`projects.fast.serializers`): DRF's output, field for field, about twice as fast on a page.
# (No docstring: the schema would show it on every serializer that inherits it.)
class ReadSerializer(PlannedRows, ModelSerializer):
    pass


def code_field(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices.choices, **kwargs)


def _as_of(serializer) -> date:
    return serializer.context["as_of"]


# A written deadline: a quarter, a month or a day of 2000–2099 (the service parses and checks it).
PERIOD_MESSAGE = "应为 2000–2099 年的 2023-Q2（季度）、2023-06（月份）或 2023-06-15（日期）。"

PERIOD_PATTERN = r"^20\d\d-([Qq][1-4]|0[1-9]|1[0-2]|(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))$"

ERROR_RESPONSE = inline_serializer("ErrorResponse", fields={"detail": serializers.CharField()})
