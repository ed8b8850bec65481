"""Writing many rows fast: COPY FROM STDIN into a model's table, with primary keys reserved
from the table's own sequence first, so rows computed in Python can point at each other
before any of them is written (600,000 notes, their events and claim lines)."""

import datetime
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

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
