"""The API's filter backend over the project filters (projects.selectors.filters)."""

from projects.fast.filtering import SkippingFilterBackend


class FilterBackend(SkippingFilterBackend):
    """django-filter's backend, which builds no filterset when the request names none of the
    filterset's parameters (`projects.fast.filtering`)."""
