"""招商引资: /leads/ with their moves and conversion to a key project, and /stats/leads/."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
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
from projects.api.exports import LEAD_COLUMNS
from projects.api.serializers import leads as ls
from projects.api.serializers import portfolio as s
from projects.api.serializers.base import ERROR_RESPONSE
from projects.domain import params, roles
from projects.models import Lead
from projects.selectors.filters import LeadFilterSet
from projects.services import registry


@extend_schema_view(
    list=extend_schema(parameters=[EXPORT_FORMAT_PARAMETER], responses=export_responses(ls.LeadSerializer(many=True))),
    create=extend_schema(responses={201: ls.LeadSerializer}),
    update=extend_schema(responses={200: ls.LeadSerializer}),
    partial_update=extend_schema(responses={200: ls.LeadSerializer}),
    destroy=extend_schema(responses={
        204: None, 409: OpenApiResponse(ERROR_RESPONSE, description="线索已有推进记录"),
    }),
)
class LeadViewSet(TabularExportMixin, WritableViewSet):
    """招商线索: stages move only through `moves`; a signed lead becomes a key project through `project`."""

    export_columns = LEAD_COLUMNS
    export_title = "招商线索"
    export_basename = "leads"
    serializer_class = ls.LeadSerializer
    write_serializer_class = ls.LeadWriteSerializer
    filterset_class = LeadFilterSet
    writes = registry.LEAD

    def get_queryset(self):
        return selectors.lead_list()

    def get_serializer_class(self):
        if self.action == "moves":
            return ls.LeadMoveCreateSerializer if self.request.method == "POST" else ls.LeadMoveSerializer
        if self.action == "project":
            return ls.LeadProjectSerializer
        return super().get_serializer_class()

    @extend_schema(methods=["GET"], responses=ls.LeadMoveSerializer(many=True), summary="线索的推进记录（按日期）")
    @extend_schema(
        methods=["POST"], parameters=[IDEMPOTENCY_KEY_PARAMETER], request=ls.LeadMoveCreateSerializer,
        responses={
            201: ls.LeadMoveSerializer,
            422: OpenApiResponse(ERROR_RESPONSE, description="Idempotency-Key 已用于不同内容"),
        },
        summary="推进线索阶段（可跳过；dropped 为终止）",
    )
    @action(detail=True, methods=["get", "post"], url_path="moves", filterset_class=None, entity="lead_move")
    def moves(self, request, pk=None):
        lead = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.lead_move_list().filter(lead=lead).order_by("moved_on", "id"))
            return self.get_paginated_response(ls.LeadMoveSerializer(page, many=True).data)
        roles.check(request.user, "lead_move", roles.CREATE, {"lead": lead})
        serializer = ls.LeadMoveCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        move = services.lead_move_create(
            lead=lead, user=request.user, idempotency_key=idempotency_key(request),
            fingerprint=services.lead_move_fingerprint(lead=lead, body=request.data), **serializer.validated_data,
        )
        return created_response(ls.LeadMoveSerializer(move).data, replayed=move.replayed)

    @extend_schema(
        request=ls.LeadProjectSerializer,
        responses={
            201: s.ProjectSerializer,
            409: OpenApiResponse(ERROR_RESPONSE, description="线索未签约，或已转为重点项目"),
        },
        summary="将签约（或落地）线索转为重点项目",
    )
    @action(detail=True, methods=["post"], url_path="project", filterset_class=None)
    def project(self, request, pk=None):
        lead = self.get_object()
        roles.check(request.user, "lead", roles.CONVERT, lead)
        serializer = ls.LeadProjectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.lead_project_create(lead=lead, user=request.user, **serializer.validated_data)
        fresh = selectors.project_list(as_of=self.as_of).get(pk=project.pk)
        return created_response(s.ProjectSerializer(fresh, context=self.get_serializer_context()).data, replayed=False)


@extend_schema(
    parameters=[
        AS_OF_PARAMETER,
        OpenApiParameter("year", OpenApiTypes.INT, description="统计年度；默认 as_of 所在年度"),
    ],
    responses=ls.LeadStatsSerializer,
    summary="招商引资统计",
)
class LeadStatsView(AsOfMixin, generics.GenericAPIView):
    """Leads received, contacted, in talks, signed (with the amount), landed and dropped, over the lead filters."""

    filterset_class = LeadFilterSet
    pagination_class = None

    def get(self, request):
        filterset = LeadFilterSet(request.query_params, queryset=Lead.objects.all(), request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        # `year` names the year of the figures; it does not restrict the leads by the year they came in.
        year = params.one_year(filterset.form.cleaned_data.pop("year", None), default=self.as_of.year,
                               message="统计只针对一个年度，请只给一个 year。")
        leads = filterset.filter_queryset(Lead.objects.all())
        return Response(ls.LeadStatsSerializer(reports.lead_stats(year=year, as_of=self.as_of, leads=leads)).data)
