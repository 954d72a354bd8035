"""The WSGI application gunicorn serves (`make serve`, see gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

from projects.fast.startup import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portfolio.settings")

application = get_wsgi_application()

# The objects loaded so far live as long as the worker: out of the garbage collector's walks.
freeze_startup_objects()
