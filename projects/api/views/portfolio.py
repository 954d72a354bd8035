"""Viewsets of the portfolio: departments, officials, projects and their records."""

import re

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404

from projects import selectors, services
from projects.api.base import (
    AS_OF_PARAMETER,
    EXPORT_FORMAT_PARAMETER,
    IDEMPOTENCY_KEY_PARAMETER,
    IF_MATCH_PARAMETER,
    PortfolioViewSet,
    TabularExportMixin,
    WritableViewSet,
    created_response,
    export_responses,
    idempotency_key,
)
from projects.api.exports import MILESTONE_COLUMNS, PROJECT_COLUMNS
from projects.api.pagination import IdsFirstPagination, StandardPagination
from projects.api.serializers import portfolio as s
from projects.api.serializers.base import ERROR_RESPONSE
from projects.domain import roles
from projects.domain.exceptions import PreconditionFailed
from projects.models import Project
from projects.selectors.filters import (
    ApprovalItemFilterSet,
    MilestoneFilterSet,
    OfficialFilterSet,
    ProjectFilterSet,
    StatusUpdateFilterSet,
    VisitFilterSet,
)
from projects.services import registry

_ETAG = re.compile(r'^(?:W/)?"(\d+)-(\d+)"$')


@extend_schema_view(list=extend_schema(parameters=[]))
class DepartmentViewSet(WritableViewSet):
    """责任单位与审批单位."""

    writes = registry.DEPARTMENT
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

    writes = registry.OFFICIAL
    serializer_class = s.OfficialSerializer
    write_serializer_class = s.OfficialWriteSerializer
    filterset_class = OfficialFilterSet

    def get_queryset(self):
        return selectors.official_list(as_of=self.as_of)


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
        204: None, 409: OpenApiResponse(ERROR_RESPONSE, description="项目已有进度填报"),
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
    writes = registry.PROJECT

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
            422: OpenApiResponse(ERROR_RESPONSE, description="Idempotency-Key 已用于不同内容"),
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
        report = services.status_update_create(
            project=project, user=request.user, idempotency_key=idempotency_key(request),
            fingerprint=services.status_update_fingerprint(project=project, body=request.data),
            **serializer.validated_data,
        )
        return created_response(s.StatusUpdateSerializer(report).data, replayed=report.replayed)


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
    writes = registry.MILESTONE

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
    writes = registry.VISIT

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
    writes = registry.APPROVAL_ITEM

    def get_queryset(self):
        return selectors.approval_item_list(as_of=self.as_of)


class StatusUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortfolioViewSet):
    """All status updates, newest first (append-only: no edit, no delete)."""

    serializer_class = s.StatusUpdateSerializer
    filterset_class = StatusUpdateFilterSet

    def get_queryset(self):
        return selectors.status_update_list()
