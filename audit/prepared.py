"""Querysets compiled to SQL once per process and run again with other values.

Building a queryset and compiling it costs the ORM about as much as PostgreSQL takes to run
a small indexed query: a page that reads a dozen small sets of rows for the records it shows
(billing's assessment of a window of notes) spent more time writing SQL than running it. A
`Prepared` query is built once with `Slot`s where its values go, compiled once per database,
and then each call only swaps the values into the SQL's parameters and reads the rows as the
queryset would (model instances with their select_related, values or values_list rows).

A slot holds a list (`field__in=Slot("ids", many=True)`: one parameter whatever the number
of values, so the SQL stays the same; its values are bigints unless `output_field` says
otherwise) or one value (`field__gte=Slot("first")`). Every other value in the queryset is
kept as it was at its first call: anything that changes between calls (a day, "now", a
setting) must be a slot. Not for prefetch_related, which it does not run.

On PostgreSQL the query is also prepared on the server, once per connection (PREPARE, then
EXECUTE with each call's values): PostgreSQL then neither parses nor, once it has settled on a
generic plan, plans it again. Planning was most of these queries' time: 0.3 to 0.5 ms each
against 0.05 to 0.1 ms of running, for a dozen of them on billing's window pages. A prepared
statement lasts as long as its connection (a rollback keeps it), so `ServerStatement` tracks
the connections that have it. A pooler between the app and PostgreSQL that hands one client's
statements to another server connection (PgBouncer in transaction mode) would lose them:
`PREPARED_STATEMENTS = False` (environment) runs the same SQL unprepared.
"""

import itertools
import json
import re
import weakref
from collections.abc import Callable

from django.conf import settings
from django.db import connections, router
from django.db.models import BigIntegerField, Expression, Field, QuerySet


class _Marker:
    """What a slot leaves in the compiled parameters: its name, swapped for the call's value."""

    __slots__ = ("many", "name")

    def __init__(self, name: str, many: bool):
        self.name, self.many = name, many


class Slot(Expression):
    """Where a call's value goes in a prepared query. `many`: a list, for an `__in` lookup."""

    def __init__(self, name: str, *, many: bool = False, output_field: Field | None = None):
        super().__init__(output_field=output_field or (BigIntegerField() if many else Field()))
        self.marker = _Marker(name, many)

    def as_sql(self, compiler, connection):
        if not self.marker.many:
            return "%s", [self.marker]
        # Typed, so that an empty list is an empty array of the column's type.
        return f"(SELECT unnest(%s::{self.output_field.db_type(connection)}[]))", [self.marker]

    def as_sqlite(self, compiler, connection):
        # The list as a JSON array: SQLite compares dates as their ISO text.
        return ("(SELECT value FROM json_each(%s))" if self.marker.many else "%s"), [self.marker]


def _value(marker: _Marker, value, vendor: str):
    if not marker.many:
        return value
    values = list(value)
    return json.dumps(values, default=str) if vendor == "sqlite" else values


# A list longer than this is not run by the server-side statement: PostgreSQL settles a
# statement on a generic plan after five runs, made for the few values a page's window
# passes, and the thousands of notes a batch build or billability passes get a plan of their
# own, made for their number (as before statements were prepared).
MOST_VALUES_PREPARED = 1_000
_names = itertools.count(1)
# The statements each open connection has prepared (by psycopg2's connection object: a
# connection opened again, as its server session, starts with none).
_on_server: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%%|%s")
# Each statement's SQL, by name, for what Django records of an EXECUTE (audit/postgresql).
_statements: dict[str, str] = {}
_EXECUTE = re.compile(r"EXECUTE (prepared_\d+)")


class ServerStatement:
    """One SQL text, prepared on the server once per connection (PREPARE) and then run by
    EXECUTE with each call's values. For `Prepared` and for SQL written by hand."""

    def __init__(self):
        self.name = f"prepared_{next(_names)}"

    def sql(self, connection, sql: str, params) -> str:
        """What to send in place of `sql` with these params: the EXECUTE of the statement,
        prepared first if this connection has not yet; `sql` itself off PostgreSQL, with
        PREPARED_STATEMENTS off, or for a long list. PREPARE goes by the driver's own cursor: it
        is set-up, once per connection, not one of a page's queries."""
        if (
            connection.vendor != "postgresql"
            or not settings.PREPARED_STATEMENTS
            or any(isinstance(p, list) and len(p) > MOST_VALUES_PREPARED for p in params)
        ):
            return sql
        connection.ensure_connection()
        prepared = _on_server.setdefault(connection.connection, set())
        if self.name not in prepared:
            _statements[self.name] = sql
            with connection.connection.cursor() as cursor:
                cursor.execute(f"PREPARE {self.name} AS {_numbered(sql)}")
            prepared.add(self.name)
        return f"EXECUTE {self.name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {self.name}"


def statement_sql(sql: str) -> str | None:
    """The SQL (with psycopg2's %s) that `sql` runs when it is the EXECUTE of a statement
    prepared here; otherwise None."""
    found = _EXECUTE.match(sql)
    return _statements.get(found.group(1)) if found else None


def _numbered(sql: str) -> str:
    """The SQL with PostgreSQL's numbered parameters ($1, $2...) where psycopg2's %s are, for
    PREPARE; a literal % (written %% for psycopg2) as psycopg2 would send it."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)


class Prepared:
    """`build()` returns the queryset, with `Slot`s for the values; `prepared(**values)` its rows."""

    def __init__(self, build: Callable[[], QuerySet]):
        self.build = build
        self._built: QuerySet | None = None
        self._compiled: dict[str, tuple] = {}
        self._statement = ServerStatement()

    def _compile(self, db: str) -> tuple:
        compiled = self._compiled.get(db)
        if compiled is None:
            queryset = self._built.using(db)
            compiler = queryset.query.get_compiler(using=db)
            sql, params = compiler.as_sql()
            compiled = self._compiled[db] = (queryset, compiler, sql, tuple(params))
        return compiled

    def __call__(self, *, using: str | None = None, **values) -> list:
        if self._built is None:
            self._built = self.build()
        # The database the queryset would read from: the router's choice (audit/replica.py).
        using = using or router.db_for_read(self._built.model)
        queryset, compiler, sql, params = self._compile(using)
        connection = connections[using]
        params = [_value(p, values[p.name], connection.vendor) if isinstance(p, _Marker) else p for p in params]
        sql = self._statement.sql(connection, sql, params)
        # A copy of the compiled compiler (its select and klass_info, for reading the rows), on
        # this thread's connection, that returns the SQL instead of writing it again.
        # (Shallow copies made by hand: copying a queryset with copy() would run its query.)
        compiler = _shallow(compiler, connection=connection, as_sql=lambda *args, **kwargs: (sql, params))
        query = _shallow(queryset.query, get_compiler=lambda *args, **kwargs: compiler)
        run = _shallow(queryset, _query=query)
        return list(run._iterable_class(run))


def _shallow(obj, **changes):
    """A shallow copy of `obj` with `changes` set on it."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__, **changes)
    return new
