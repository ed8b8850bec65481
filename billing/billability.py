"""Is a signed session note ready to bill, and if not, why not?

Every rule is checked on the note's date of service and every failure is kept, in words a
billing clerk can act on, with a link to where it is fixed. Notes are assessed in date order
so that daily caps, rolling caps and authorizations (billing/caps.py) are consumed in the
order the services happened. The whole assessment uses a fixed number of queries, whatever
the number of notes or of claim lines billed before.
"""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from notes.models import SessionNote

from . import collector
from .assessment import GRANT, HOLD, READY, Assessment
from .billability_load import BILLABLE_STATUSES, load
from .billability_rules import TELEHEALTH_MODIFIER, check, time_text
from .caps import CapLedger

# Importable from here, as before the rules and the loading had modules of their own.
__all__ = ["BILLABLE_STATUSES", "HOLD", "READY", "TELEHEALTH_MODIFIER", "assess", "billable_notes"]


def billable_notes() -> QuerySet[SessionNote]:
    """Signed notes not on a live claim line, nor voided with "do not rebill", nor decided
    "not billed" as a duplicate: what the note's stored mark says (billing/marks.py keeps it
    with every write of those rows), read from its partial index (notes_awaiting_billing_idx)."""
    return SessionNote.objects.filter(status__in=BILLABLE_STATUSES, billing_closed=False)


def assess(
    notes: QuerySet[SessionNote], *, today: datetime.date | None = None, correction: bool = False
) -> list[Assessment]:
    # Every note is kept until the end: the collector's full passes over the growing heap, which
    # frees nothing here, took a quarter of the time of assessing 164,000 notes.
    with collector.paused():
        return _assess(notes, today or timezone.localdate(), correction)


def _assess(notes: QuerySet[SessionNote], today: datetime.date, correction: bool) -> list[Assessment]:
    notes, loaded = load(notes)
    if not notes:
        return []

    results = []
    adjudications, overlapping = loaded.adjudications, loaded.overlapping
    for note in notes:
        pk = note.id  # not `pk`, a property that looks the field up (issue 16)
        a = Assessment(note=note, assessed_on=today, correction=correction, adjudication=adjudications.get(pk))
        check(a, note, today, loaded)
        # Only notes that have duplicates are in `overlapping` (billability_load._overlapping).
        if pk in overlapping and a.status != GRANT:
            a.duplicates = overlapping[pk]
            for other in a.duplicates:
                a.hold(
                    f"Possible duplicate service: {other.author}'s note for {note.participant} from "
                    f"{time_text(other.start_time)} to {time_text(other.end_time)} overlaps this one. "
                    "Decide which one is billed.",
                    kind="duplicate",
                )
        results.append(a)
    # Caps and authorizations, in date order, for the notes every other rule lets through.
    consuming = [a for a in results if a.code and not a.reasons and a.status != GRANT]
    ledger = CapLedger(consuming, list(loaded.codes.values()))
    for a in consuming:
        ledger.consume(a)
    for a in results:
        if a.status != GRANT:
            a.status = HOLD if a.reasons else READY
    return results
