"""The base of every API view: as_of resolved once, policy permissions, writes through services, downloads."""

from datetime import date
from urllib.parse import quote

from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from projects.api.permissions import RoleWritePermission
from projects.api.renderers import (
    DOWNLOAD_FORMATS,
    CSVRenderer,
    PDFRenderer,
    Sheet,
    Workbook,
    XLSXRenderer,
)
from projects.api.serializers.base import ERROR_RESPONSE
from projects.domain import params, roles
from projects.domain.dates import QUERY_DATES, default_as_of
from projects.services.registry import Writes

AS_OF_PARAMETER = OpenApiParameter(
    "as_of", {"type": "string", "format": "date", "pattern": QUERY_DATES.pattern},
    description="评估逾期、亮灯、调研和时序进度的日期（默认今天，Asia/Shanghai；1900–2999 年）",
)

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER,
    description="同一调用方重试时带相同的键：返回第一次的结果，不重复记录",
)

IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, description="详情响应中的 ETag；版本已过期时返回 412",
)

EXPORT_FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv", "xlsx"],
    description="json（默认）；csv 或 xlsx 下载整份筛选结果（不分页），Excel/WPS 可直接打开",
)

# Rows of a download read per query: memory stays flat however long the list.
EXPORT_CHUNK = 500


def idempotency_key(request) -> str | None:
    """The POST's `Idempotency-Key` header, if any."""
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 255:
        raise ValidationError({"Idempotency-Key": ["最长 255 个字符。"]})
    return key


def created_response(data, *, replayed: bool) -> Response:
    """201 with the record; a replayed retry says so in `Idempotent-Replayed`."""
    response = Response(data, status=status.HTTP_201_CREATED)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


class AsOfMixin:
    """Resolves `as_of` once per request; filters, serializers and selectors all use it."""

    permission_classes = [RoleWritePermission]
    # The policy resource of projects.domain.roles.
    entity: str | None = None
    # A route whose write may be any of several policy actions (see RoleWritePermission).
    policy_actions: tuple[str, ...] | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        request.portfolio_as_of = params.as_of(request.query_params.get("as_of"))

    @property
    def as_of(self) -> date:
        return getattr(self.request, "portfolio_as_of", None) or default_as_of()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["as_of"] = self.as_of
        return context


PDF_FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "csv", "xlsx", "pdf"],
    description="json（默认）；csv 或 xlsx 下载电子表格，Excel/WPS 可直接打开；"
    "pdf 下载 A4 版式的 PDF（内嵌中文字体，带页码）",
)


def export_responses(serializer, *, pdf: bool = False) -> dict:
    """The responses of an endpoint that also downloads as CSV or XLSX (`?format=`), and as PDF if `pdf`."""
    responses = {
        (200, "application/json"): serializer,
        # Basic types, so the download is not described as a paginated list.
        (200, CSVRenderer.media_type): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV（带 BOM），中文表头"),
        (200, XLSXRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 工作簿"),
    }
    if pdf:
        responses[(200, PDFRenderer.media_type)] = OpenApiResponse(
            OpenApiTypes.BINARY, description="A4 PDF：标题、各部分表格、页码，内嵌中文字体",
        )
        responses[(503, "application/json")] = OpenApiResponse(
            ERROR_RESPONSE, description="服务器暂时无法生成 PDF（缺少排版组件或字体）；其他格式不受影响",
        )
    return responses


class TabularExportMixin:
    """`?format=csv|xlsx` downloads the whole filtered list; errors still answer in JSON."""

    export_columns = None
    export_title = ""
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer, XLSXRenderer]

    def get_renderers(self):
        # Only lists (and reports without actions) have a tabular form; elsewhere ?format=csv is 404.
        renderers = super().get_renderers()
        if getattr(self, "action", None) not in (None, "list"):
            renderers = [r for r in renderers if r.format not in DOWNLOAD_FORMATS]
        return renderers

    def is_export(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return renderer is not None and renderer.format in DOWNLOAD_FORMATS

    def export_response(self, workbook: Workbook) -> HttpResponseBase:
        """The download: a CSV of rows still to be read is streamed as it is written (constant memory);
        rows already in memory (reports) and XLSX are sent whole; a PDF is drawn here, inside the view,
        so that a server that cannot draw one answers 503 through the exception handler."""
        renderer = self.request.accepted_renderer
        filename = f"{workbook.filename}.{renderer.format}"
        if renderer.format == PDFRenderer.format:
            response = HttpResponse(renderer.render(workbook), content_type=renderer.media_type)
        elif renderer.format == CSVRenderer.format and not all(isinstance(s.rows, list) for s in workbook.sheets):
            response = StreamingHttpResponse(CSVRenderer.stream(workbook),
                                             content_type=f"{renderer.media_type}; charset={renderer.charset}")
        else:
            response = Response(workbook)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response

    def export_rows(self, queryset, chunk: int | None = None):
        """The serialized rows of the whole list, read a chunk of ids at a time: a long list is never
        held in memory, and the flags and prefetches run per chunk."""
        chunk = chunk or EXPORT_CHUNK
        ids = list(queryset.values_list("pk", flat=True))
        for start in range(0, len(ids), chunk):
            wanted = ids[start:start + chunk]
            found = {row.pk: row for row in queryset.filter(pk__in=wanted).order_by()}
            rows = [found[pk] for pk in wanted if pk in found]  # one deleted meanwhile is left out
            yield from self.get_serializer(rows, many=True).data

    def list(self, request, *args, **kwargs):
        if not self.is_export():
            return super().list(request, *args, **kwargs)
        rows = self.export_rows(self.filter_queryset(self.get_queryset()))
        if request.accepted_renderer.format != CSVRenderer.format:
            rows = list(rows)
        sheet = Sheet(self.export_title, self.export_columns, rows)
        return self.export_response(Workbook(f"{self.export_basename}-{self.as_of.isoformat()}", [sheet]))

    def finalize_response(self, request, response, *args, **kwargs):
        # Only a workbook has a spreadsheet form: errors and OPTIONS metadata answer in JSON. A streamed
        # download (StreamingHttpResponse, no `.data`) is already written.
        if self.is_export() and isinstance(response, Response) and not isinstance(response.data, Workbook):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class PortfolioViewSet(AsOfMixin, viewsets.GenericViewSet):
    """Picks the read or write serializer per action."""

    write_serializer_class = None

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update") and self.write_serializer_class:
            return self.write_serializer_class
        return self.serializer_class

    def read_representation(self, instance):
        fresh = self.get_queryset().get(pk=instance.pk)
        return self.serializer_class(fresh, context=self.get_serializer_context()).data


class WritableViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, PortfolioViewSet,
):
    """Writes of `entity`: validated by the write serializer, scoped by projects.domain.roles, done by the
    entity's service, answered with the read serializer.

    The record is checked against the caller's scope as stored and, for a create or an update,
    with the fields the write sets: a record may not be moved out of the caller's scope.
    """

    # The entity's create, update and delete services (projects.services.registry); its name is the
    # policy resource, unless an extra route names its own (`@action(..., entity=...)`).
    writes: Writes

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "writes" in cls.__dict__:
            cls.entity = cls.writes.entity

    def service_kwargs(self) -> dict:
        """Arguments the entity's update and delete services take besides the record and the user."""
        return {}

    def check_scope(self, action: str, record) -> None:
        roles.check(self.request.user, self.entity, action, record)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_scope(roles.CREATE, serializer.validated_data)
        instance = self.writes.create(user=request.user, **serializer.validated_data)
        return Response(self.read_representation(instance), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_scope(roles.UPDATE, instance)
        extra = self.service_kwargs()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        self.check_scope(roles.UPDATE, serializer.validated_data)
        instance = self.writes.update(instance, user=request.user, **extra, **serializer.validated_data)
        return Response(self.read_representation(instance))

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_scope(roles.DELETE, instance)
        self.writes.delete(instance, user=request.user, **self.service_kwargs())
        return Response(status=status.HTTP_204_NO_CONTENT)
