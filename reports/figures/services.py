"""Services: the program's sessions, hours and billed units, cut five ways, by week, and how
many active participants were contacted as often as the program requires.

Sessions are the served notes of census.program_notes (one per participant per session, so a
group of five attendees is five sessions). Units are what live claim lines bill: a note's
units depend on the code its coverage bills it under, which billing decides
(billing/billability.py with ServiceCode.units_for), so a note not yet billed has none here.
"""

import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncWeek

from accounts.models import User
from billing.models import ClaimLine
from notes.models import Modality, PlaceOfService, Service, SessionNote
from participants.models import Enrollment

from .census import program_caseload_assignments, program_notes, program_specialists

title = "Services"

ZERO = datetime.timedelta(0)


def _hours(duration: datetime.timedelta | None) -> str:
    return str((Decimal((duration or ZERO).total_seconds()) / 3600).quantize(Decimal("0.01")))


def _billed_units():
    lines = ClaimLine.objects.filter(note=OuterRef("pk"), voided=False).order_by().values("note")
    units = lines.annotate(total=Sum("units")).values("total")
    return Coalesce(Subquery(units, output_field=IntegerField()), Value(0))


def _figures():
    return {
        "sessions": Count("pk"),
        "participants": Count("participant_id", distinct=True),
        "time": Sum(ExpressionWrapper(F("end_time") - F("start_time"), output_field=DurationField())),
        "units": Sum("billed_units"),
    }


def _rows(notes, field: str, labels: dict) -> list[list]:
    rows = notes.values(field).annotate(**_figures()).order_by(field)
    table = [
        [labels.get(r[field], r[field] or "Not given"), r["sessions"], r["participants"], _hours(r["time"])]
        + [r["units"] or 0]
        for r in rows
    ]
    return sorted(table, key=lambda row: (-row[1], str(row[0])))


def _table(heading: str, rows: list[list], totals: dict) -> dict:
    return {
        "title": f"Services by {heading.lower()}",
        "columns": [heading, "Sessions", "Participants", "Hours", "Units on claims"],
        "kinds": ["text", "int", "int", "decimal", "int"],
        "rows": rows,
        "total": ["Total", totals["sessions"], totals["participants"], _hours(totals["time"]), totals["units"] or 0],
    }


def _weeks(notes, start: datetime.date, end: datetime.date) -> dict:
    monday = start - datetime.timedelta(days=start.weekday())
    mondays = []
    while monday <= end:
        mondays.append(monday)
        monday += datetime.timedelta(days=7)
    counted = notes.annotate(week=TruncWeek("date")).values("week").annotate(n=Count("pk")).order_by("week")
    by_week = {_as_date(r["week"]): r["n"] for r in counted}
    return {
        "id": "services-by-week",
        "title": "Sessions by week",
        "type": "bar",
        "labels": [f"{m:%b} {m.day}" for m in mondays],
        "series": [{"label": "Sessions", "values": [by_week.get(m, 0) for m in mondays]}],
    }


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _contacted_in_time(program, end: datetime.date) -> Exists:
    """The row's participant had a contact in the program's contact_frequency_days up to `end`.
    A contact is any note that is not a draft, as notes.selectors.last_contacts counts it; the
    window's edge follows participants.selectors.contact_is_overdue: a contact exactly N days
    before is still in time. Counted as of `end`, so a later contact does not change a past report."""
    since = end - datetime.timedelta(days=program.contact_frequency_days)
    contact = SessionNote.objects.filter(participant=OuterRef("participant_id"), date__gte=since, date__lte=end)
    return Exists(contact.exclude(status__in=SessionNote.UNSIGNED))


def _share(contacted: int, active: int) -> str | None:
    return str((Decimal(100 * contacted) / active).quantize(Decimal("0.1"))) if active else None


def _contact_share(program, end: datetime.date) -> tuple[int, int]:
    """(contacted, active): participants enrolled in the program on `end`, and those of them contacted in time."""
    active = Enrollment.objects.filter(program=program).in_force_on(end)
    figures = active.aggregate(
        active=Count("participant_id", distinct=True),
        contacted=Count("participant_id", distinct=True, filter=Q(_contacted_in_time(program, end))),
    )
    return figures["contacted"], figures["active"]


def _contact_by_specialist(program, end: datetime.date) -> dict:
    """Each program specialist's caseload on `end` in this program (census.caseloads_on's rule)
    and how many of them were contacted in time."""
    specialists = program_specialists(program)
    counted = {
        row["specialist_id"]: row
        for row in program_caseload_assignments(program, [pk for pk, _ in specialists], end)
        .values("specialist_id")
        .annotate(
            caseload=Count("participant_id", distinct=True),
            contacted=Count("participant_id", distinct=True, filter=Q(_contacted_in_time(program, end))),
        )
    }
    rows = []
    for pk, name in specialists:
        row = counted.get(pk, {"caseload": 0, "contacted": 0})
        rows.append([name, row["caseload"], row["contacted"], _share(row["contacted"], row["caseload"])])
    return {
        "title": f"Contact in time per specialist on {end.isoformat()}",
        "columns": ["Specialist", "Caseload", "Contacted in time", "Share"],
        "kinds": ["text", "int", "int", "percent"],
        "rows": rows,
    }


def section(program, start, end) -> dict:
    notes = program_notes(program, start, end).annotate(billed_units=_billed_units())
    totals = notes.aggregate(**_figures(), groups=Count("group_id", distinct=True))
    # Every author of the period's notes, on the program's staff or not (a specialist moved on).
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=notes.values("author_id"))}
    kind = {True: "Group", False: "Individual"}
    group_rows = _rows(notes.annotate(is_group=Q(group__isnull=False)), "is_group", kind)
    contacted, active = _contact_share(program, end)
    share = _share(contacted, active)
    return {
        "title": title,
        "numbers": [
            {"label": "Sessions", "value": totals["sessions"], "unit": ""},
            {"label": "Hours", "value": _hours(totals["time"]), "unit": "h"},
            {"label": "Units on claims", "value": totals["units"] or 0, "unit": ""},
            {"label": "Group sessions held", "value": totals["groups"], "unit": ""},
            {"label": f"Contacted within {program.contact_frequency_days} days", "value": share, "unit": "%"},
            {"label": "Active participants contacted in time", "value": contacted, "unit": ""},
            {"label": f"Active on {end.isoformat()}", "value": active, "unit": ""},
        ],
        "tables": [
            _table("Service", _rows(notes, "service", dict(Service.choices)), totals),
            _table("Modality", _rows(notes, "modality", dict(Modality.choices)), totals),
            _table("Place of service", _rows(notes, "place_of_service", dict(PlaceOfService.choices)), totals),
            _table("Specialist", _rows(notes, "author_id", names), totals),
            _table("Kind", group_rows, totals),
            _contact_by_specialist(program, end),
        ],
        "charts": [_weeks(notes, start, end)],
        "notes": [
            "Sessions are signed session notes dated in the period within an enrollment in this program; a "
            "group session counts once for each attendee, and its hours once for each attendee.",
            "Units on claims are those of live claim lines for these notes, in batches sent or not yet sent "
            "(the Billing section counts only what was sent); notes not yet on a claim add none.",
            "Group sessions held counts distinct groups with at least one attendee from this program.",
            f"Contacted in time: participants enrolled on {end.isoformat()} with a session note (not a draft) "
            f"in the {program.contact_frequency_days} days up to that day.",
        ],
    }
