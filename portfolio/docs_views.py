"""The API docs pages, confined to this server: the service runs on closed government networks."""

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

# Everything from this server; the inline start-up script, ReDoc's styles and its blob: worker
# are the only exceptions. ReDoc's footer logo on an outside host is blocked before any request.
SAME_ORIGIN_ONLY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'"
)


class SameOriginMixin:
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = SAME_ORIGIN_ONLY
        return response


class RedocView(SameOriginMixin, SpectacularRedocView):
    pass


class SwaggerView(SameOriginMixin, SpectacularSwaggerView):
    pass
