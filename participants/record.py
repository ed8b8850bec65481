"""The few rows of a participant's page, read once each: enrollments, coverage, assignments
and consents. The page's lists, its timeline and the apps' sections all read them through
`participant.<relation>.all()`, which then asks the database nothing.

Each is a `Prepared` query (audit/prepared.py), compiled once per process: prefetching wrote
the SQL of four small queries on every view of the page, the commonest page of the load bench
after autosave (issue 16). The rows are then put where prefetch_related puts them, each with
its participant set, as prefetching does for a reverse foreign key."""

from audit.prepared import Prepared, Slot

from .models import CaseloadAssignment, Consent, Coverage, Enrollment, Participant


def _of_participant(model, *related: str) -> Prepared:
    """The participant's rows of `model` in its own ordering, with `related` joined."""
    return Prepared(lambda: model.objects.select_related(*related).filter(participant_id=Slot("participant")))


# related name -> its rows, as the page reads them
_RECORD = {
    "enrollments": _of_participant(Enrollment, "program"),
    "coverages": _of_participant(Coverage, "payer"),
    "assignments": _of_participant(CaseloadAssignment, "specialist", "assigned_by"),
    "consents": _of_participant(Consent, "recipient_payer"),
}


def with_record(participant: Participant) -> Participant:
    """The participant with its page's rows read, once each (four queries)."""
    kept = participant.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in _RECORD.items():
        found = rows(participant=participant.pk)
        for row in found:
            row.participant = participant
        queryset = getattr(participant, name).all()
        queryset._result_cache, queryset._prefetch_done = found, True
        kept[name] = queryset
    return participant
