"""The admin's writes: a form's data goes to the entity's service, and a refusal back to the form.

Every entity's services have one shape (projects.services.registry), so the pages name no service
except where a write has its own arguments (a project with its batches, a status update).
"""

from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

from projects.domain.exceptions import ServiceError
from projects.domain.roles import resource_of, role_of
from projects.services.registry import BY_ENTITY


class ServiceRejected(Exception):
    """A service refused an admin write; `errors` are (field, label, message) triples."""

    def __init__(self, errors: list[tuple[str | None, str, str]]):
        super().__init__("; ".join(message for _, _, message in errors))
        self.errors = errors

    def text(self) -> str:
        return "；".join(f"{label}：{message}" if label else message for _, label, message in self.errors)


def _label(model: type[models.Model] | None, field: str | None) -> str:
    if model is None or field is None:
        return ""
    try:
        return str(model._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


@contextmanager
def service_call(model: type[models.Model] | None = None, row: str = "", labels: dict[str, str] | None = None):
    """Turn a service's ValidationError or ServiceError into ServiceRejected; `row` names an inline row,
    `labels` name the service's arguments that are no field of `model` (a report's `raise_problems`)."""
    def label(field: str | None) -> str:
        return (labels or {}).get(field) or _label(model, field)

    try:
        yield
    except ServiceError as exc:
        raise ServiceRejected([(None, row, exc.detail)]) from exc
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            pairs = [
                (None if field == NON_FIELD_ERRORS else field, message)
                for field, field_messages in exc.message_dict.items()
                for message in field_messages
            ]
        else:
            pairs = [(None, message) for message in exc.messages]
        if row:
            errors = [(None, " ".join(filter(None, [row, label(field)])), message) for field, message in pairs]
        else:
            errors = [(field, label(field), message) for field, message in pairs]
        raise ServiceRejected(errors) from exc


def form_with_errors(form_class: type[forms.Form], rejected: ServiceRejected) -> type[forms.Form]:
    class RejectedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            for field, label, message in rejected.errors:
                if field in self.fields:
                    self.add_error(field, message)
                else:
                    self.add_error(None, f"{label}：{message}" if label else message)
            return cleaned

    return RejectedForm


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's instance the row a service wrote: the admin logs and redirects with it."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj.refresh_from_db()


def fresh(obj: models.Model) -> models.Model:
    """The row as stored: a bound form has already written its input onto `obj`."""
    return type(obj)._base_manager.get(pk=obj.pk)


def form_data(form: forms.ModelForm, names=None, skip: tuple[str, ...] = ()) -> dict:
    """The model fields a form carries (all of them, or `names`), as service arguments."""
    skip = {"id", "DELETE", *skip}
    names = form.cleaned_data if names is None else names
    return {name: form.cleaned_data[name] for name in names if name not in skip and name in form.cleaned_data}


def save_inline(formset, parent_field: str, parent: models.Model, user) -> None:
    """Write an inline's rows through the model's services, recording what the change message needs."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    entity = resource_of(formset.model)
    deleted = formset.deleted_forms if formset.can_delete else []
    for number, form in enumerate(formset.forms, 1):
        row = f"{formset.model._meta.verbose_name}第{number}行"
        with service_call(formset.model, row):
            if form in deleted:
                if form.instance.pk:
                    BY_ENTITY[entity].delete(fresh(form.instance), user=user)
                    formset.deleted_objects.append(form.instance)
            elif not form.has_changed():
                continue
            elif form.instance.pk:
                saved = BY_ENTITY[entity].update(
                    fresh(form.instance), user=user, **form_data(form, form.changed_data, (parent_field,)),
                )
                formset.changed_objects.append((saved, form.changed_data))
            else:
                saved = BY_ENTITY[entity].create(user=user, **{parent_field: parent}, **form_data(form, skip=(parent_field,)))
                formset.new_objects.append(saved)


class ServiceErrorsMixin:
    """A service's refusal rolls the admin's write back and shows the form again with the messages."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRejected as rejected:
            # The admin's atomic block has rolled everything back; render the same input with the errors.
            request.service_rejected = rejected
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        rejected = getattr(request, "service_rejected", None)
        return form_with_errors(form, rejected) if rejected else form

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRejected as rejected:
            self.message_user(request, rejected.text(), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ServiceRejected as rejected:
            self.message_user(request, rejected.text(), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ServiceWritesMixin(ServiceErrorsMixin):
    """Saves and deletes of the model, and of its inlines, through the entity's services."""

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        writes = BY_ENTITY[resource_of(self.model)]
        with service_call(self.model):
            if change:
                saved = writes.update(fresh(obj), user=request.user, **form_data(form, form.changed_data))
            else:
                saved = writes.create(user=request.user, **form_data(form))
        adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        save_inline(formset, formset.fk.name, form.instance, request.user)

    def delete_model(self, request, obj):
        with service_call(self.model):
            BY_ENTITY[resource_of(self.model)].delete(fresh(obj), user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class AppendOnlyMixin:
    """Records only ever added, through their service (reports, lead moves): never changed or deleted
    here. The add page shows the form's fields; a saved record shows `view_fields`, to read."""

    view_fields: list[str] = []

    def get_fields(self, request, obj=None):
        return self.view_fields if obj else self.form.Meta.fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyLogMixin:
    """A page of a log the worker writes (deliveries, attempts): read, never added, changed or deleted.
    Listed before the mixins that grant writes (OfficeOnlyMixin), which it overrides."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInlineMixin:
    """An inline that lists records to read: nothing is added, changed or deleted from it. Everyone
    signed in with a role reads it, as every list (not Django's per-model view permission)."""

    extra = 0

    def has_view_permission(self, request, obj=None):
        return role_of(request.user)[0] is not None

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryMixin:
    """History is for reading: a revert would write past the services (and the status-update rule)."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
