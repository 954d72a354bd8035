"""The Chinese headers of every project and milestone spreadsheet: API downloads, admin export and import.

A column that shows a field of a model is headed by the field's `verbose_name`, read here from the
model, so a renamed field renames its column everywhere. Only the columns that are no field (the
flags as of a day, the batches, a department's code) or that head a field differently on purpose
are written out below. A column has the same header in every file that carries it, so a file
exported from one place reads (and, for the import columns, imports) like one from another. Each
file picks its columns and their order where it is built (`projects/api/exports.py`,
`projects/admin/resources.py`).
"""

from django.db import models

from projects.models.portfolio import Milestone, Project


def field_header(model: type[models.Model], name: str) -> str:
    """The header of a column showing field `name` of `model`: the field's verbose_name."""
    return str(model._meta.get_field(name).verbose_name)


def _field_headers(model: type[models.Model], *names: str) -> dict[str, str]:
    return {name: field_header(model, name) for name in names}


PROJECT_HEADERS = {
    **_field_headers(
        Project, "code", "name", "year", "category", "level", "sector", "zone", "status", "total_investment",
        "annual_plan_investment", "completed_investment", "progress_percent", "floor_area", "owner",
        "department", "lead_official", "description", "delivery_stalled_since",
    ),
    # Not a field of the project: its rows of ProjectBatch, in one cell ("第7期开工一批、…").
    "batches": "三个一批",
    # The department by its code, as the import reads it (the `department` column shows its name).
    "department_code": "责任单位代码",
    # The 保交楼 fields are named by themselves on the form, where they stand in their own group;
    # among a sheet's columns the prefix says what they belong to.
    "delivery_plan": "保交楼：一楼一策",
    "delivery_task_force": "保交楼：专班",
    "delivery_bank": "保交楼：合作银行",
    # The flags as of a day. The two dates are what the project caches for today, under the same name.
    "next_due_date": field_header(Project, "cached_next_due_date"),
    "last_visit_on": field_header(Project, "cached_last_visit_on"),
    "is_overdue": "节点逾期",
    "overdue_milestone_count": "逾期节点数",
    "warning_level": "亮灯",
    "warning_reasons": "亮灯原因",
    "visit_overdue": "超期未调研",
}

MILESTONE_HEADERS = {
    # The milestone's project, as the project sheets head it.
    "project_code": PROJECT_HEADERS["code"],
    "project_name": PROJECT_HEADERS["name"],
    "department": PROJECT_HEADERS["department"],
    **_field_headers(Milestone, "kind", "title", "due_period", "due_date", "completed_on", "note"),
    # Flags as of a day, not fields.
    "state": "状态",
    "days_overdue": "逾期天数",
}
