"""Supervision: /problems/ with their moves, /stats/problems/, and /projects/{id}/assessments/."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from projects import reports, selectors, services
from projects.api.base import (
    AS_OF_PARAMETER,
    EXPORT_FORMAT_PARAMETER,
    IDEMPOTENCY_KEY_PARAMETER,
    AsOfMixin,
    TabularExportMixin,
    WritableViewSet,
    created_response,
    export_responses,
    idempotency_key,
)
from projects.api.exports import PROBLEM_COLUMNS
from projects.api.pagination import StandardPagination
from projects.api.serializers import problems as ps
from projects.api.serializers.base import ERROR_RESPONSE
from projects.domain import params, roles
from projects.domain.choices import problem_move_action
from projects.models import Project
from projects.selectors.filters import ProblemFilterSet
from projects.services import registry

YEAR_PARAMETER = OpenApiParameter("year", int, description="只统计提出于该年度的问题；默认不限年度")


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF_PARAMETER, EXPORT_FORMAT_PARAMETER],
                       responses=export_responses(ps.ProblemSerializer(many=True))),
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
    create=extend_schema(responses={201: ps.ProblemSerializer}),
    update=extend_schema(responses={200: ps.ProblemSerializer}),
    partial_update=extend_schema(responses={200: ps.ProblemSerializer}),
    destroy=extend_schema(responses={
        204: None, 409: OpenApiResponse(ERROR_RESPONSE, description="问题已有流转记录"),
    }),
)
class ProblemViewSet(TabularExportMixin, WritableViewSet):
    """问题台账: raised on a project, handed to a unit with a deadline, answered, closed; flags as of `as_of`.

    State, unit and deadline change only through `moves`.
    """

    export_columns = PROBLEM_COLUMNS
    export_title = "问题台账"
    export_basename = "problems"
    serializer_class = ps.ProblemSerializer
    write_serializer_class = ps.ProblemWriteSerializer
    filterset_class = ProblemFilterSet
    writes = registry.PROBLEM

    def get_queryset(self):
        return selectors.problem_list(as_of=self.as_of)

    def get_serializer_class(self):
        if self.action == "moves":
            return ps.ProblemMoveCreateSerializer if self.request.method == "POST" else ps.ProblemMoveSerializer
        return super().get_serializer_class()

    @extend_schema(methods=["GET"], responses=ps.ProblemMoveSerializer(many=True), summary="问题的流转记录（按日期）")
    @extend_schema(
        methods=["POST"], parameters=[IDEMPOTENCY_KEY_PARAMETER], request=ps.ProblemMoveCreateSerializer,
        responses={
            201: ps.ProblemMoveSerializer,
            422: OpenApiResponse(ERROR_RESPONSE, description="Idempotency-Key 已用于不同内容"),
        },
        summary="流转问题：交办、反馈、退回、销号或撤销",
    )
    @action(detail=True, methods=["get", "post"], url_path="moves", filterset_class=None,
            policy_actions=roles.PROBLEM_MOVE_ACTIONS)
    def moves(self, request, pk=None):
        problem = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.problem_move_list().filter(problem=problem))
            return self.get_paginated_response(ps.ProblemMoveSerializer(page, many=True).data)
        # Out of scope is 403 whatever else is wrong with the body; the service asks again under the lock.
        target = request.data.get("state") if isinstance(request.data, dict) else None
        move_action = problem_move_action(problem.state, target) if isinstance(target, str) else None
        if move_action is not None:
            roles.check(request.user, "problem", move_action, problem)
        serializer = ps.ProblemMoveCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        move = services.problem_move_create(
            problem=problem, user=request.user, idempotency_key=idempotency_key(request),
            fingerprint=services.problem_move_fingerprint(problem=problem, body=request.data),
            **serializer.validated_data,
        )
        return created_response(ps.ProblemMoveSerializer(move).data, replayed=move.replayed)


@extend_schema(
    parameters=[AS_OF_PARAMETER, YEAR_PARAMETER],
    responses=ps.ProblemStatsSerializer,
    summary="问题台账统计",
)
class ProblemStatsView(AsOfMixin, generics.GenericAPIView):
    """Problems by state, category and escalation, on-time closing and per responsible unit, over the
    problem filters."""

    filterset_class = ProblemFilterSet
    pagination_class = None

    def get(self, request):
        problems = selectors.problem_list(as_of=self.as_of)
        filterset = ProblemFilterSet(request.query_params, queryset=problems, request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        raw_year = request.query_params.get("year")
        year = params.year(raw_year, default=None) if raw_year not in (None, "") else None
        figures = reports.problem_stats(problems=filterset.qs, as_of=self.as_of, year=year)
        return Response(ps.ProblemStatsSerializer(figures).data)


@extend_schema_view(
    get=extend_schema(summary="项目的人工研判（最新在前）",
                      parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
                      responses={200: ps.AssessmentSerializer(many=True),
                                 404: OpenApiResponse(ERROR_RESPONSE, description="无此项目")}),
    post=extend_schema(summary="记录人工研判亮灯", request=ps.AssessmentCreateSerializer,
                       parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
                       responses={201: ps.AssessmentSerializer,
                                  404: OpenApiResponse(ERROR_RESPONSE, description="无此项目")}),
)
class ProjectAssessmentsView(AsOfMixin, generics.ListCreateAPIView):
    """人工研判 of a project: the office's own light beside the computed one; append-only."""

    entity = "assessment"
    serializer_class = ps.AssessmentSerializer
    pagination_class = StandardPagination
    filter_backends = []

    def project(self) -> Project:
        try:
            return Project.objects.get(pk=int(self.kwargs["pk"]))
        except (ValueError, OverflowError, Project.DoesNotExist):
            raise NotFound("未找到该项目。") from None

    def get_queryset(self):
        return selectors.assessment_list().filter(project=self.project())

    def create(self, request, *args, **kwargs):
        project = self.project()
        roles.check(request.user, "assessment", roles.CREATE, {"project": project})
        serializer = ps.AssessmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_create(project=project, user=request.user, **serializer.validated_data)
        return Response(ps.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)
