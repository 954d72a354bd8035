"""A django-filter backend that builds no filterset when the request names none of its parameters.

What: `SkippingFilterBackend` is django-filter's `DjangoFilterBackend`, except that it hands the
queryset back untouched when no query parameter starts with the name of one of the view's
filterset's filters. The API's backend (`projects.api.filtering.FilterBackend`) is this.

Why: building a filterset deep-copies every filter and builds its form: about a quarter of a
plain list or detail request (docs/performance.md, "No filterset when no filter is named").
With no filter parameter every filter is a no-op, so the answer is the same.

The django-filter behaviour it relies on (checked on the versions pinned in
tests/fast/test_versions.py):

- `DjangoFilterBackend.get_filterset_class(view, queryset)` gives the class the backend would
  build, and `FilterSet.base_filters` names every filter of the class.
- A filter given no value leaves the queryset alone: `Filter.filter` and method filters return it
  untouched for an empty value. That holds for every filter of `projects.selectors.filters` (the
  ordering filter and the method filters check it themselves), none of which is required or has
  an initial value, and no filterset there overrides `filter_queryset`. A filterset that did any
  of these would give another answer without its parameters than with the backend skipping it.
- A parameter counts if it starts with a filter's name: that also covers widgets that read
  suffixed names (`_min`, `_after`, …). A parameter naming no filter is ignored, as
  django-filter ignores it.

Tests: tests/models/test_fixed_cost.py (`test_a_request_naming_no_filter_builds_no_filterset`),
tests/fast/test_filtering.py (`test_every_filterset_leaves_the_queryset_alone_without_its_parameters`),
tests/api/test_filters.py (every filter, through the backend).
"""

from django_filters import rest_framework as filters


class SkippingFilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, which leaves the queryset alone when the request names none of
    the filterset's parameters (see the module)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            key.startswith(name) for key in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
