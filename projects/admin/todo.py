"""我的待办: the page clerks and officials land on, with the lists of GET /me/todo/ (projects.reports.todo)."""

from django.template.response import TemplateResponse

from projects.admin.params import request_as_of
from projects.domain.choices import EscalationLevel
from projects.reports.todo import SECTIONS, todo, todo_count


def todo_page(request, admin_site):
    """/admin/todo/: what the signed-in user has to do as of `?as_of=` (default today), each line a link."""
    as_of, error = request_as_of(request)
    figures = todo(user=request.user, as_of=as_of)
    for name in ("problems_to_answer", "problems_to_assign"):
        figures[name] = [{**row, "escalation": EscalationLevel(row["escalation_level"]).label} for row in figures[name]]
    context = {
        **admin_site.each_context(request),
        "title": "我的待办",
        "as_of": as_of,
        "as_of_error": error,
        "sections": [(name, heading, figures[name]) for name, heading in SECTIONS.items()],
        "todo_count": todo_count(figures),
    }
    return TemplateResponse(request, "projects/todo.html", context)
