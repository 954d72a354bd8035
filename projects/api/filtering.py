"""The API's filter backend over the project filters (projects.selectors.filters)."""

from django_filters import rest_framework as filters


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, which leaves the queryset alone when the request names none of
    the filterset's parameters.

    Building a filterset copies every filter and builds its form: about a quarter of a plain
    list or detail request. With no filter parameter every filter is a no-op anyway, so the
    answer is the same. A parameter counts if it starts with a filter's name, which also covers
    widgets that read suffixed names.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            key.startswith(name) for key in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
