"""What the filter backend's bypass (projects.fast.filtering) relies on: without any of its
parameters, every filterset the API uses leaves the queryset as it was."""

from datetime import date

import pytest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from projects.api.filtering import FilterBackend
from projects.fast.filtering import SkippingFilterBackend


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            yield pattern.callback.cls


FILTERSETS = sorted({view.filterset_class for view in _views(get_resolver().url_patterns)
                     if getattr(view, "filterset_class", None)}, key=lambda filterset: filterset.__name__)


def test_the_api_filters_through_the_bypass():
    assert issubclass(FilterBackend, SkippingFilterBackend)
    assert len(FILTERSETS) >= 8, FILTERSETS


@pytest.mark.django_db
@pytest.mark.parametrize("filterset_class", FILTERSETS, ids=lambda filterset: filterset.__name__)
def test_every_filterset_leaves_the_queryset_alone_without_its_parameters(filterset_class):
    request = Request(APIRequestFactory().get("/", {"page_size": "10", "as_of": "2023-07-01", "format": "json"}))
    request.portfolio_as_of = date(2023, 7, 1)
    queryset = filterset_class._meta.model._default_manager.all()
    filterset = filterset_class(QueryDict("page_size=10&as_of=2023-07-01&format=json"), queryset=queryset,
                                request=request)
    assert filterset.is_valid(), filterset.errors
    filtered = filterset.qs
    assert str(filtered.query) == str(queryset.query)
    assert (filtered.query.distinct, filtered.query.is_sliced) == (False, False)
