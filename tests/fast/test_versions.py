"""The versions the shortcuts of projects/fast/ were checked on.

Each module of projects/fast/ relies on behaviour of these libraries that they do not promise to
keep (private attributes, the SQL Django writes, the order knox does things in). An upgrade
fails here on purpose: read each module's docstring, check what it relies on against the new
version, run its tests, then update the pin below.
"""

import importlib.metadata

import django
import django_filters
import pytest
import rest_framework

# library: (version found, version checked, the fast modules that rely on it)
PINS = {
    "Django": (django.VERSION[:3], (5, 2, 19), ("compiled", "ids", "constraints", "fence", "startup", "commit")),
    "djangorestframework": (rest_framework.VERSION, "3.18.3", ("serializers", "json", "tokens", "filtering")),
    "django-filter": (django_filters.__version__, "26.2", ("filtering",)),
    "django-rest-knox": (importlib.metadata.version("django-rest-knox"), "5.1.0", ("tokens",)),
}


@pytest.mark.parametrize("library", PINS)
def test_the_fast_modules_were_checked_on_this_version(library):
    found, checked, modules = PINS[library]
    assert found == checked, (
        f"{library} is {found}, but projects/fast/ was checked on {checked}. Before updating the pin "
        f"in tests/fast/test_versions.py, re-check each of "
        f"{', '.join(f'projects/fast/{module}.py' for module in modules)} against {library} {found}: "
        "read what its docstring says it relies on, check that the new version still behaves so, "
        "and run the tests the docstring names."
    )
