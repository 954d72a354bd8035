"""Flag SQL compiled once per plan and database alias, then reused by every request.

What: `CompiledOnce` wraps a resolved annotation and keeps the SQL and parameters it compiled
to, keyed by the database alias; `compiled_once()` wraps every expression of an annotations
dict. The project and milestone flags (`projects.querysets`) are built with it.

Why: the flag annotations are thousands of expression nodes, and compiling them took most of a
project request (about 4 of 9 ms of a detail on the seed, docs/performance.md, "The flag SQL
compiled once"). `selectors.project_list` keeps one queryset per plan (the day, live or past,
the thresholds), so its flags are compiled on the first request and reused by every later one.

The Django behaviour it relies on (checked on the versions pinned in tests/fast/test_versions.py):

- `Query.clone()` copies the annotations dict, not the expressions in it, so every clone of a
  plan shares the same `CompiledOnce` objects and their cache; `Expression.resolve_expression()`
  copies the node and sets its sources again, which empties the copy's cache.
- The SQL of a resolved expression depends only on the table aliases it was resolved with and on
  the database backend. Where Django relabels a query (used as a subquery, combined with another)
  it calls `relabeled_clone()`: that hands back the plain expression relabelled, so the cached
  SQL is never reused under other aliases. `set_source_expressions()` drops the cache.
- `Query.get_aggregation()` asks `contains_subquery` whether an aggregate over an annotation
  must read it from an inner query. Django's own walk stops at a `When`'s condition and answers
  no; this one looks at every node (conditions included), so a flag holding a subquery is
  computed once per row rather than once per aggregate.
- `Query.get_aggregation()` swaps references to annotations (`Ref`) through
  `replace_expressions()`. A resolved flag holds no `Ref`, so a swap of only `Ref`s leaves it as
  it is without walking and hashing its nodes (each `Count` over a flag did).

Threads: gunicorn runs `GUNICORN_THREADS` threads per worker, and they share the plans, so one
`CompiledOnce` is read and filled by several threads at once. Its cache is keyed by the
connection's alias, not by the connection: every thread's connection to an alias compiles the
same SQL. There is no lock, on purpose:

- a hit is one `dict` lookup and a fill one `dict` store of a new tuple; each is a single
  atomic operation on CPython (under the GIL, and with the per-object locks of the free-threaded
  build), so a reader sees either no entry or a whole one;
- the value is immutable (a `str` and a tuple of parameters), so no thread can change what
  another one reads;
- two threads that miss at once both compile the same expression, which is what Django does for
  any shared class-level queryset evaluated by two threads, and both store equal values; the
  second store replaces the first with an equal one. The cost is one extra compile per thread
  during the first requests of a plan, where a lock would cost every hit and could not be
  copied or pickled with the expression.

Tests: tests/models/test_fixed_cost.py (`test_the_wrapped_flags_send_the_sql_the_orm_would`,
`test_a_plan_is_compiled_once_across_requests`, `test_as_a_subquery_the_flags_are_relabelled_not_reused`,
`test_sums_over_flags_agree_with_the_rows`), and for the threads tests/fast/test_compiled_threads.py
(`test_threads_that_all_miss_the_cache_store_and_answer_the_same_sql`,
`test_many_threads_reading_one_plan_get_the_sql_and_rows_one_thread_gets`).
"""

from django.db.models import Expression
from django.db.models.expressions import Ref
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property


class CompiledOnce(Expression):
    """An expression whose SQL is compiled once per database alias and then reused (see the module)."""

    def __init__(self, expression):
        super().__init__()  # the output field is the wrapped expression's
        self.expression = expression
        self.compiled = {}  # database alias -> (sql, params); shared by every clone of the query

    def __repr__(self):
        return f"CompiledOnce({self.expression!r})"

    def get_source_expressions(self):
        return [self.expression]

    @cached_property
    def contains_subquery(self) -> bool:
        # Django asks this to decide whether an aggregate over the annotation must read it from an
        # inner query (computed once per row) instead of repeating it inside every aggregate. Its
        # own walk stops at a When's condition and answers False; this one sees every node.
        return any(getattr(node, "subquery", False) for node in _nodes(self.expression))

    def set_source_expressions(self, exprs):
        [self.expression] = exprs
        self.compiled = {}

    def replace_expressions(self, replacements):
        # Aggregation swaps references to annotations (Ref) for what they stand for. A resolved
        # flag inlines what it references and holds no Ref, so walking and hashing its nodes for
        # such swaps (each Count over a flag did) can be skipped; any other swap takes the walk.
        if replacement := replacements.get(self):
            return replacement
        if all(isinstance(key, Ref) for key in replacements):
            return self
        return super().replace_expressions(replacements)

    def relabeled_clone(self, change_map):
        return self.expression.relabeled_clone(change_map)

    def as_sql(self, compiler, connection):
        # One atomic lookup and, on a miss, one atomic store of an immutable value: see the module
        # on why concurrent fills need no lock.
        try:
            return self.compiled[connection.alias]
        except KeyError:
            sql, params = compiler.compile(self.expression)
            compiled = self.compiled[connection.alias] = sql, tuple(params)
            return compiled


def _nodes(node):
    """`node` and every node below it, conditions (WhereNode children) included."""
    yield node
    for child in node.children if isinstance(node, WhereNode) else node.get_source_expressions():
        if child is not None:
            yield from _nodes(child)


def compiled_once(annotations: dict) -> dict:
    """`annotations` with each expression wrapped in `CompiledOnce`."""
    return {name: CompiledOnce(expression) for name, expression in annotations.items()}
