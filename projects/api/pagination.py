import base64
import binascii
import json

from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


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
        return self._get_page(rows_in_order(self.object_list, ids), number, self)


def rows_in_order(queryset, ids: list) -> list:
    """The rows of `queryset` with these ids, in the ids' order, read by one query."""
    rows = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [rows[pk] for pk in ids if pk in rows]


class IdsFirstPagination(StandardPagination):
    """Page numbers, or keyset pages for clients that walk the whole list (`?cursor=`).

    An offset page costs more the deeper it lies: the database steps over every row before it.
    With `?cursor=` (empty for the first page) a page starts after the last project code of the
    page before, found through the code's index, so page 2,000 costs what page 1 does. Keyset
    pages follow the default order (project code) and carry the same body; `next`/`previous`
    hold the cursors.
    """

    django_paginator_class = IdsFirstPaginator
    cursor_query_param = "cursor"
    key = "code"

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = None
        if self.cursor_query_param not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        if request.query_params.get("ordering") or self.page_query_param in request.query_params:
            raise ValidationError({self.cursor_query_param: [
                "按游标翻页只用默认顺序（项目编号），不能与 ordering 或 page 同用。"]})
        self.request = request
        direction, value = self.decode(request.query_params[self.cursor_query_param])
        size = self.get_page_size(request)
        if direction == "before":
            chosen = queryset.filter(**{f"{self.key}__lt": value}).order_by(f"-{self.key}", "-pk")
        elif direction == "after":
            chosen = queryset.filter(**{f"{self.key}__gt": value}).order_by(self.key, "pk")
        else:
            chosen = queryset.order_by(self.key, "pk")
        keys = list(chosen.values_list("pk", self.key)[:size + 1])
        more = len(keys) > size
        keys = keys[:size]
        if direction == "before":
            keys.reverse()
        rows = rows_in_order(queryset, [pk for pk, _ in keys])
        if direction == "before":
            has_next, has_previous = bool(keys), more
        else:
            has_next, has_previous = more, direction == "after" and bool(keys)
        self.keyset = {
            "count": queryset.count(),
            "next": keys[-1][1] if has_next else None,
            "previous": keys[0][1] if has_previous else None,
        }
        return rows

    def decode(self, raw: str) -> tuple[str | None, str | None]:
        if raw == "":
            return None, None
        try:
            cursor = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
            if not isinstance(cursor, dict):
                raise ValueError
            [(direction, value)] = cursor.items()
            if direction not in ("after", "before") or not isinstance(value, str) or "\x00" in value:
                raise ValueError
        except (ValueError, TypeError, UnicodeError, binascii.Error):
            raise ValidationError({self.cursor_query_param: ["游标无效：请使用上一页响应中 next 或 previous 链接里的值。"]}) \
                from None
        return direction, value

    def link(self, direction: str, value: str) -> str:
        cursor = base64.urlsafe_b64encode(json.dumps({direction: value}).encode()).decode().rstrip("=")
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        if self.keyset is None:
            return super().get_paginated_response(data)
        return Response({
            "count": self.keyset["count"],
            "next": self.link("after", self.keyset["next"]) if self.keyset["next"] is not None else None,
            "previous": self.link("before", self.keyset["previous"]) if self.keyset["previous"] is not None else None,
            "results": data,
        })

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), {
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "按项目编号顺序翻页（深页与首页一样快）：第一页传空值，之后用响应中 next/previous 链接；"
                           "与 page、ordering 不同用",
            "schema": {"type": "string"},
        }]
