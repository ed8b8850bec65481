"""The hand-built month the section tests count: October 2026 (Thursday 1 to Saturday 31),
with helpers to enrol, assign and write notes on given days."""

import datetime

from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from notes.models import SessionNote
from notes.tests.factories import SessionNoteFactory
from participants.tests.factories import AssignmentFactory, EnrollmentFactory, ParticipantFactory
from programs.tests.factories import StaffProfileFactory

START = datetime.date(2026, 10, 1)
END = datetime.date(2026, 10, 31)


def october(day: int) -> datetime.date:
    return datetime.date(2026, 10, day)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """An aware moment of `day` in the agency's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def specialist(program, first_name: str, last_name: str, **profile):
    """A peer specialist on `program`'s staff (no program: on no program's staff)."""
    user = UserFactory(first_name=first_name, last_name=last_name, role=Role.PEER_SPECIALIST)
    staff = StaffProfileFactory(user=user, agency=program.agency if program else profile.pop("agency"), **profile)
    if program:
        staff.programs.add(program)
    return user


def person(program, start: datetime.date, *, end=None, reason="", to=None, assigned_on=None):
    """A participant enrolled in `program` over [start, end] (discharged for `reason`), and
    assigned to specialist `to` from `assigned_on` (the enrollment's start) when given."""
    who = ParticipantFactory(agency=program.agency)
    EnrollmentFactory(participant=who, program=program, start_date=start, end_date=end, discharge_reason=reason)
    if to is not None:
        AssignmentFactory(participant=who, specialist=to, started_on=assigned_on or start)
    return who


def note(who, author, day, *, status=SessionNote.Status.COSIGNED, start="10:00", end="10:45", signed=None, **fields):
    """A note of `author` for `who` on `day`; signed (at noon that day unless `signed`) unless a draft."""
    if status != SessionNote.Status.DRAFT:
        fields.setdefault("signed_at", signed or at(day))
    return SessionNoteFactory(
        participant=who,
        author=author,
        date=day,
        status=status,
        start_time=datetime.time.fromisoformat(start),
        end_time=datetime.time.fromisoformat(end),
        **fields,
    )


def numbers(section: dict) -> dict:
    """The section's headline figures by label."""
    return {n["label"]: n["value"] for n in section["numbers"]}


def table(section: dict, title_start: str) -> dict:
    """The first table whose title starts with `title_start`."""
    return next(t for t in section["tables"] if t["title"].startswith(title_start))
