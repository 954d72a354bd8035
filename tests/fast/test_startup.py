"""What a worker does once loaded (projects.fast.startup): the views imported, then frozen out of the
garbage collector's walks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

SHOW = ("import gc, sys; import portfolio.wsgi; "
        "print(gc.get_freeze_count(), 'projects.api.views.portfolio' in sys.modules, "
        "'projects.selectors.filters' in sys.modules, len(gc.get_objects(generation=2)))")


def test_the_wsgi_module_freezes_the_loaded_views():
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8",
           "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "xmb.erqi.example.cn"}
    result = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    frozen, views, filtersets, oldest = result.stdout.split()
    assert (views, filtersets) == ("True", "True")
    # Everything loaded is frozen; the collector's oldest generation is left nearly empty.
    assert int(frozen) > 50_000 and int(oldest) < int(frozen) / 100, result.stdout
