"""The objects a worker loads at startup, moved out of the garbage collector's walks.

What: `freeze_startup_objects()` loads the URLconf (every view, serializer and filterset), runs a
full collection and then `gc.freeze()`. portfolio/wsgi.py calls it once the application is
built, so each gunicorn worker does it when it loads the app; `manage.py bench` does it too
before timing, as a worker would.

Why: those objects live as long as the process, and a full collection walking them (every so
many requests) cost a page of 50 about 3.6 ms on average; after the freeze, 0.8 ms
(docs/performance.md, "Startup objects out of the garbage collector's walks").

The framework behaviour it relies on (checked on the versions pinned in tests/fast/test_versions.py):

- CPython's `gc.freeze()` moves every object the collector tracks into a permanent generation
  that later collections skip; objects created afterwards (each request's) are collected as
  before. (`gc.unfreeze()` undoes it.) gunicorn loads the app in each worker (no `preload_app`
  in gunicorn.conf.py), so each worker freezes its own objects.
- Django's `get_resolver().url_patterns` imports the root URLconf and with it every view module,
  which imports the serializers and filtersets; nothing is left for the first request to import.

Tests: tests/fast/test_startup.py (`test_the_wsgi_module_freezes_the_loaded_views`: a fresh
process importing portfolio.wsgi has the views imported and a non-empty permanent generation).
"""

import gc


def freeze_startup_objects() -> None:
    """Load the URLconf and move everything loaded so far out of the garbage collector's reach."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view)
    gc.collect()
    gc.freeze()
