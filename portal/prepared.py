"""Prepared reads: querysets built and compiled to SQL once per process, then run many times.

Building a queryset and compiling it to SQL costs far more CPU than PostgreSQL spends on the small
indexed reads a page makes: a dashboard panel's read took ~0.8 ms of Python against ~0.05 ms in
the database, and two thirds of it went into compiling the same SQL again. A
:class:`PreparedQuery` builds its queryset once, with placeholders where one request's values go,
compiles it once per database, and afterwards only binds the values and turns rows into objects
the way the ORM's own iterables do (``django.db.models.query.ModelIterable``).

The read is written once, as an ordinary queryset, by a function of ``p``::

    NEXT_FOLLOWUP = PreparedQuery(
        lambda p: FollowUp.objects.filter(patient_id=p("patient_id", BigIntegerField())).order_by("due_on")[:1]
    )
    NEXT_FOLLOWUP.first(patient_id=patient.pk)          # prepared
    NEXT_FOLLOWUP.queryset(patient_id=patient.pk)       # the same read as a plain queryset

``p(name, field)`` is a placeholder when preparing and the value itself for ``queryset()``; the
tests run every registered read both ways and compare (``portal/tests/test_prepared.py``).
Values are converted for the database by the placeholder's field, as a filter on that field
converts them; a number outside its column's range matches nothing, as in an equality filter.

Because the build runs once per process, everything that varies per request (the user, the
patient, today, now) must come in through ``p``; the tests build each read at two different
moments and refuse any whose SQL or constants differ (a build that read the clock). Not
supported: ``prefetch_related()`` (use a second prepared read and :func:`attach_prefetched`) and
lists of values (``__in=p(...)``).

Turning rows into objects uses the compiler's own description of its columns (``select``,
``klass_info``, converters and ``get_related_populators``), as Django's ``ModelIterable`` does.
Those are internals of the pinned Django release; the comparison tests above are what tells an
upgrade that broke them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import Expression, Field, Func, IntegerField, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

# Every prepared read of the project, for the tests that check them all.
REGISTRY: list[PreparedQuery] = []


class _Slot:
    """Where a placeholder's value goes in the compiled parameter list."""

    __slots__ = ("name", "field")

    def __init__(self, name: str, field: Field):
        self.name = name
        self.field = field

    def __repr__(self) -> str:
        return f"<value of {self.name}>"


class Param(Expression):
    """A placeholder for a value given when a :class:`PreparedQuery` runs."""

    def __init__(self, name: str, output_field: Field):
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self) -> str:
        return f"Param({self.name!r})"

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name, self.output_field)]

    def get_group_by_cols(self):
        return []


class _Compiled:
    """One read compiled for one database: the SQL, its parameters with slots for the values, and
    what turns a row into what the queryset would have yielded."""

    def __init__(self, queryset: QuerySet, alias: str):
        if queryset._prefetch_related_lookups:
            raise TypeError("a prepared read cannot prefetch; prefetch with a second prepared read")
        self.kind = queryset._iterable_class
        if self.kind not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise TypeError("a prepared read yields model instances or values_list() rows")
        compiler = queryset.query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.params = tuple(params)
        self.slots = tuple(i for i, value in enumerate(self.params) if isinstance(value, _Slot))
        self.names = frozenset(self.params[i].name for i in self.slots)
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        self.converters = tuple(compiler.get_converters(fields).items())
        self.col_count = compiler.col_count
        if self.kind is ModelIterable:
            klass_info, select = compiler.klass_info, compiler.select
            self.model = klass_info["model"]
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            self.model_slice = slice(start, end)
            self.init_list = [f[0].target.attname for f in select[start:end]]
            self.populators = get_related_populators(klass_info, select, alias)
            self.annotations = tuple(compiler.annotation_col_map.items())

    def bind(self, values: dict[str, Any], connection) -> list | None:
        """The parameters with ``values`` in place, or None when a number lies outside its
        column's range (such a value matches no row, as it would in an ORM equality filter)."""
        if self.names - values.keys() or values.keys() - self.names:
            raise TypeError(f"this read takes exactly {sorted(self.names)}, not {sorted(values)}")
        params = list(self.params)
        for i in self.slots:
            slot = params[i]
            value = slot.field.get_db_prep_value(values[slot.name], connection, prepared=False)
            internal_type = slot.field.get_internal_type()
            if value is not None and internal_type in connection.ops.integer_field_ranges:
                low, high = connection.ops.integer_field_range(internal_type)
                if (low is not None and value < low) or (high is not None and value > high):
                    return None
            params[i] = value
        return params

    def rows(self, connection, sql: str, params: list) -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for pos, (convs, expression) in self.converters:
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[pos] = value
            converted.append(row)
        return converted

    def objects(self, rows: list, alias: str) -> list:
        if self.kind is FlatValuesListIterable:
            return [row[0] for row in rows]
        if self.kind is ValuesListIterable:
            return [tuple(row[: self.col_count]) for row in rows]
        result = []
        from_db, model_slice, init_list = self.model.from_db, self.model_slice, self.init_list
        for row in rows:
            obj = from_db(alias, init_list, row[model_slice])
            for populator in self.populators:
                populator.populate(row, obj)
            for attr, pos in self.annotations:
                setattr(obj, attr, row[pos])
            result.append(obj)
        return result


class PreparedQuery:
    """A read built by ``build(p)`` and compiled once per database alias and vendor."""

    def __init__(self, build: Callable[[Callable[[str, Field], Any]], QuerySet]):
        self.build = build
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()
        self._model = None
        self._using: str | None = None
        REGISTRY.append(self)

    def __repr__(self) -> str:
        code = getattr(self.build, "__code__", None)
        where = f"{self.build.__module__}:{code.co_firstlineno}" if code else repr(self.build)
        return f"<PreparedQuery {where}>"

    def prepared_queryset(self) -> QuerySet:
        """The queryset with placeholders, as it is compiled."""
        return self.build(Param)

    def queryset(self, **values) -> QuerySet:
        """The same read as a plain queryset with ``values`` in place of the placeholders."""
        return self.build(given(**values))

    def _alias(self) -> str:
        if self._model is None:
            queryset = self.prepared_queryset()
            self._model, self._using = queryset.model, queryset._db
        return self._using or router.db_for_read(self._model)

    def _compiled_for(self, alias: str, connection) -> _Compiled:
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or _Compiled(self.prepared_queryset(), alias)
                self._compiled[key] = compiled
        return compiled

    def compiled_sql(self, alias: str = "default") -> tuple[str, tuple]:
        """The SQL and parameters (with slots) compiled for ``alias``."""
        compiled = self._compiled_for(alias, connections[alias])
        return compiled.sql, compiled.params

    def all(self, **values) -> list:
        """What the queryset yields for ``values``, as a list."""
        return self._run(values)

    def rows(self, **values) -> PreparedRows:
        """The read for ``values`` as a sliceable sequence (``rows[start:stop]`` runs it with a
        LIMIT and OFFSET), for paging."""
        return PreparedRows(self, values)

    def _run(self, values: dict[str, Any], start: int = 0, stop: int | None = None) -> list:
        alias = self._alias()
        connection = connections[alias]
        compiled = self._compiled_for(alias, connection)
        params = compiled.bind(values, connection)
        if params is None:
            return []
        sql = compiled.sql
        if start or stop is not None:
            if connection.vendor not in ("postgresql", "sqlite"):
                raise NotImplementedError(f"paging a prepared read on {connection.vendor}")
            sql = f"{sql} LIMIT %s OFFSET %s"
            params += [connection.ops.no_limit_value() if stop is None else max(0, stop - start), start]
        return compiled.objects(compiled.rows(connection, sql, params), alias)

    def first(self, **values):
        """The first row, or None (build the queryset sliced to one row)."""
        rows = self.all(**values)
        return rows[0] if rows else None


def given(**values) -> Callable[[str, Field], Any]:
    """A ``p`` that puts the values in place: shares a prepared read's rule with a plain queryset
    (``build(given(day=today))``)."""
    return lambda name, field: values[name]


class RowCount(Func):
    """``COUNT(*)`` of the rows a query selects, as a plain column rather than an aggregate, so a
    prepared read can count: ``.order_by().values_list(RowCount(), flat=True)``."""

    template = "COUNT(*)"
    output_field = IntegerField()
    arity = 0


class PreparedRows:
    """A prepared read with its values, sliced like a queryset: ``rows[50:76]`` reads only those
    rows. The read must be ordered and not sliced itself."""

    def __init__(self, query: PreparedQuery, values: dict[str, Any]):
        self.query = query
        self.values = values
        self.counter: PreparedQuery | None = None

    def with_count(self, counter: PreparedQuery) -> PreparedRows:
        """Give these rows a ``count()`` (for Django's ``Paginator``): ``counter`` is a read of
        the same values that yields the number of rows (see :class:`RowCount`)."""
        self.counter = counter
        return self

    def count(self) -> int:
        if self.counter is None:
            raise TypeError("these rows were not given a count")
        return self.counter.first(**self.values) or 0

    def __getitem__(self, index: slice) -> list:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("prepared rows are read by slices without a step")
        start, stop = index.start or 0, index.stop
        if start < 0 or (stop is not None and stop < 0):
            raise ValueError("negative indexes are not supported")
        return self.query._run(self.values, start, stop)

    def __iter__(self):
        return iter(self.query.all(**self.values))


def attach_prefetched(instances: list, related_name: str, related: list, *, key: str) -> None:
    """Give each of ``instances`` its ``related_name`` objects from ``related`` (matched on each
    related object's ``key`` attribute, in ``related``'s order), as ``prefetch_related()`` would:
    ``instance.<related_name>.all()`` then reads them without a query."""
    by_owner: dict[Any, list] = {}
    for obj in related:
        by_owner.setdefault(getattr(obj, key), []).append(obj)
    for instance in instances:
        queryset = getattr(instance, related_name).get_queryset()
        queryset._result_cache = by_owner.get(instance.pk, [])
        queryset._prefetch_done = True
        instance.__dict__.setdefault("_prefetched_objects_cache", {})[related_name] = queryset
