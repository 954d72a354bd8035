"""Request guards that run before anything reads the request."""

from django.conf import settings
from django.http import JsonResponse


class RequestBodyLimitMiddleware:
    """A body larger than REQUEST_BODY_MAX_BYTES is 413 before it is read; a bad Content-Length is 400.

    Django checks DATA_UPLOAD_MAX_MEMORY_SIZE only when `request.body` or a form is read, while
    DRF's parsers read the stream directly; checking the declared length here covers both.
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
        limit = settings.REQUEST_BODY_MAX_BYTES
        if length > limit:
            return JsonResponse(
                {"detail": f"请求体过大（{length} 字节），上限为 {limit} 字节。"},
                status=413,
                json_dumps_params={"ensure_ascii": False},
            )
        return self.get_response(request)
