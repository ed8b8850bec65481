"""Date arithmetic the ORM has no portable form for, written once for the two databases we
run on: PostgreSQL (production, tests) and SQLite (`make run`'s default). PostgreSQL adds and
subtracts whole days on `date` values directly; SQLite goes through the Julian day number."""

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
