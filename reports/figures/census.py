"""Census: who the program served, who was enrolled, and how full the specialists' caseloads were.

"Served" is defined here once for the report: a participant is served in a period when a
session note dated in the period is signed (waiting for co-signature, co-signed, or final
without one) and falls within the participant's enrollment in this program. Drafts and
returned notes record no service yet. The services section takes its notes from
`program_notes` below, and documentation its program rule from `in_program_on_note_day`, so
the sections count the same notes.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q

from accounts.roles import Role
from notes.models import SessionNote
from participants.models import Enrollment
from participants.selectors import caseload_assignments
from programs.models import StaffProfile

title = "Census"

# A note records a service once its author signs it; returned notes wait for a new signature.
SERVED_STATUSES = (SessionNote.Status.SUBMITTED, SessionNote.Status.COSIGNED, SessionNote.Status.FINAL)


def in_program_on_note_day(program):
    """The note's participant was enrolled in `program` on the session's day."""
    enrolled = Enrollment.objects.filter(participant=OuterRef("participant_id"), program=program)
    enrolled = enrolled.filter(start_date__lte=OuterRef("date"))
    return Exists(enrolled.filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("date"))))


def program_notes(program, start: datetime.date, end: datetime.date):
    """The program's served notes of the period: signed, dated in [start, end], within an enrollment."""
    # Through the participants enrolled during the period: the (participant, date) index then
    # reads only their notes of the period, whatever the size of the notes' history.
    enrolled = Enrollment.objects.filter(program=program).overlapping(start, end).values("participant_id")
    notes = SessionNote.objects.filter(participant_id__in=enrolled, date__gte=start, date__lte=end)
    return notes.filter(in_program_on_note_day(program), status__in=SERVED_STATUSES).order_by()


def specialist_profiles(program):
    """The staff profiles of the program's active peer specialists."""
    profiles = StaffProfile.objects.filter(programs=program, is_active=True, user__groups__name=Role.PEER_SPECIALIST)
    return profiles.distinct()


def program_specialists(program) -> list[tuple[int, str]]:
    """(user id, name) of the program's active peer specialists, by name."""
    profiles = specialist_profiles(program).select_related("user")
    return [(p.user_id, str(p.user)) for p in profiles.order_by("user__last_name", "user__first_name", "pk")]


def program_caseload_assignments(program, specialist_ids, day: datetime.date):
    """The specialists' caseload assignments on `day` whose participant is enrolled in `program`
    that day: participants.selectors.caseload_assignments (the one caseload rule), kept to the program."""
    here = Enrollment.objects.filter(participant=OuterRef("participant_id"), program=program).in_force_on(day)
    return caseload_assignments(specialist_ids, on=day).filter(Exists(here)).order_by()


def caseloads_on(program, specialist_ids: list[int], day: datetime.date) -> dict[int, int]:
    """specialist id -> the size of their caseload in `program` on `day`."""
    rows = program_caseload_assignments(program, specialist_ids, day).values("specialist_id")
    return {row["specialist_id"]: row["n"] for row in rows.annotate(n=Count("participant_id", distinct=True))}


def _enrolled_on(day: datetime.date):
    # InForceQuerySet.in_force_on's condition, as an aggregate's filter.
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def section(program, start, end) -> dict:
    served = program_notes(program, start, end).aggregate(n=Count("participant_id", distinct=True))["n"]
    enrollments = Enrollment.objects.filter(program=program).overlapping(start, end)
    counts = enrollments.aggregate(
        at_start=Count("participant_id", distinct=True, filter=_enrolled_on(start)),
        at_end=Count("participant_id", distinct=True, filter=_enrolled_on(end)),
        new=Count("pk", filter=Q(start_date__gte=start)),
    )
    reasons = dict(Enrollment.DischargeReason.choices)
    discharged = (
        enrollments.filter(end_date__gte=start, end_date__lte=end)
        .values("discharge_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "discharge_reason")
    )
    discharge_rows = [[reasons.get(r["discharge_reason"], "Not given"), r["n"]] for r in discharged]
    specialists = program_specialists(program)
    loads = caseloads_on(program, [pk for pk, _ in specialists], end)
    target = program.target_caseload
    caseload_rows = [[name, loads.get(pk, 0), target] for pk, name in specialists]
    total_load = sum(loads.get(pk, 0) for pk, _ in specialists)
    average = None  # no specialists: no average, rather than a zero
    if specialists:
        average = str((Decimal(total_load) / len(specialists)).quantize(Decimal("0.1"), ROUND_HALF_UP))
    return {
        "title": title,
        "numbers": [
            {"label": "Participants served", "value": served, "unit": ""},
            {"label": f"Active on {start.isoformat()}", "value": counts["at_start"], "unit": ""},
            {"label": f"Active on {end.isoformat()}", "value": counts["at_end"], "unit": ""},
            {"label": "New enrollments", "value": counts["new"], "unit": ""},
            {"label": "Discharges", "value": sum(r[1] for r in discharge_rows), "unit": ""},
            {"label": "Average caseload per specialist", "value": average, "unit": ""},
            {"label": "Target caseload", "value": target, "unit": ""},
        ],
        "tables": [
            {
                "title": "Discharges by reason",
                "columns": ["Reason", "Participants"],
                "kinds": ["text", "int"],
                "rows": discharge_rows,
                "total": ["Total", sum(r[1] for r in discharge_rows)],
            },
            {
                "title": f"Caseload per specialist on {end.isoformat()}",
                "columns": ["Specialist", "Caseload", "Target"],
                "kinds": ["text", "int", "int"],
                "rows": caseload_rows,
                "total": ["Total", total_load, target * len(specialists)],
            },
        ],
        "charts": [
            {
                "id": "caseload-against-target",
                "title": "Caseload against target",
                "type": "bar",
                "labels": [name for _, name in specialists],
                "series": [
                    {"label": "Caseload", "values": [row[1] for row in caseload_rows]},
                    {"label": "Target", "values": [target] * len(specialists), "type": "line"},
                ],
            }
        ],
        "notes": [
            "A participant is served when a session note dated in the period is signed (co-signed, final, "
            "or waiting for co-signature) and falls within their enrollment in this program.",
            "Active: enrolled in the program on that day. New enrollments start in the period; discharges end in it.",
            "Caseloads are counted on the period's last day: participants assigned to the specialist and "
            "enrolled in this program that day. The average is over the program's active peer specialists, "
            "including those with no caseload.",
        ],
    }
