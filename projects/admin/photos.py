"""The photo pages: a project's, a visit's and a report's photos by date, one photo to read, the office's delete.

Photos are added with a visit or a report (their forms take the phone's camera, projects.admin.forms)
and through the API; here they are read and, by the office, deleted, always through the services.
The images are shown from the API's photo views, which check the signed-in user like every page.
"""

from django.contrib import admin
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin

from projects import selectors, services
from projects.admin.roles import PolicyAdminMixin
from projects.admin.writes import ServiceErrorsMixin, service_call
from projects.domain import roles
from projects.domain.choices import PhotoCheck
from projects.models import Photo

# The colour of each check on the pages: green when the photo says what it should, amber otherwise.
CHECK_COLOURS = {
    PhotoCheck.OK: ("#166534", "#dcfce7"),
    PhotoCheck.NO_EXIF: ("#92400e", "#fef3c7"),
    PhotoCheck.DATE_MISMATCH: ("#9a3412", "#ffedd5"),
    PhotoCheck.OUTSIDE_AREA: ("#991b1b", "#fee2e2"),
}


def photo_url(photo: Photo, which: str = "file") -> str:
    name = "project-photo-thumbnail" if which == "thumbnail" else "project-photo-file"
    return reverse(name, kwargs={"pk": photo.project_id, "photo_id": photo.pk})


def check_badge(photo: Photo) -> str:
    check = getattr(photo, "photo_check", None)
    if not check:
        return "-"
    colour, background = CHECK_COLOURS[check]
    return format_html(
        '<span class="photo-check photo-check-{}" style="color:{};background:{};padding:1px 8px;'
        'border-radius:9999px;font-size:12px;white-space:nowrap">{}</span>',
        check, colour, background, PhotoCheck(check).label,
    )


def thumbnail(photo: Photo, height: int = 64) -> str:
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" loading="lazy" '
        'style="height:{}px;width:auto;border-radius:6px"></a>',
        photo_url(photo), photo_url(photo, "thumbnail"), photo.caption or "现场照片", height,
    )


def photos_save(request, form, *, project, **record) -> list[Photo]:
    """The photos of a visit's or a report's form, kept through photo_create; if one is refused, the
    files of those already kept go too (their rows are rolled back with the page's transaction)."""
    kept = []
    photos = form.cleaned_data.get("photos") or []
    try:
        with service_call(Photo, labels={"file": "现场照片"}):
            if photos:
                roles.check(request.user, "photo", roles.CREATE, {"project": project})
            for decoded in photos:
                kept.append(services.photo_create(
                    user=request.user, project=project, caption=form.cleaned_data.get("photo_caption", ""),
                    decoded=decoded, **record,
                ))
    except BaseException:
        services.photo_files_discard(kept)
        for decoded in photos:
            decoded.close()
        raise
    return kept


class PhotoUploadAdminMixin:
    """A page whose form takes photos: tells the form when the upload handler dropped a file over the limit."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        size = getattr(request, "photo_too_large", 0)
        return type(form.__name__, (form,), {"photo_too_large": size}) if size else form


def gallery(photos) -> str:
    """The photos of a project, a visit or a report as cards, newest taken first, by the day they were
    taken (形象进度): a read-only field of their pages, so the pages post nothing for it."""
    return render_to_string("admin/projects/photo/gallery.html", {"photos": list(photos)})


def photos_of(**record):
    """The photos of one record (`project=`, `visit=` or `status_update=`), checked, for `gallery`."""
    return selectors.photo_list().filter(**record)


class CheckFilter(admin.SimpleListFilter):
    title = "核验"
    parameter_name = "check"

    def lookups(self, request, model_admin):
        return PhotoCheck.choices

    def queryset(self, request, queryset):
        if self.value() in PhotoCheck.values:
            return queryset.filter(photo_check=self.value())
        return queryset


@admin.register(Photo)
class PhotoAdmin(PolicyAdminMixin, ServiceErrorsMixin, ModelAdmin):
    """Photos to read (every role) and to delete (the office); none is added or changed here."""

    list_display = ["preview", "project", "caption", "check_label", "taken_at", "uploaded_by", "uploaded_at"]
    list_filter = [CheckFilter, "project__department", "uploaded_at"]
    list_select_related = ["project", "uploaded_by"]
    search_fields = ["caption", "project__name", "project__code"]
    date_hierarchy = "uploaded_at"
    fields = ["image", "project", "caption", "status_update", "visit", "check_label", "taken_at", "location", "size_text",
              "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.photo_list().select_related("project", "status_update", "visit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="照片")
    def preview(self, photo):
        return thumbnail(photo)

    @admin.display(description="照片")
    def image(self, photo):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" style="max-width:100%;'
            'max-height:70vh;border-radius:8px"></a>', photo_url(photo), photo_url(photo), photo.caption or "现场照片",
        )

    @admin.display(description="核验", ordering="photo_check")
    def check_label(self, photo):
        return check_badge(photo)

    @admin.display(description="拍摄位置")
    def location(self, photo):
        if photo.latitude is None:
            return "-"
        return f"北纬 {photo.latitude:.5f}，东经 {photo.longitude:.5f}"

    @admin.display(description="尺寸")
    def size_text(self, photo):
        return f"{photo.width} × {photo.height} 像素，{photo.size / 1048576:.1f} MiB"

    def delete_model(self, request, obj):
        with service_call(Photo):
            services.photo_delete(photo=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for photo in queryset:
            self.delete_model(request, photo)
