"""目标任务: the targets' viewset and /stats/targets/."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response

from projects import selectors
from projects.api.base import AS_OF_PARAMETER, AsOfMixin, WritableViewSet
from projects.api.serializers.targets import TargetSerializer, TargetStatsSerializer, TargetWriteSerializer
from projects.domain import params
from projects.reports.targets import target_progress
from projects.selectors.filters import TargetFilterSet
from projects.services import registry


@extend_schema_view(
    create=extend_schema(responses={201: TargetSerializer}),
    update=extend_schema(responses={200: TargetSerializer}),
    partial_update=extend_schema(responses={200: TargetSerializer}),
)
class TargetViewSet(WritableViewSet):
    """目标任务 of a year: what a meeting set, in the unit of its metric, over a scope of projects."""

    writes = registry.TARGET
    serializer_class = TargetSerializer
    write_serializer_class = TargetWriteSerializer
    filterset_class = TargetFilterSet

    def get_queryset(self):
        return selectors.target_list()


@extend_schema(
    parameters=[AS_OF_PARAMETER, OpenApiParameter("year", {"type": "integer", "minimum": 2000, "maximum": 2100},
                                             description="年度（2000–2100）；默认 as_of 所在年")],
    responses=TargetStatsSerializer,
    summary="目标任务完成情况",
)
class TargetStatsView(AsOfMixin, generics.GenericAPIView):
    """Every target of the year: actual, rate, time progress toward its due date and state, as of `as_of`."""

    pagination_class = None
    filter_backends = []

    def get(self, request):
        year = params.year(request.query_params.get("year"), default=self.as_of.year)
        progress = target_progress(targets=selectors.target_list().filter(year=year), as_of=self.as_of)
        return Response(TargetStatsSerializer({"as_of": self.as_of, "year": year, "targets": progress}).data)
