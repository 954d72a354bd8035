"""Photos of a project: the read form (with the check of what its EXIF says) and the upload's fields."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from projects.api.serializers.base import DisplayField, ModelSerializer, code_field
from projects.api.serializers.portfolio import ProjectBriefSerializer, UserBriefSerializer
from projects.domain.choices import PhotoCheck
from projects.models import Photo, StatusUpdate, Visit
from projects.services.photos import NO_FILE

LOCATION = inline_serializer("PhotoLocation", fields={"lat": serializers.FloatField(), "lon": serializers.FloatField()})


class PhotoSerializer(ModelSerializer):
    project = ProjectBriefSerializer(read_only=True)
    uploaded_by = UserBriefSerializer(read_only=True, allow_null=True)
    location = serializers.SerializerMethodField(help_text="照片 EXIF 中的 GPS 位置；无则为 null")
    check = code_field(PhotoCheck, source="photo_check", read_only=True,
                       help_text="ok；no_exif 无拍摄时间和位置；date_mismatch 拍摄日与关联调研或填报相差超过 3 天；"
                                 "outside_area 位置不在 PHOTO_AREA 内")
    check_display = DisplayField(PhotoCheck, source="photo_check")
    url = serializers.SerializerMethodField(help_text="照片文件（需登录）")
    thumbnail_url = serializers.SerializerMethodField(help_text="缩略图（JPEG，不含 EXIF，需登录）")

    class Meta:
        model = Photo
        fields = [
            "id", "project", "caption", "status_update", "visit", "uploaded_by", "uploaded_at", "width", "height",
            "taken_at", "location", "check", "check_display", "url", "thumbnail_url",
        ]
        read_only_fields = fields

    @extend_schema_field(LOCATION)
    def get_location(self, photo):
        if photo.latitude is None or photo.longitude is None:
            return None
        return {"lat": photo.latitude, "lon": photo.longitude}

    def _link(self, photo, name: str) -> str:
        path = reverse(name, kwargs={"pk": photo.project_id, "photo_id": photo.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, photo) -> str:
        return self._link(photo, "project-photo-file")

    def get_thumbnail_url(self, photo) -> str:
        return self._link(photo, "project-photo-thumbnail")


class PhotoUploadSerializer(serializers.Serializer):
    """multipart/form-data: the file, its caption, and at most one report or visit of the same project."""

    file = serializers.FileField(
        help_text="JPEG、PNG 或 WebP 照片，按内容解码判断（不看文件名），不超过 PHOTO_MAX_BYTES",
        error_messages={"required": NO_FILE, "null": NO_FILE, "invalid": NO_FILE, "empty": "照片文件为空。",
                        "no_name": NO_FILE},
    )
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    status_update = serializers.PrimaryKeyRelatedField(
        queryset=StatusUpdate.objects.all(), required=False, allow_null=True, help_text="同一项目的进度填报",
    )
    visit = serializers.PrimaryKeyRelatedField(
        queryset=Visit.objects.all(), required=False, allow_null=True, help_text="同一项目的调研督导",
    )
