"""The orjson renderer writes exactly what DRF's JSON renderer writes."""

from datetime import date, datetime, time, timezone
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from projects.domain.choices import ProjectStatus
from projects.fast.json import FastJSONRenderer

DATA = {
    "id": 7, "name": "二七区\u2028重点项目\u2029", "ratio": 0.1 + 0.2, "big": 2**53 + 1, "none": None, "flag": True,
    "day": date(2023, 5, 4), "moment": datetime(2023, 5, 4, 9, 30, 15, 123456, tzinfo=timezone.utc),
    "naive": datetime(2023, 5, 4, 9, 30), "clock": time(8, 15, 30, 250000), "money": Decimal("12.30"),
    "label": gettext_lazy("Invalid token."), "status": ProjectStatus.UNDER_CONSTRUCTION,
    "errors": {0: {"kind": ["bad"]}, 1: {}},
    "nested": [{"emoji": "🏗", "quote": "\"<>&'", "control": "\x00\t\n"}, [], {}],
}


def test_the_body_is_drfs_byte_for_byte():
    assert FastJSONRenderer().render(DATA) == JSONRenderer().render(DATA)


def test_an_indented_response_and_no_content_are_drfs_too():
    context = {"indent": 2}
    assert FastJSONRenderer().render(DATA, "application/json", context) == \
        JSONRenderer().render(DATA, "application/json", context)
    assert FastJSONRenderer().render(None) == JSONRenderer().render(None) == b""
