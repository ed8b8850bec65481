"""The dashboard's figures, computed once and kept for a few minutes (issue 16).

Building the figures costs ~250 ms on the large demo whatever the cohort's size, most of it
Django compiling the correlated subqueries of the matched-pairs and follow-up queries, and
it repeats on every view of a page whose figures change only when a check-in, assessment or
enrollment does. So the figures are kept in the cache, keyed by what they are computed from:

- the program, the filters, the day and the instruments and unit costs in use;
- a *stamp* of the program's check-ins, assessments and enrollments: the version PostgreSQL's
  triggers add one to in every statement that writes any of them (outcomes.versions), so
  recording, amending or removing any of them, by any path, is seen on the next view;
- at most `LIFETIME` old: notes and claims (the cost of peer services) are not in the stamp,
  so the page says when its figures were computed ("Figures as of HH:MM") and offers a
  refresh, which computes them again.

A kept read is the stamp (one row by its key) and one cache read: flat as history grows."""

import datetime
import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

T = TypeVar("T")

LIFETIME = datetime.timedelta(minutes=5)

# The stamp on SQLite (`make run`: no triggers there, outcomes/migrations/0004): per
# check-ins, assessments and enrollments of one program, how many, the latest, the latest
# amendment or discharge, read over the program's whole history.
STAMP_SQL = """
SELECT * FROM
  (SELECT count(*), max(r.id), max(r.amended_at) FROM outcomes_checkin r
     JOIN participants_enrollment e ON e.id = r.enrollment_id WHERE e.program_id = %s) c,
  (SELECT count(*), max(r.id), max(r.amended_at) FROM outcomes_assessment r
     JOIN participants_enrollment e ON e.id = r.enrollment_id WHERE e.program_id = %s) a,
  (SELECT count(*), max(id), count(end_date), max(end_date) FROM participants_enrollment
     WHERE program_id = %s) e
"""


def stamp(program_id: int) -> tuple:
    """What the program's figures are read from, in one query: it changes when a check-in,
    assessment or enrollment is recorded, amended, discharged or removed. Written as SQL: it
    is read on every view, and the ORM costs more to build the query than to run it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version FROM outcomes_figuresversion WHERE program_id = %s", [program_id])
            return tuple(cursor.fetchone() or (0,))
        cursor.execute(STAMP_SQL, [program_id] * 3)
        return tuple(cursor.fetchone())


def every_stamp() -> tuple:
    """Every program's stamp, for figures that span programs (a team's follow-up rates): one
    row a program on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT program_id, version FROM outcomes_figuresversion ORDER BY program_id")
            return tuple(cursor.fetchall())
        cursor.execute("SELECT id FROM programs_program ORDER BY id")
        programs = [pk for (pk,) in cursor.fetchall()]
    return tuple((pk, stamp(pk)) for pk in programs)


def kept(
    name: str,
    program_id: int | None,
    parts: tuple,
    compute: Callable[[], T],
    *,
    fresh: bool = False,
    stamped: tuple | None = None,
) -> tuple[T, datetime.datetime]:
    """(figures, when they were computed): those kept for (name, program, parts, the
    program's stamp, or `stamped` when the caller gives the stamp of what its figures are
    read from) when younger than `LIFETIME`, else `compute()`d now and kept. `fresh` computes
    them again (the page's refresh)."""
    raw = repr((name, program_id, parts, stamp(program_id) if stamped is None else stamped))
    key = f"outcomes:kept:{name}:{program_id}:{hashlib.sha256(raw.encode()).hexdigest()}"
    if not fresh:
        hit = cache.get(key)
        if hit is not None:
            return hit
    value = (compute(), timezone.now())
    cache.set(key, value, LIFETIME.total_seconds())
    return value
