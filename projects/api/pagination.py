from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class IdsFirstPaginator(Paginator):
    """Pages a queryset whose rows carry costly annotations (the project flags).

    The page's ids are chosen first by a query that computes only what the filters and the
    ordering refer to; then just those rows are read with every annotation and prefetch. A
    deep page thus never evaluates the flags of the rows before its offset.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids], number, self)


class IdsFirstPagination(StandardPagination):
    django_paginator_class = IdsFirstPaginator
