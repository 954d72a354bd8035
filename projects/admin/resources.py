"""Import of the annual project list and export of filtered lists (django-import-export), in Chinese columns.

Imported rows are written by the project services, never by `save()`.
"""

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import resources, widgets
from import_export.fields import Field
from unfold.contrib.import_export.forms import SelectableFieldsExportForm

from projects.domain.choices import (
    BatchKind,
    MilestoneKind,
    MilestoneState,
    ProjectCategory,
    ProjectLevel,
    ProjectStatus,
    Sector,
    WarningLevel,
)
from projects.domain.exceptions import ServiceError
from projects.models import Department, Milestone, Official, Project
from projects.models.columns import MILESTONE_HEADERS as M
from projects.models.columns import PROJECT_HEADERS as H
from projects.services import project_create, project_update

BATCH_SEPARATORS = re.compile(r"[、,，;；\s]+")
BATCH_ITEM = re.compile(r"第?(\d+)期?(.+)")
OFFICIAL_WITH_TITLE = re.compile(r"^(.+?)[（(](.+)[）)]$")


class ChoiceWidget(widgets.Widget):
    """A coded field: read as its Chinese label or its code, written as the label."""

    def __init__(self, choices):
        super().__init__()
        self.labels = dict(choices)
        self.codes = {label: code for code, label in choices} | {code: code for code in self.labels}

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        if text not in self.codes:
            raise ValueError(f"“{text}”不是有效的选项，可选：{'、'.join(self.labels.values())}。")
        return self.codes[text]

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")


class ChineseNumberMixin:
    """A number cell; one that is not a number is the row's error, in Chinese (not decimal.ConversionSyntax)."""

    not_a_number = "不是有效的数字"

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ArithmeticError, ValueError, TypeError):
            raise ValueError(f"“{value}”{self.not_a_number}。") from None


class ChineseDecimalWidget(ChineseNumberMixin, widgets.DecimalWidget):
    pass


class ChineseIntegerWidget(ChineseNumberMixin, widgets.IntegerWidget):
    not_a_number = "不是有效的整数"


class DepartmentCodeWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(Department, field="code")

    def clean(self, value, row=None, **kwargs):
        code = "" if value is None else str(value).strip()
        if not code:
            return None
        try:
            return Department.objects.get(code=code)
        except Department.DoesNotExist:
            raise ValueError(f"找不到代码为“{code}”的单位。") from None


class OfficialNameWidget(widgets.ForeignKeyWidget):
    """分包领导 by name; a name two officials share is written 姓名（职务）."""

    def __init__(self):
        super().__init__(Official, field="name")

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        if match := OFFICIAL_WITH_TITLE.match(text):
            found = list(Official.objects.filter(name=match[1].strip(), title=match[2].strip()))
        else:
            found = list(Official.objects.filter(name=text)[:2])
        if not found:
            raise ValueError(f"找不到分包领导“{text}”。")
        if len(found) > 1:
            raise ValueError(f"有多位分包领导名为“{text}”，请写成“姓名（职务）”。")
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


def parse_batches(text) -> list[dict]:
    """「第7期开工一批、第8期投产一批」 -> [{"period": 7, "kind": "starting"}, ...]."""
    kinds = {label: code for code, label in BatchKind.choices} | {code: code for code in BatchKind.values}
    batches = []
    for item in BATCH_SEPARATORS.split("" if text is None else str(text).strip()):
        if not item:
            continue
        match = BATCH_ITEM.fullmatch(item)
        if not match or match[2] not in kinds or int(match[1]) < 1:
            raise ValidationError({"batches": [f"“{item}”应写成“第7期开工一批”（签约一批、开工一批或投产一批）。"]})
        batches.append({"period": int(match[1]), "kind": kinds[match[2]]})
    return batches


class BatchesField(Field):
    """「三个一批」: read from the row by the resource and written with the project, never set on it."""

    def __init__(self):
        super().__init__(column_name=H["batches"])

    def export(self, instance, **kwargs):
        if not instance.pk:
            return ""
        # Rows of selectors.project_list carry their batches prefetched as a list.
        batches = getattr(instance, "batch_list", None)
        return "、".join(str(batch) for batch in (instance.batches.all() if batches is None else batches))


class ChineseExportForm(SelectableFieldsExportForm):
    """The export form, listing the columns by their Chinese headers."""

    def _get_field_label(self, resource, field_name):
        return resource.fields[field_name].column_name


def _flag(value) -> str:
    return {True: "是", False: "否"}.get(value, "")


class ColumnErrorsMixin:
    """Report a row's errors under the column headers the user wrote, not under field names."""

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        error = result.validation_error
        if error is not None and hasattr(error, "error_dict"):
            columns = {field.attribute: field.column_name for field in self.fields.values() if field.attribute}
            columns["batches"] = H["batches"]
            result.validation_error = ValidationError({
                key if key == NON_FIELD_ERRORS else columns.get(key, key): messages
                for key, messages in error.message_dict.items()
            })
        return result


PROJECT_COLUMNS = (
    "code", "name", "year", "category", "level", "sector", "zone", "status", "batches",
    "total_investment", "annual_plan_investment", "completed_investment", "progress_percent",
    "floor_area", "owner", "department", "lead_official", "description",
    "delivery_plan", "delivery_task_force", "delivery_bank", "delivery_stalled_since",
)
FLAG_COLUMNS = ("next_due_date", "warning_level", "is_overdue", "last_visit_on", "visit_overdue")


class ProjectResource(ColumnErrorsMixin, resources.ModelResource):
    code = Field("code", H["code"], widgets.CharWidget())
    name = Field("name", H["name"], widgets.CharWidget())
    year = Field("year", H["year"], ChineseIntegerWidget())
    category = Field("category", H["category"], ChoiceWidget(ProjectCategory.choices))
    level = Field("level", H["level"], ChoiceWidget(ProjectLevel.choices), saves_null_values=False)
    sector = Field("sector", H["sector"], ChoiceWidget(Sector.choices), saves_null_values=False)
    zone = Field("zone", H["zone"], widgets.CharWidget())
    status = Field("status", H["status"], ChoiceWidget(ProjectStatus.choices), saves_null_values=False)
    batches = BatchesField()
    total_investment = Field("total_investment", H["total_investment"], ChineseDecimalWidget(),
                             saves_null_values=False)
    annual_plan_investment = Field(
        "annual_plan_investment", H["annual_plan_investment"], ChineseDecimalWidget(), saves_null_values=False,
    )
    completed_investment = Field(
        "completed_investment", H["completed_investment"], ChineseDecimalWidget(), saves_null_values=False,
    )
    progress_percent = Field("progress_percent", H["progress_percent"], ChineseIntegerWidget(),
                             saves_null_values=False)
    floor_area = Field("floor_area", H["floor_area"], ChineseDecimalWidget())
    owner = Field("owner", H["owner"], widgets.CharWidget())
    department = Field("department", H["department_code"], DepartmentCodeWidget())
    lead_official = Field("lead_official", H["lead_official"], OfficialNameWidget())
    description = Field("description", H["description"], widgets.CharWidget())
    delivery_plan = Field("delivery_plan", H["delivery_plan"], widgets.CharWidget())
    delivery_task_force = Field("delivery_task_force", H["delivery_task_force"], widgets.CharWidget())
    delivery_bank = Field("delivery_bank", H["delivery_bank"], widgets.CharWidget())
    delivery_stalled_since = Field("delivery_stalled_since", H["delivery_stalled_since"], widgets.DateWidget())

    class Meta:
        model = Project
        import_id_fields = ("code",)
        fields = export_order = PROJECT_COLUMNS
        use_transactions = True

    @classmethod
    def get_display_name(cls):
        return "重点项目"

    def get_queryset(self):
        return Project.objects.select_related("department", "lead_official")

    def import_instance(self, instance, row, **kwargs):
        # Read the batches here too, so that a row reports all its errors at once.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            self.row_batches = parse_batches(row[H["batches"]]) if H["batches"] in row else None
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Write the row with project_create / project_update; their errors become the row's errors."""
        batches = self.row_batches
        imported = [
            field.attribute for field in self.get_import_fields()
            if field.attribute and field.column_name in row and not field.readonly
        ]
        data = {name: getattr(instance, name) for name in imported}
        user = kwargs.get("user")  # the admin passes the importing user to import_data
        try:
            if is_create:
                saved = project_create(user=user, batches=batches or [], **data)
            else:
                saved = self._update(instance, data, batches, user)
        except ServiceError as exc:
            raise ValidationError(exc.detail) from exc
        instance.pk = saved.pk
        instance._state.adding = False

    @staticmethod
    def _update(instance: Project, data: dict, batches: list[dict] | None, user) -> Project:
        current = Project.objects.get(pk=instance.pk)
        changed = {name: value for name, value in data.items() if getattr(current, name) != value}
        if batches is not None:
            now = {(batch.period, batch.kind) for batch in current.batches.all()}
            if now == {(batch["period"], batch["kind"]) for batch in batches}:
                batches = None
        if not changed and batches is None:
            return current  # an unchanged row keeps the project's version
        return project_update(project=current, user=user, batches=batches, **changed)


class ProjectExportResource(ProjectResource):
    """The list columns plus the flags of the admin list, as of its day (not read on import)."""

    next_due_date = Field("next_due_date", H["next_due_date"], widgets.DateWidget(), readonly=True)
    warning_level = Field("warning_level", H["warning_level"], ChoiceWidget(WarningLevel.choices), readonly=True)
    is_overdue = Field(column_name=H["is_overdue"], readonly=True)
    last_visit_on = Field("last_visit_on", H["last_visit_on"], widgets.DateWidget(), readonly=True)
    visit_overdue = Field(column_name=H["visit_overdue"], readonly=True)

    class Meta(ProjectResource.Meta):
        fields = export_order = PROJECT_COLUMNS + FLAG_COLUMNS

    def dehydrate_is_overdue(self, project):
        return _flag(getattr(project, "is_overdue", None))

    def dehydrate_visit_overdue(self, project):
        return _flag(getattr(project, "visit_overdue", None))


class MilestoneResource(resources.ModelResource):
    project_code = Field("project__code", M["project_code"], readonly=True)
    project_name = Field("project__name", M["project_name"], readonly=True)
    department = Field("project__department__name", M["department"], readonly=True)
    kind = Field("kind", M["kind"], ChoiceWidget(MilestoneKind.choices), readonly=True)
    title = Field("title", M["title"], readonly=True)
    due_period = Field("due_period", M["due_period"], readonly=True)
    due_date = Field("due_date", M["due_date"], widgets.DateWidget(), readonly=True)
    completed_on = Field("completed_on", M["completed_on"], widgets.DateWidget(), readonly=True)
    state = Field("state", M["state"], ChoiceWidget(MilestoneState.choices), readonly=True)
    note = Field("note", M["note"], readonly=True)

    class Meta:
        model = Milestone
        fields = export_order = (
            "project_code", "project_name", "department", "kind", "title", "due_period", "due_date",
            "completed_on", "state", "note",
        )

    @classmethod
    def get_display_name(cls):
        return "节点"
