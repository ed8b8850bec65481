"""Documentation: how promptly the program's notes were signed and co-signed, what still waits
at the period's end, and what supervisors returned.

Notes belong to the program when their session falls within an enrollment in it
(census.in_program_on_note_day). Each figure is dated by its own event: a note signed in the
period counts as signed whatever its session's day, a co-signature by its day, a return by the
day of the return (NoteEvent history).
"""

import datetime
import statistics
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Aggregate, Count, Exists, F, FloatField, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from audit.sql import DaysBetween
from notes.models import NoteEvent, SessionNote

from .census import in_program_on_note_day

title = "Documentation"

_SIGNED = [status for status in SessionNote.Status if status not in SessionNote.UNSIGNED]
_MAY_HAVE_WAITED = (SessionNote.Status.SUBMITTED, SessionNote.Status.RETURNED, SessionNote.Status.COSIGNED)


class Median(Aggregate):
    """PostgreSQL's median: the continuous 50th percentile of the expression."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def median_days(queryset, expression, **aggregates) -> tuple[Decimal | None, dict]:
    """The median of `expression` (whole days) over `queryset`, to one decimal (None when
    empty), and `aggregates` over the same rows, in one pass over them on PostgreSQL.

    PostgreSQL computes it in the database. SQLite (make run's demo database) has no
    percentile function, so there the day differences are read and the median taken in
    Python: the querysets here are bounded by the period, so that stays small.
    """
    if connection.vendor == "postgresql":
        others = queryset.aggregate(median=Median(expression), **aggregates)
        value = others.pop("median")
    else:
        # percentile_cont skips NULLs; so does this.
        days = [d for d in queryset.annotate(_days=expression).values_list("_days", flat=True) if d is not None]
        value = statistics.median(days) if days else None
        others = queryset.aggregate(**aggregates) if aggregates else {}
    if value is None:
        return None, others
    return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP), others


def _day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[first instant of `start`, first instant after `end`) in the agency's time zone."""
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    after = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    return first, after


def _shown(days: Decimal | None) -> str | None:
    return None if days is None else str(days)


def section(program, start, end) -> dict:
    first, after = _day_bounds(start, end)
    notes = SessionNote.objects.filter(in_program_on_note_day(program)).order_by()
    # Every status but draft, named so the (status, signed_at) index answers the period.
    signed = notes.filter(status__in=_SIGNED, signed_at__gte=first, signed_at__lt=after)
    cosigned = notes.filter(cosigned_at__gte=first, cosigned_at__lt=after)
    # Each median with its counts: one read of the period's signed notes, one of the co-signed.
    to_sign, counts = median_days(
        signed,
        DaysBetween(F("date"), TruncDate("signed_at")),
        signed=Count("pk"),
        final=Count("pk", filter=Q(status=SessionNote.Status.FINAL)),
    )
    to_cosign, cosigned_counts = median_days(
        cosigned, DaysBetween(TruncDate("signed_at"), TruncDate("cosigned_at")), n=Count("pk")
    )
    cosigned_count = cosigned_counts["n"]
    # Waiting at the period's end: the note's last event up to then was its submission. The
    # history decides rather than today's status, so a report of a past month stays true.
    last_event = NoteEvent.objects.filter(note=OuterRef("pk"), at__lt=after).order_by("-at", "-pk")
    submitted = last_event.filter(action=NoteEvent.Action.SUBMITTED)
    last_was_submission = Q(last_action=NoteEvent.Action.SUBMITTED)
    waiting = (
        # Only notes that could still be waiting (final notes never needed a co-signature),
        # submitted before the period ended: read from the events, since signed_at holds only
        # the latest signature, which a note returned after the period and signed again moved.
        notes.filter(status__in=_MAY_HAVE_WAITED)
        .filter(Exists(submitted), Q(cosigned_at__isnull=True) | Q(cosigned_at__gte=after))
        # The last event is read once the program's notes are found, in the count's filter,
        # not in WHERE, where PostgreSQL ran it on every candidate note of every program. When
        # it is the submission, its time is the time the note has been waiting since.
        .annotate(last_action=Subquery(last_event.values("action")[:1]), since=Subquery(last_event.values("at")[:1]))
        .aggregate(
            n=Count("pk", filter=last_was_submission),
            oldest=Count("pk", filter=last_was_submission & Q(since__lt=after - datetime.timedelta(days=7))),
        )
    )
    returns = NoteEvent.objects.filter(
        action=NoteEvent.Action.RETURNED, at__gte=first, at__lt=after, note__in=notes.values("pk")
    ).aggregate(returns=Count("pk"), notes=Count("note_id", distinct=True))
    return {
        "title": title,
        "numbers": [
            {"label": "Notes signed", "value": counts["signed"], "unit": ""},
            {"label": "Notes co-signed", "value": cosigned_count, "unit": ""},
            {"label": "Signed as final (no co-signature required)", "value": counts["final"], "unit": ""},
            {"label": "Median days from session to signature", "value": _shown(to_sign), "unit": "days"},
            {"label": "Median days from signature to co-signature", "value": _shown(to_cosign), "unit": "days"},
            {"label": f"Waiting for co-signature on {end.isoformat()}", "value": waiting["n"], "unit": ""},
            {"label": "Of those, waiting more than 7 days", "value": waiting["oldest"], "unit": ""},
            {"label": "Notes returned", "value": returns["notes"], "unit": ""},
            {"label": "Returns", "value": returns["returns"], "unit": ""},
        ],
        "tables": [],
        "charts": [],
        "notes": [
            "Signed: notes whose author signed them in the period (a note signed again after a return counts "
            "once, on its latest signature). Co-signed: notes co-signed in the period.",
            "Days are calendar days in the agency's time zone: session day to signature day, and signature day "
            "to co-signature day.",
            "Waiting: notes whose last step by the period's end was their submission for co-signature.",
            "Returned: notes a supervisor returned to their author in the period; returns counts each time.",
        ],
    }
