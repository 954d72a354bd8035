"""Forms and form fields the admin pages share."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from unfold.widgets import UnfoldAdminTextInputWidget

from projects.domain.choices import ProjectStatus
from projects.models import StatusUpdate, Visit
from projects.services.photos import photo_decode, size_refusal

# At most this many photos per form: a phone's upload over a site's mobile network stays short.
PHOTOS_PER_FORM = 6


class PhotoInput(forms.FileInput):
    """The phone's camera (the back one) or its album; several photos at once where the browser allows.
    One large button a thumb finds, naming the photos chosen."""

    allow_multiple_selected = True
    template_name = "admin/projects/photo/photo_input.html"

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*", "capture": "environment", "multiple": True, **(attrs or {})})


class PhotosField(forms.FileField):
    """Photos decoded as the API decodes them (services.photo_decode): the same rules, the same messages."""

    widget = PhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [file for file in (data if isinstance(data, (list, tuple)) else [data]) if file]
        if len(files) > PHOTOS_PER_FORM:
            raise ValidationError(f"一次最多上传 {PHOTOS_PER_FORM} 张照片。")
        decoded, errors = [], []
        for number, file in enumerate(files, 1):
            try:
                decoded.append(photo_decode(file))
            except ValidationError as exc:
                name = (getattr(file, "name", "") or "")[:60]
                errors += [f"第{number}张（{name}）：{message}" for message in exc.message_dict["file"]]
        if errors:
            for photo in decoded:
                photo.close()
            raise ValidationError(errors)
        return decoded


class PhotosFormMixin(forms.Form):
    """A form that also takes photos (现场照片) with one caption; `photo_too_large` is set by the page
    when the upload handler dropped a file over PHOTO_MAX_BYTES."""

    photos = PhotosField(label="现场照片")
    photo_caption = forms.CharField(label="照片说明", max_length=200, required=False,
                                    widget=UnfoldAdminTextInputWidget(attrs={"placeholder": "如：主体结构施工至五层"}))
    photo_too_large = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "photos" in self.fields:
            limit = settings.PHOTO_MAX_BYTES / 1048576
            self.fields["photos"].help_text = (
                f"可直接拍照或从相册选择，一次最多 {PHOTOS_PER_FORM} 张；JPEG、PNG、WebP，每张不超过 {limit:g} MiB。"
                "拍摄时间和位置取自照片本身，用于核验是否当日、是否在辖区内拍摄。"
            )

    def clean_photos(self):
        if self.photo_too_large:
            raise ValidationError(size_refusal(self.photo_too_large))
        return self.cleaned_data["photos"]


class VisitForm(PhotosFormMixin, forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["project", "visited_on", "kind", "official", "note", "photos", "photo_caption"]


class OfficialOptionalMixin:
    """A visit's official may be left blank: the service then takes the project's lead official."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "official":
            field.required = False
            field.help_text = "留空则为项目的分包领导。"
        return field


class ProjectBatchFormSet(BaseInlineFormSet):
    """The "三个一批" rows of a project, which project_create/project_update write with the project.

    Django validates every inline before `ModelAdmin.save_model` but hands the inlines only to
    `save_related`, which runs after it. So this formset leaves itself on the project being
    edited (`batch_formset`), and `ProjectAdmin.save_model` writes the project and its batches
    in one service call.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.batch_formset = self

    def batches(self, change: bool) -> list[dict] | None:
        """The rows as service arguments; None when an existing project's rows did not change."""
        if change and not self.has_changed():
            return None
        deleted = self.deleted_forms
        return [
            {"period": form.cleaned_data["period"], "kind": form.cleaned_data["kind"]}
            for form in self.forms
            if form not in deleted and form.cleaned_data and (form.instance.pk or form.has_changed())
        ]

    def record_changes(self) -> None:
        """Fill in what the admin's change message reads (the rows were written by save_model)."""
        deleted = self.deleted_forms if self.can_delete else []
        self.deleted_objects = [form.instance for form in deleted if form.instance.pk]
        self.new_objects = [form.instance for form in self.extra_forms if form.has_changed() and form not in deleted]
        self.changed_objects = [
            (form.instance, form.changed_data) for form in self.initial_forms
            if form.has_changed() and form not in deleted
        ]


class StatusUpdateForm(PhotosFormMixin, forms.ModelForm):
    """A new progress report, with its photos (形象进度照片); what is left blank stays as it is."""

    class Meta:
        model = StatusUpdate
        fields = [
            "project", "status_to", "completed_investment", "progress_percent",
            "note", "problems", "next_steps", "reported_on", "photos", "photo_caption",
        ]
        labels = {"status_to": "变更状态为"}
        help_texts = {
            "status_to": "从项目页打开时已填入当前状态；状态有变化时改选，留空表示不变。",
            "completed_investment": "已填入当前数；改为本年度累计完成数（不能减少），留空表示不变。",
            "progress_percent": "已填入当前数；改为最新形象进度，留空表示不变。",
            "reported_on": "留空为今天。",
            "problems": "只作文字记录；需要协调解决的问题请在下方“本次提出的问题”中逐条填写，进入问题台账。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("status_to", "completed_investment", "progress_percent", "reported_on"):
            if name in self.fields:  # absent on the read-only view of a report
                self.fields[name].required = False
        if "status_to" in self.fields:
            # Without a blank choice the first status would be sent for "unchanged".
            self.fields["status_to"].choices = [("", "（状态不变）"), *ProjectStatus.choices]

