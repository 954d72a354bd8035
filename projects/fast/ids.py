"""A queryset's ids for `project__in=`, with its annotations dropped from the subquery.

What: `ids_without_annotations(queryset)` is `queryset.order_by().values("pk")` with every
annotation taken out of the query; `ProjectQuerySet.ids()` is this.

Why: the reports (summary, weekly bulletin) read the milestones, approvals and reports of the
projects the filters chose through `project__in=<ids>`. Used as a subquery, a queryset is
relabelled and resolved whole, every flag included, even those it does not select: that cost
more than the report that used it (docs/performance.md, "Reports take project ids without the
flags"). The ids keep only the filters.

The Django behaviour it relies on (checked on the versions pinned in tests/fast/test_versions.py):

- A filter on an annotation (`is_overdue=True`) puts its own copy of the annotation's expression
  into `query.where` (`Query.build_filter` resolves the annotation itself, not a `Ref` to it), so
  the WHERE clause still filters once `query.annotations` is empty.
- `query.annotations` and the annotation mask are read when the query is compiled; emptying
  both on the clone `values("pk")` made leaves the given queryset untouched.

Dropping an annotation changes only the cost unless the query needs it for more than selecting
it. `ids_without_annotations` refuses (ValueError) the cases where it would change the answer:

- an annotation that is an aggregate or a window function: it groups or ranks the rows, and a
  filter on it is a HAVING (or QUALIFY) over it, which has nothing to read once it is gone;
- an annotation named by `distinct(*fields)` (DISTINCT ON);
- with `distinct(*fields)`, an annotation the ordering uses: the ordering decides which row of
  each DISTINCT ON group is kept.

An ordering by an annotation without DISTINCT ON is accepted: the ids are a set for `IN`, the
ordering is cleared anyway, and the reports take the list's `?ordering=` with the filters.

Tests: tests/models/test_fixed_cost.py (`test_ids_keep_the_flag_filters_and_drop_the_other_flags`) and
tests/fast/test_ids.py (each refusal, and the reports under `?ordering=`).
"""

from django.db.models import F, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import Ref


def ids_without_annotations(queryset: QuerySet) -> QuerySet:
    """The ids of `queryset` (`values("pk")`, unordered) without its annotations."""
    _refuse_what_the_query_needs(queryset.query)
    ids = queryset.order_by().values("pk")
    ids.query.annotations = {}
    ids.query.set_annotation_mask(())
    return ids


def _refuse_what_the_query_needs(query) -> None:
    for name, expression in query.annotations.items():
        if getattr(expression, "contains_aggregate", False) or getattr(expression, "contains_over_clause", False):
            raise ValueError(
                f"ids() cannot drop the annotation {name!r}: it is an aggregate or a window function, "
                "and the rows the query selects depend on it. Take the ids before annotating it."
            )
    if not query.distinct_fields:
        return
    needed = {
        "distinct": {_first_name(field) for field in query.distinct_fields},
        "ordering": {name for item in query.order_by for name in _names_used(item)},
    }
    for used_by, names in needed.items():
        if kept := sorted(names & query.annotations.keys()):
            raise ValueError(
                f"ids() cannot drop the annotation(s) {', '.join(map(repr, kept))}: the query's {used_by} "
                "uses them and decides which rows DISTINCT ON keeps. Take the ids without distinct(*fields)."
            )


def _first_name(path: str) -> str:
    return path.lstrip("-").split(LOOKUP_SEP, 1)[0]


def _names_used(item) -> set[str]:
    """The names an ordering item refers to: its own if it is a name, its F()s' if an expression."""
    if isinstance(item, str):
        return {_first_name(item)}
    if isinstance(item, F):
        return {_first_name(item.name)}
    names = {item.refs} if isinstance(item, Ref) else set()
    for child in getattr(item, "get_source_expressions", list)():
        if child is not None:
            names |= _names_used(child)
    return names
