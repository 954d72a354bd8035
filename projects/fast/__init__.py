"""The measured shortcuts into Django's, DRF's, django-filter's and knox's internals, one module each.

Each earns its keep in docs/performance.md, and each module's docstring says what it does, what
it buys, the framework behaviour (often a private attribute) it relies on, and the tests that
hold it:

- `compiled`: the flag SQL compiled once per plan and database alias (`CompiledOnce`), shared
  by the threads of a worker;
- `ids`: a queryset's ids without its annotations, for `project__in=` (`ProjectQuerySet.ids()`);
- `constraints`: check constraints judged in Python by the services' `full_clean`;
- `fence`: the never-reached LIMIT that keeps the summary's inner query from being merged;
- `serializers`: model serializer fields built once per class, rows written by a plan;
- `filtering`: no filterset when the request names none of its parameters;
- `tokens`: knox's token check with one query;
- `json`: DRF's JSON bytes encoded by orjson;
- `startup`: the objects a worker loads at startup frozen out of the garbage collector's walks.

tests/fast/test_versions.py pins the versions of Django, DRF, django-filter and knox they were
checked on: after an upgrade it fails until someone has checked every module here against the
new version and updated the pins.

Layering: this package imports Django, those libraries and `projects.domain`, never the API,
admin, services, selectors or reports. The modules the querysets and models use (`compiled`,
`ids`, `constraints`, `fence`) import no DRF.
"""
