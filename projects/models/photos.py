"""Photos from the sites: 形象进度照片 with a progress report, 现场督导留痕 with a visit, or of the project alone."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from projects.domain.choices import PhotoCheck
from projects.models.base import _choices_check
from projects.models.history import HistoricalChannel
from projects.models.portfolio import Project
from projects.models.records import StatusUpdate, Visit
from projects.querysets import PhotoQuerySet

# The image types a photo is stored as (what Pillow decoded it to), with their file endings.
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class Photo(models.Model):
    """A photo of a project, decoded and checked on upload (services.photo_create); never changed.

    `file` and `thumbnail` are keys in the photo storage (random, not derived from any id); the
    files are read only through the API's photo views. `check` is computed, not stored
    (`PhotoQuerySet.with_check`): a visit's date may be corrected after its photos were taken.
    """

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT, related_name="photos")
    caption = models.CharField("说明", max_length=200, blank=True)
    status_update = models.ForeignKey(
        StatusUpdate, verbose_name="进度填报", on_delete=models.PROTECT, null=True, blank=True, related_name="photos",
    )
    visit = models.ForeignKey(
        Visit, verbose_name="调研督导", on_delete=models.PROTECT, null=True, blank=True, related_name="photos",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, null=True, blank=True,
        related_name="photos", help_text="空：由管理命令写入",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True, db_index=True)
    width = models.PositiveIntegerField("宽（像素）")
    height = models.PositiveIntegerField("高（像素）")
    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True, help_text="照片 EXIF 中的拍摄时间")
    # The day of `taken_at` in Asia/Shanghai, compared with the linked record's date in SQL.
    taken_on = models.DateField("拍摄日期", null=True, blank=True, editable=False)
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    content_type = models.CharField("图片类型", max_length=20, choices=[(t, t) for t in PHOTO_TYPES])
    size = models.PositiveBigIntegerField("文件大小（字节）")
    file = models.CharField("文件", max_length=200, unique=True, editable=False)
    thumbnail = models.CharField("缩略图", max_length=200, unique=True, editable=False)

    history = HistoricalRecords(bases=[HistoricalChannel])
    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"
        ordering = [F("taken_at").desc(nulls_last=True), "-uploaded_at", "-id"]
        indexes = [models.Index(fields=["project", "-uploaded_at"], name="photo_project_uploaded")]
        constraints = [
            _choices_check("content_type", list(PHOTO_TYPES), "photo_content_type_valid"),
            models.CheckConstraint(
                condition=Q(status_update__isnull=True) | Q(visit__isnull=True), name="photo_one_record",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="photo_location_valid",
            ),
            models.CheckConstraint(condition=Q(width__gt=0, height__gt=0), name="photo_size_positive"),
        ]

    def __str__(self) -> str:
        return self.caption or f"照片 {self.pk}"

    @property
    def check_display(self) -> str:
        """The Chinese label of the annotated `photo_check` (PhotoQuerySet.with_check)."""
        check = getattr(self, "photo_check", None)
        return PhotoCheck(check).label if check else ""
