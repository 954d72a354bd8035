"""Request guards that run before anything reads the request."""

import re

from django.conf import settings
from django.http import JsonResponse

from projects.services.photos import stream_uploads_to_disk

# The routes that take a photo (the API's upload, the admin's visit and report forms): their bodies
# may reach PHOTO_MAX_BYTES and a margin for the form's other fields. Their files are streamed to
# disk as they arrive (projects.services.photos.PhotoUploadHandler), so the larger limit costs no memory.
PHOTO_ROUTES = re.compile(
    r"^/api/v1/projects/[^/]+/photos/$"
    r"|^/admin/projects/(visit|statusupdate|photo)/(add|[^/]+/change)/$"
)
PHOTO_FORM_MARGIN = 1024 * 1024


def body_limit(path: str) -> int:
    """The largest body accepted on `path`."""
    if PHOTO_ROUTES.match(path):
        return max(settings.REQUEST_BODY_MAX_BYTES, settings.PHOTO_MAX_BYTES + PHOTO_FORM_MARGIN)
    return settings.REQUEST_BODY_MAX_BYTES


class RequestBodyLimitMiddleware:
    """A body larger than REQUEST_BODY_MAX_BYTES is 413 before it is read; a bad Content-Length is 400.

    Django checks DATA_UPLOAD_MAX_MEMORY_SIZE only when `request.body` or a form is read, while
    DRF's parsers read the stream directly; checking the declared length here covers both. The
    photo routes have their own, larger limit (`body_limit`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return JsonResponse({"detail": "请求头 Content-Length 无效。"}, status=400, json_dumps_params={"ensure_ascii": False})
        limit = body_limit(request.path_info)
        if PHOTO_ROUTES.match(request.path_info):
            # Before the CSRF check or any view reads the body.
            stream_uploads_to_disk(request)
        if length > limit:
            return JsonResponse(
                {"detail": f"请求体过大（{length} 字节），上限为 {limit} 字节。"},
                status=413,
                json_dumps_params={"ensure_ascii": False},
            )
        return self.get_response(request)
