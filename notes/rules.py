"""The rules a session note must meet before it is signed, as messages a person can act on.

Kept apart from the model because they read other records (enrollments, the caseload, the
author's other notes) and only apply at submission: drafts may be incomplete.
"""

import datetime

from django.utils import timezone

from participants.models import Enrollment
from participants.selectors import caseload_assignments

from .models import MAX_SESSION_MINUTES, MIN_SESSION_MINUTES, ServiceType, SessionNote

ATTESTATION = (
    "I attest that I delivered this service as described, on the date and at the times shown, "
    "and that this note is accurate and complete."
)
COSIGN_ATTESTATION = (
    "I have reviewed this note and attest that the service was delivered under my supervision as documented."
)

REQUIRED = {
    "date": "the date",
    "start_time": "the start time",
    "end_time": "the end time",
    "modality": "how the session happened",
    "place_of_service": "the place of service",
    "service_types": "at least one service type",
    "intervention": "what was done",
    "response": "the participant's response",
    "next_steps": "the next steps",
}


def _time(value: datetime.time) -> str:
    return value.strftime("%I:%M %p").lstrip("0")


def _day(value: datetime.date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def submission_errors(note: SessionNote, *, participant_id: int, author_id: int, group_id: int | None = None) -> dict:
    """Field -> message for every rule the note breaks. Empty when it may be signed."""
    errors = {}
    for field, label in REQUIRED.items():
        if not getattr(note, field):
            errors[field] = f"Add {label} before submitting."
    if any(code not in ServiceType.values for code in note.service_types):
        errors["service_types"] = "Choose service types from the list."
    if note.start_time and note.end_time:
        minutes = note.duration_minutes
        if minutes <= 0:
            errors["end_time"] = "The end time must be after the start time."
        elif not MIN_SESSION_MINUTES <= minutes <= MAX_SESSION_MINUTES:
            errors["end_time"] = "A session lasts between 1 minute and 8 hours."
    if note.date:
        in_group = group_id is not None or note.group_id is not None
        errors |= _date_errors(note.date, participant_id=participant_id, author_id=author_id, in_group=in_group)
    if not errors:
        overlap = overlapping_note(note, author_id=author_id, group_id=group_id)
        if overlap is not None:
            errors["start_time"] = (
                f"This overlaps your note for {overlap.participant} on {_day(overlap.date)} from "
                f"{_time(overlap.start_time)} to {_time(overlap.end_time)}. Check the times."
            )
    return errors


def _date_errors(day: datetime.date, *, participant_id: int, author_id: int, in_group: bool = False) -> dict:
    if day > timezone.localdate():
        return {"date": "A session can't be dated in the future."}
    enrollments = Enrollment.objects.filter(participant_id=participant_id)
    if not enrollments.in_force_on(day).exists():
        first = enrollments.order_by("start_date").values_list("start_date", flat=True).first()
        if first and day < first:
            return {"date": f"This date is before the participant's enrollment began ({_day(first)})."}
        return {"date": "The participant was not enrolled in a program on this date."}
    if caseload_assignments([author_id], on=day).filter(participant_id=participant_id).exists():
        return {}
    # A group's facilitator may also have led people from the programs they work in (as
    # participants.access.group_attendees lets them list today), on the session's day.
    if in_group and enrollments.in_force_on(day).filter(program__staff__user_id=author_id).exists():
        return {}
    if in_group:
        return {"date": "The participant was neither on your caseload nor in a program you work in on this date."}
    return {"date": "The participant was not on your caseload on this date."}


def overlapping_note(note: SessionNote, *, author_id: int, group_id: int | None) -> SessionNote | None:
    """Another signed or pending note of the same author whose time meets this one's.
    A group's attendees share one time slot, so notes of the same group never clash."""
    others = (
        SessionNote.objects.filter(author_id=author_id, date=note.date)
        .exclude(status__in=SessionNote.UNSIGNED)
        .filter(start_time__lt=note.end_time, end_time__gt=note.start_time)
        .select_related("participant")
    )
    if note.pk:
        others = others.exclude(pk=note.pk)
    if group_id:
        others = others.exclude(group_id=group_id)
    return others.first()
