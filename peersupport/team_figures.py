"""The supervisor's team figures, kept (issue 16): the home's counts, the team caseloads
page's figures, the team participants page's order and filters (and the caseload pages'
rows, one page or one specialist's caseload at a time) are read over every
participant of the team's caseloads (some 500: last contact, plan review, coverage, consents,
check-ins due), 35 ms of database and Python on every view. They are kept in the cache
(outcomes.kept) keyed by:

- the team (its specialists), the day (overdue and due are as of today) and what was asked;
- the team's caseload versions (participants.versions): PostgreSQL's triggers move a
  specialist's version in every statement that writes a session note's status, date,
  participant or author, an enrollment, coverage, consent, plan, check-in, participant or
  caseload assignment of a participant ever on their caseload, by any path;
- the team's names and the programs' names, contact and plan review frequencies and
  check-in windows, read with the versions (a few rows an agency): the caseload pages'
  rows, kept too, show them.

So a kept figure is never older than the last write that changes it. A kept read is one query
(the stamp) and one cache read whatever the team's size. SQLite (`make run`, no triggers)
computes the figures on every view, as do the pages while Redis cannot be reached."""

import datetime
from collections.abc import Callable
from typing import TypeVar

from django.db import connection
from django.utils import timezone

from accounts.cache import REDIS_DOWN
from outcomes.kept import kept

T = TypeVar("T")

STAMP_SQL = """
SELECT
  (SELECT string_agg(concat_ws(':', specialist_id, version), ',' ORDER BY specialist_id)
     FROM participants_caseloadversion WHERE specialist_id = ANY(%s)),
  (SELECT string_agg(concat_ws(':', id, first_name, last_name, email), ',' ORDER BY id)
     FROM accounts_user WHERE id = ANY(%s)),
  (SELECT string_agg(concat_ws(':', id, name, contact_frequency_days, plan_review_days), ',' ORDER BY id)
     FROM programs_program),
  (SELECT string_agg(concat_ws(':', program_id, timepoint, opens_day, closes_day), ',' ORDER BY id)
     FROM outcomes_timepointwindow)
"""


def team_stamp(specialist_ids: list[int]) -> tuple:
    """What a team's figures are read from, in one query (PostgreSQL only)."""
    with connection.cursor() as cursor:
        cursor.execute(STAMP_SQL, [list(specialist_ids)] * 2)
        return tuple(cursor.fetchone())


def kept_for_team(
    name: str, specialist_ids, parts: tuple, compute: Callable[[], T], today: datetime.date | None = None
) -> T:
    """`compute()`, kept for the team, the day and `parts` while the team's stamp stays."""
    if connection.vendor != "postgresql":
        return compute()
    ids = sorted(specialist_ids)
    today = today or timezone.localdate()
    try:
        value, _ = kept(f"team:{name}", None, (ids, today, parts), compute, stamped=team_stamp(ids))
    except REDIS_DOWN:  # everyday pages answer without the cache (test_redis_down)
        return compute()
    return value
