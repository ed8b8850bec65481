"""Date arithmetic the ORM has no portable form for, written once for the two databases we
run on: PostgreSQL (production, tests) and SQLite (`make run`'s default). PostgreSQL adds and
subtracts whole days on `date` values directly; SQLite goes through the Julian day number.
And `without_jit`, for PostgreSQL's JIT compiler, which SQLite does not have."""

from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import DateField, Func, IntegerField


class PlusDays(Func):
    """`date + n days`."""

    arity = 2
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" + ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="date(julianday(%(expressions)s))", arg_joiner=") + (", **extra
        )


class DaysBetween(Func):
    """Whole days from the first date to the second."""

    arity = 2
    output_field = IntegerField()

    def __init__(self, start, end):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


@contextmanager
def without_jit():
    """Run the block with PostgreSQL's JIT compilation off, in a transaction (a savepoint inside
    one). Queries that apply a per-row subquery to many rows are estimated above
    jit_above_cost, and compiling them took longer than running them: 0.3 to 0.4 s for the
    monthly report's waiting count, 0.03 to 0.1 s for each of billability's large queries. JIT
    is back as it was once the block ends (a rolled back block reverts the setting by itself)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        before = cursor.fetchone()[0]
        yield
        cursor.execute("SELECT set_config('jit', %s, true)", [before])
