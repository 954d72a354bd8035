"""The WSGI application gunicorn serves (`make serve`, see gunicorn.conf.py)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")

application = get_wsgi_application()


def freeze_startup_objects() -> None:
    """Load the URLconf (views, serializers, filtersets) and move everything loaded so far out of
    the garbage collector's reach: those objects live as long as the process, and a full collection
    walking them took several milliseconds of a list request now and then."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view)
    gc.collect()
    gc.freeze()


freeze_startup_objects()
