"""GET /me/todo/: 我的待办, the caller's own lists (projects.reports.todo)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response

from projects.api.base import AS_OF_PARAMETER, AsOfMixin
from projects.api.serializers.todo import TodoSerializer
from projects.reports.todo import todo


@extend_schema(parameters=[AS_OF_PARAMETER], responses=TodoSerializer, summary="我的待办")
class TodoView(AsOfMixin, generics.GenericAPIView):
    """What the caller has to do as of `as_of`, in its own scope: reports due this week, visits due,
    milestones due soon or overdue, overdue approvals, problems to answer and (the office) to assign."""

    pagination_class = None
    filter_backends = []
    serializer_class = TodoSerializer

    def get(self, request):
        return Response(TodoSerializer(todo(user=request.user, as_of=self.as_of)).data)
