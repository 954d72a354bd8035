"""/projects/{id}/photos/: upload (multipart), list, one photo, its file and thumbnail for signed-in users, delete."""

from django.core.files.storage import storages
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import selectors, services
from projects.api.base import AsOfMixin
from projects.api.pagination import StandardPagination
from projects.api.serializers.base import ERROR_RESPONSE
from projects.api.serializers.photos import PhotoSerializer, PhotoUploadSerializer
from projects.domain import roles
from projects.models import Photo, Project
from projects.services.photos import too_large

PROJECT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="项目 id")
PHOTO_ID = OpenApiParameter("photo_id", int, OpenApiParameter.PATH, description="照片 id")
NOT_FOUND = OpenApiResponse(ERROR_RESPONSE, description="无此项目或照片")
NO_PHOTO = "未找到该照片。"


def _id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise NotFound("未找到。") from None


class ProjectPhotoMixin(AsOfMixin):
    entity = "photo"
    filter_backends = []

    def project(self) -> Project:
        try:
            return Project.objects.get(pk=_id(self.kwargs["pk"]))
        except Project.DoesNotExist:
            raise NotFound("未找到该项目。") from None

    def photos(self):
        return selectors.photo_list().select_related("project").filter(project_id=_id(self.kwargs["pk"]))

    def photo(self) -> Photo:
        try:
            return self.photos().get(pk=_id(self.kwargs["photo_id"]))
        except Photo.DoesNotExist:
            raise NotFound(NO_PHOTO) from None


@extend_schema_view(
    get=extend_schema(summary="项目的照片（最新拍摄在前）", parameters=[PROJECT_ID],
                      responses={200: PhotoSerializer(many=True), 404: NOT_FOUND}),
    post=extend_schema(
        summary="上传照片（形象进度、现场督导留痕）", parameters=[PROJECT_ID],
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer, 404: NOT_FOUND,
                   413: OpenApiResponse(ERROR_RESPONSE, description="请求体过大")},
    ),
)
class ProjectPhotosView(ProjectPhotoMixin, generics.ListCreateAPIView):
    """A project's photos; a new one is decoded (JPEG, PNG, WebP), checked against its EXIF and stored.

    The upload's file reaches the view already on disk (portfolio.middleware streams this route's files).
    """

    serializer_class = PhotoSerializer
    pagination_class = StandardPagination
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        self.project()
        return self.photos()

    def create(self, request, *args, **kwargs):
        project = self.project()
        # Out of scope is 403 before the body is read: a refused upload is never even spooled.
        roles.check(request.user, "photo", roles.CREATE, {"project": project})
        serializer = PhotoUploadSerializer(data=request.data)
        too_large(request)
        serializer.is_valid(raise_exception=True)
        photo = services.photo_create(project=project, user=request.user, **serializer.validated_data)
        fresh = self.photos().get(pk=photo.pk)
        return Response(PhotoSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="一张照片", parameters=[PROJECT_ID, PHOTO_ID],
                      responses={200: PhotoSerializer, 404: NOT_FOUND}),
    delete=extend_schema(summary="删除照片（重点项目办）", parameters=[PROJECT_ID, PHOTO_ID],
                         responses={204: None, 404: NOT_FOUND}),
)
class ProjectPhotoView(ProjectPhotoMixin, generics.GenericAPIView):
    """One photo of a project; the office deletes it, and its files with it."""

    serializer_class = PhotoSerializer

    def get(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.photo()).data)

    def delete(self, request, *args, **kwargs):
        photo = self.photo()
        roles.check(request.user, "photo", roles.DELETE, photo)
        services.photo_delete(photo=photo, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnyAccept(BaseContentNegotiation):
    """A file is sent as what it is, whatever the client's Accept says (errors in JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_view(get=extend_schema(
    summary="照片文件（需登录）", parameters=[PROJECT_ID, PHOTO_ID],
    responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="照片"), 404: NOT_FOUND},
))
class PhotoFileView(ProjectPhotoMixin, APIView):
    """The photo's file, to signed-in users only; never a public URL.

    Sent with the type its content decoded as, `nosniff`, a file name made from the id, and a policy
    that lets nothing in it run even when opened on its own.
    """

    thumbnail = False
    content_negotiation_class = AnyAccept

    def get(self, request, *args, **kwargs):
        photo = self.photo()
        if self.thumbnail:
            name, content_type, filename = photo.thumbnail, "image/jpeg", f"photo-{photo.pk}-thumbnail.jpg"
        else:
            name, content_type = photo.file, photo.content_type
            filename = f"photo-{photo.pk}.{name.rsplit('.', 1)[-1]}"
        try:
            handle = storages["photos"].open(name, "rb")
        except (FileNotFoundError, OSError):
            raise NotFound(NO_PHOTO) from None
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, max-age=3600"
        return response


@extend_schema_view(get=extend_schema(
    summary="照片缩略图（需登录；JPEG，不含 EXIF 和位置）", parameters=[PROJECT_ID, PHOTO_ID],
    responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="缩略图"), 404: NOT_FOUND},
))
class PhotoThumbnailView(PhotoFileView):
    """The photo's thumbnail (at most 480 px, no EXIF), to signed-in users only."""

    thumbnail = True

