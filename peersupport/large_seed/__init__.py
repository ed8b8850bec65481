"""The large demo (`seed_demo --scale large`): one agency at full size, for trying pages,
reports and exports at the scale a real agency reaches.

It adds to the small demo's agency, so the demo sign-ins see large caseloads: the demo
supervisor is one of the supervisors, and the demo peer one of the specialists. Every row is
computed in Python from one `random.Random(seed)` and today's date, and written with COPY
(`copy.py`), never saved one by one: no signal runs, and no audit row is written per record
(the seed is not anyone's access to PHI). PostgreSQL only.
"""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from programs.models import Agency, Program


@dataclass(frozen=True)
class Sizes:
    programs: int
    supervisors: int  # including the demo's supervisor@example.org
    specialists: int  # including the demo's peer@example.org
    participants: int
    notes: int
    months: int = 24  # of session notes
    billed_months: int = 12  # of exported batches, one per payer per month


LARGE = Sizes(programs=8, supervisors=25, specialists=250, participants=12_000, notes=600_000)
# The large programs' names begin so; finding one means the large data is already there.
MARKER = "Large · "
# The apps whose tables the large demo writes to (auth for the new users' groups).
WRITTEN_APPS = {"accounts", "auth", "programs", "participants", "notes", "billing", "outcomes"}


@dataclass
class Gen:
    """What every area's generator shares: the sizes, the one random source, the day the data
    is relative to, and what earlier areas made (ids, in creation order)."""

    agency: Agency
    sizes: Sizes
    rng: random.Random
    today: datetime.date
    counts: dict[str, int] = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def at(self, day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
        """A fixed moment on a day (never `now()`), so two runs on one day write the same rows."""
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def already_there(agency: Agency) -> bool:
    return Program.objects.filter(agency=agency, name__startswith=MARKER).exists()


def generate(agency: Agency, *, sizes: Sizes = LARGE, seed: int = 16, today: datetime.date | None = None):
    """Add the large data to `agency`; what was made (`Gen.counts`, `Gen.seconds`), or None when
    it is already there."""
    from . import billing, notes, outcomes, participants, staff  # the areas import Gen from here
    from .copy import foreign_keys_checked_at_end

    if already_there(agency):
        return None
    gen = Gen(agency=agency, sizes=sizes, rng=random.Random(seed), today=today or timezone.localdate())  # noqa: S311 (demo data)
    with transaction.atomic():
        with foreign_keys_checked_at_end(WRITTEN_APPS):
            for area in (staff, participants, notes, billing, outcomes):
                began = time.monotonic()
                area.generate(gen)
                gen.seconds[area.__name__.rsplit(".", 1)[-1]] = time.monotonic() - began
            began = time.monotonic()
        gen.seconds["foreign keys"] = time.monotonic() - began
        began = time.monotonic()
    gen.seconds["commit"] = time.monotonic() - began
    # The planner's statistics, before anything reads the new rows: autovacuum gets to tables
    # this size only minutes later, and until then PostgreSQL plans for empty tables (the
    # bench's first run spent 80 s in one authorization query on a freshly seeded database).
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    gen.seconds["analyze"] = time.monotonic() - began
    return gen
