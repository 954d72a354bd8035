"""A LIMIT that is never reached, to keep the database from merging an inner query into the outer one.

What: `fenced(queryset)` is `queryset[:ROWS_FENCE]`. The summary (`projects.reports.summary`)
aggregates over `fenced(projects.values(...))`: its sums read the flags from an inner query of
only the columns they need.

Why: merged into the sums, the light's deadline and visit subqueries were evaluated once for
each sum that read them (seven MIN and five MAX per project on PostgreSQL); behind the fence,
once per project. At 100,000 projects and a past `as_of`: 2.1 s → 1.2–1.4 s
(docs/performance.md, "The summary computes each project's light once").

The framework and database behaviour it relies on (checked on the versions pinned in
tests/fast/test_versions.py):

- Django's `Query.get_aggregation()` aggregates a sliced query (`is_sliced`) over an inner query,
  `SELECT … FROM (SELECT … LIMIT n) subquery`, and keeps the slice there.
- PostgreSQL does not pull a subquery that has a LIMIT up into the outer query, and SQLite's query
  flattener does not flatten a subquery with a LIMIT into an aggregate query; either would
  otherwise copy the flag expressions into every aggregate that reads them.
- ROWS_FENCE (2**62) is more rows than any table holds and less than the largest integer both
  databases bind (2**63 - 1).

Tests: tests/models/test_fixed_cost.py
(`test_the_summary_computes_each_projects_light_once_not_once_per_sum`: the sums' SQL carries the
LIMIT and counts at most two MIN and two MAX), tests/reports/test_reports.py (the figures).
"""

from django.db.models import QuerySet

ROWS_FENCE = 2**62


def fenced(queryset: QuerySet) -> QuerySet:
    """`queryset` limited to ROWS_FENCE rows: never reached, but the database keeps it an inner query."""
    return queryset[:ROWS_FENCE]
