"""Viewsets: parse, authorise, call one selector or service, serialise."""

import re
from datetime import date
from urllib.parse import quote

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from django.http import HttpResponseBase, StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from projects import roles, selectors, services
from projects.api import serializers as s
from projects.api.exports import MILESTONE_COLUMNS, PROJECT_COLUMNS
from projects.api.pagination import IdsFirstPagination, StandardPagination
from projects.api.renderers import TABULAR_FORMATS, CSVRenderer, Sheet, Workbook, XLSXRenderer
from projects.dates import QUERY_DATES, default_as_of, parse_date
from projects.exceptions import PreconditionFailed
from projects.filters import (
    ApprovalItemFilterSet,
    MilestoneFilterSet,
    OfficialFilterSet,
    ProjectFilterSet,
    StatusUpdateFilterSet,
    VisitFilterSet,
)
from projects.models import Project
from projects.permissions import RoleWritePermission

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
_ETAG = re.compile(r'^(?:W/)?"(\d+)-(\d+)"$')


# Rows of a download read per query: memory stays flat however long the list.
EXPORT_CHUNK = 500


def parse_as_of(request) -> date:
    raw = request.query_params.get("as_of")
    if raw in (None, ""):
        return default_as_of()
    try:
        return parse_date(raw, QUERY_DATES)
    except DjangoValidationError as exc:
        raise ValidationError({"as_of": exc.messages}) from None


def idempotency_key(request) -> str | None:
    """The POST's `Idempotency-Key` header, if any."""
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 255:
        raise ValidationError({"Idempotency-Key": ["最长 255 个字符。"]})
    return key


def created_response(data, created: bool) -> Response:
    """201 with the record; a replayed retry says so in `Idempotent-Replayed`."""
    response = Response(data, status=status.HTTP_201_CREATED)
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


class AsOfMixin:
    """Resolves `as_of` once per request; filters, serializers and selectors all use it."""

    permission_classes = [RoleWritePermission]
    # The policy resource of projects.roles and the prefix of the services `<entity>_create/_update/_delete`.
    entity: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        request.portfolio_as_of = parse_as_of(request)

    @property
    def as_of(self) -> date:
        return getattr(self.request, "portfolio_as_of", None) or default_as_of()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["as_of"] = self.as_of
        return context


def export_responses(serializer) -> dict:
    """The 200 responses of an endpoint that also downloads as CSV or XLSX (`?format=`)."""
    return {
        (200, "application/json"): serializer,
        # Basic types, so the download is not described as a paginated list.
        (200, CSVRenderer.media_type): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV（带 BOM），中文表头"),
        (200, XLSXRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 工作簿"),
    }


class TabularExportMixin:
    """`?format=csv|xlsx` downloads the whole filtered list; errors still answer in JSON."""

    export_columns = None
    export_title = ""
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer, XLSXRenderer]

    def get_renderers(self):
        # Only lists (and reports without actions) have a tabular form; elsewhere ?format=csv is 404.
        renderers = super().get_renderers()
        if getattr(self, "action", None) not in (None, "list"):
            renderers = [r for r in renderers if r.format not in TABULAR_FORMATS]
        return renderers

    def is_export(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return renderer is not None and renderer.format in TABULAR_FORMATS

    def export_response(self, workbook: Workbook) -> HttpResponseBase:
        """The download: a CSV of rows still to be read is streamed as it is written (constant memory);
        rows already in memory (reports) and XLSX are sent whole."""
        renderer = self.request.accepted_renderer
        filename = f"{workbook.filename}.{renderer.format}"
        if renderer.format == CSVRenderer.format and not all(isinstance(s.rows, list) for s in workbook.sheets):
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
    """Writes of `entity`: validated by the write serializer, scoped by projects.roles, done by the
    entity's service, answered with the read serializer.

    The record is checked against the caller's scope as stored and, for a create or an update,
    with the fields the write sets: a record may not be moved out of the caller's scope.
    """

    def service_kwargs(self) -> dict:
        """Arguments the entity's update and delete services take besides the record and the user."""
        return {}

    def check_scope(self, action: str, record) -> None:
        roles.check(self.request.user, self.entity, action, record)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_scope(roles.CREATE, serializer.validated_data)
        instance = services.write(self.entity, roles.CREATE, user=request.user, **serializer.validated_data)
        return Response(self.read_representation(instance), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_scope(roles.UPDATE, instance)
        extra = self.service_kwargs()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        self.check_scope(roles.UPDATE, serializer.validated_data)
        instance = services.write(
            self.entity, roles.UPDATE, record=instance, user=request.user, **extra, **serializer.validated_data,
        )
        return Response(self.read_representation(instance))

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_scope(roles.DELETE, instance)
        services.write(self.entity, roles.DELETE, record=instance, user=request.user, **self.service_kwargs())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- departments and officials ----------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[]))
class DepartmentViewSet(WritableViewSet):
    """责任单位与审批单位."""

    entity = "department"
    serializer_class = s.DepartmentSerializer
    filterset_fields = []

    def get_queryset(self):
        return selectors.department_list()


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF_PARAMETER]), retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
    create=extend_schema(responses={201: s.OfficialSerializer}),
    update=extend_schema(responses={200: s.OfficialSerializer}),
    partial_update=extend_schema(responses={200: s.OfficialSerializer}),
)
class OfficialViewSet(WritableViewSet):
    """分包领导（首席服务官）, with the counts of projects they lead as of `as_of`."""

    entity = "official"
    serializer_class = s.OfficialSerializer
    write_serializer_class = s.OfficialWriteSerializer
    filterset_class = OfficialFilterSet

    def get_queryset(self):
        return selectors.official_list(as_of=self.as_of)


# --- projects ---------------------------------------------------------------------------------


def _etag(project: dict) -> str:
    """The ETag of a project's representation: its id and version (parsed back by _expected_version)."""
    return f'"{project["id"]}-{project["version"]}"'


def _expected_version(request, project_pk) -> int | None:
    """The version an `If-Match` header names for this project; None without the header or with `*`."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    for tag in header.split(","):
        match = _ETAG.match(tag.strip())
        if match and match[1] == str(project_pk):
            return int(match[2])
    raise PreconditionFailed()


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF_PARAMETER, EXPORT_FORMAT_PARAMETER],
                       responses=export_responses(s.ProjectSerializer(many=True))),
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
    create=extend_schema(responses={201: s.ProjectSerializer}),
    update=extend_schema(parameters=[IF_MATCH_PARAMETER], responses={200: s.ProjectSerializer}),
    partial_update=extend_schema(parameters=[IF_MATCH_PARAMETER], responses={200: s.ProjectSerializer}),
    destroy=extend_schema(parameters=[IF_MATCH_PARAMETER], responses={
        204: None, 409: OpenApiResponse(s.ERROR_RESPONSE, description="项目已有进度填报"),
    }),
)
class ProjectViewSet(TabularExportMixin, WritableViewSet):
    """重点项目, with their flags as of `as_of`."""

    export_columns = PROJECT_COLUMNS
    export_title = "重点项目"
    export_basename = "projects"
    serializer_class = s.ProjectSerializer
    write_serializer_class = s.ProjectWriteSerializer
    filterset_class = ProjectFilterSet
    pagination_class = IdsFirstPagination
    entity = "project"

    def get_queryset(self):
        return selectors.project_list(as_of=self.as_of)

    def get_serializer_class(self):
        if self.action == "status_updates":
            return s.StatusUpdateCreateSerializer if self.request.method == "POST" else s.StatusUpdateSerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = _etag(response.data)
        return response

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response["ETag"] = _etag(response.data)
        return response

    def service_kwargs(self) -> dict:
        # Asked after get_object(), so an unknown project is 404 before a header is judged.
        return {"expected_version": _expected_version(self.request, self.kwargs["pk"])}

    @extend_schema(
        methods=["GET"], parameters=[AS_OF_PARAMETER], responses=s.StatusUpdateSerializer(many=True),
        summary="项目的进度填报（最新在前）",
    )
    @extend_schema(
        methods=["POST"], parameters=[IDEMPOTENCY_KEY_PARAMETER], request=s.StatusUpdateCreateSerializer,
        responses={
            201: s.StatusUpdateSerializer,
            422: OpenApiResponse(s.ERROR_RESPONSE, description="Idempotency-Key 已用于不同内容"),
        },
        summary="填报进度并推进项目状态",
    )
    @action(
        detail=True, methods=["get", "post"], url_path="status-updates", filterset_class=None, entity="status_update",
        pagination_class=StandardPagination,  # page numbers only: keyset pages are the project list's
    )
    def status_updates(self, request, pk=None):
        project = get_object_or_404(Project, pk=pk)
        if request.method == "GET":
            page = self.paginate_queryset(selectors.status_update_list().filter(project=project))
            return self.get_paginated_response(s.StatusUpdateSerializer(page, many=True).data)
        roles.check(request.user, "status_update", roles.CREATE, {"project": project})
        serializer = s.StatusUpdateCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, created = services.status_update_create(
            project=project, user=request.user, idempotency_key=idempotency_key(request),
            fingerprint=services.status_update_fingerprint(project=project, body=request.data),
            **serializer.validated_data,
        )
        return created_response(s.StatusUpdateSerializer(report).data, created)


# --- records of a project ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF_PARAMETER, EXPORT_FORMAT_PARAMETER],
                       responses=export_responses(s.MilestoneSerializer(many=True))),
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
    create=extend_schema(responses={201: s.MilestoneSerializer}),
    update=extend_schema(responses={200: s.MilestoneSerializer}),
    partial_update=extend_schema(responses={200: s.MilestoneSerializer}),
)
class MilestoneViewSet(TabularExportMixin, WritableViewSet):
    """节点; complete one with `PATCH {"completed_on": "..."}`."""

    export_columns = MILESTONE_COLUMNS
    export_title = "节点"
    export_basename = "milestones"
    serializer_class = s.MilestoneSerializer
    write_serializer_class = s.MilestoneWriteSerializer
    filterset_class = MilestoneFilterSet
    entity = "milestone"

    def get_queryset(self):
        return selectors.milestone_list(as_of=self.as_of)


@extend_schema_view(
    create=extend_schema(responses={201: s.VisitSerializer}),
    update=extend_schema(responses={200: s.VisitSerializer}),
    partial_update=extend_schema(responses={200: s.VisitSerializer}),
)
class VisitViewSet(WritableViewSet):
    """首席服务官调研、现场督导、电话联系."""

    serializer_class = s.VisitSerializer
    write_serializer_class = s.VisitWriteSerializer
    filterset_class = VisitFilterSet
    entity = "visit"

    def get_queryset(self):
        return selectors.visit_list()


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF_PARAMETER]), retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
    create=extend_schema(responses={201: s.ApprovalItemSerializer}),
    update=extend_schema(responses={200: s.ApprovalItemSerializer}),
    partial_update=extend_schema(responses={200: s.ApprovalItemSerializer}),
)
class ApprovalItemViewSet(WritableViewSet):
    """联审联批事项."""

    serializer_class = s.ApprovalItemSerializer
    write_serializer_class = s.ApprovalItemWriteSerializer
    filterset_class = ApprovalItemFilterSet
    entity = "approval_item"

    def get_queryset(self):
        return selectors.approval_item_list(as_of=self.as_of)


class StatusUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortfolioViewSet):
    """All status updates, newest first (append-only: no edit, no delete)."""

    serializer_class = s.StatusUpdateSerializer
    filterset_class = StatusUpdateFilterSet

    def get_queryset(self):
        return selectors.status_update_list()
