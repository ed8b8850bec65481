"""Writing many rows fast: COPY FROM STDIN into a model's table, with primary keys reserved
from the table's own sequence first, so rows computed in Python can point at each other
before any of them is written (600,000 notes, their events and claim lines)."""

import datetime
import io
import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.apps import apps
from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of `count` consecutive primary keys no other insert will use: the sequence is
    moved past them in one statement, as inserts by the ORM would move it."""
    if count == 0:
        return 0
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


def _text(value) -> str:
    """One value in COPY's text format: \\N is NULL; backslash, tab and newlines escaped."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    elif isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    elif isinstance(value, (int, Decimal)):
        return str(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Copier:
    """COPY into one table, a row at a time, sent in chunks of about 8 MB so memory stays flat
    whatever the count. Several may be open at once (a note, its events, its goal): foreign
    keys are checked at commit, so the order the chunks arrive in does not matter."""

    def __init__(self, model: type[models.Model] | str, columns: Sequence[str]):
        table = model if isinstance(model, str) else model._meta.db_table
        quoted = ", ".join(f'"{column}"' for column in columns)  # "group" is a keyword
        self.sql = f"COPY {table} ({quoted}) FROM STDIN"
        self.buffer = io.StringIO()
        self.count = 0

    def add(self, row: Sequence) -> None:
        self.buffer.write("\t".join(map(_text, row)))
        self.buffer.write("\n")
        self.count += 1
        if self.buffer.tell() > 8_000_000:
            self._send()

    def _send(self) -> None:
        self.buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(self.sql, self.buffer)  # psycopg2's: Django has no COPY of its own
        self.buffer = io.StringIO()

    def close(self) -> int:
        if self.buffer.tell():
            self._send()
        return self.count


def copy_rows(model: type[models.Model] | str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY the rows (tuples in the order of `columns`) into the model's table (or a table
    named directly, for many-to-many tables); returns how many were written."""
    copier = Copier(model, columns)
    for row in rows:
        copier.add(row)
    return copier.close()


@contextmanager
def foreign_keys_checked_at_end(app_labels: set[str]):
    """Check foreign keys once, set-wise, after the load instead of row by row as it goes.

    PostgreSQL checks each foreign key of each row copied with a trigger that looks up and
    locks the referenced row; for the four million references of the large demo that is most
    of a minute. With `session_replication_role = replica` for this transaction (only a
    superuser may set it, as pg_restore --disable-triggers does; otherwise rows are checked as
    usual) those triggers wait, and one anti-join per foreign key then proves no row points
    at nothing, or the whole load is rolled back. Unique and check constraints are never off.
    Must run inside a transaction: SET LOCAL ends with it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        deferred = bool(cursor.fetchone()[0])
        if deferred:
            cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    if not deferred:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label not in app_labels:
                continue
            for field in model._meta.concrete_fields:
                if not (field.many_to_one or field.one_to_one):
                    continue
                target = field.target_field
                cursor.execute(
                    f'SELECT count(*) FROM "{model._meta.db_table}" c WHERE c."{field.column}" IS NOT NULL '  # noqa: S608 (names from the models)
                    f'AND NOT EXISTS (SELECT 1 FROM "{target.model._meta.db_table}" p '
                    f'WHERE p."{target.column}" = c."{field.column}")'
                )
                dangling = cursor.fetchone()[0]
                if dangling:
                    raise RuntimeError(f"{dangling} rows of {model._meta.db_table}.{field.column} point at nothing")
