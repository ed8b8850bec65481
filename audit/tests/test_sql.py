"""The date arithmetic of audit/sql.py on both databases: PostgreSQL (the test database)
and SQLite, which `make run` uses by default and the suite otherwise never touches."""

import datetime

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.models import DateField, Value
from django.db.models.sql import Query

from audit.models import AuditEvent
from audit.sql import DaysBetween, PlusDays

LEAP = datetime.date(2024, 2, 27)
CASES = [
    (PlusDays(Value(LEAP, output_field=DateField()), Value(3)), datetime.date(2024, 3, 1)),
    (PlusDays(Value(LEAP, output_field=DateField()), Value(-30)), datetime.date(2024, 1, 28)),
    (DaysBetween(Value(LEAP, output_field=DateField()), Value(datetime.date(2024, 3, 1), output_field=DateField())), 3),
    (
        DaysBetween(Value(datetime.date(2024, 3, 1), output_field=DateField()), Value(LEAP, output_field=DateField())),
        -3,
    ),
]


def _sqlite():
    settings = {"NAME": ":memory:", "ENGINE": "django.db.backends.sqlite3", "OPTIONS": {}, "TIME_ZONE": None,
                "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True,
                "ATOMIC_REQUESTS": False}  # fmt: skip
    return DatabaseWrapper(settings, alias="sqlite-check")


def _evaluate(expression, on):
    sql, params = Query(AuditEvent).get_compiler(connection=on).compile(expression)
    with on.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        value = cursor.fetchone()[0]
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_on_sqlite(expression, expected, django_db_blocker):
    with django_db_blocker.unblock():  # an in-memory SQLite of its own, not the test database
        sqlite = _sqlite()
        try:
            assert _evaluate(expression, sqlite) == expected
        finally:
            sqlite.close()


@pytest.mark.django_db
@pytest.mark.parametrize(("expression", "expected"), CASES)
def test_on_postgresql(expression, expected):
    assert _evaluate(expression, connection) == expected


@pytest.mark.django_db
def test_the_apps_postgresql_sessions_run_without_jit():
    """Set for the whole connection (settings.backends.database_from_url): JIT compiled the
    app's larger queries for longer than they ran, and a per-block switch cost queries."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        assert cursor.fetchone()[0] == "off"
