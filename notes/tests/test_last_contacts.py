"""A caseload's last contacts come from one top entry per participant of an index, not from
every note of every participant, and are the same days as before (issue 16, point 2)."""

import pytest
from django.db import connection
from django.db.models import Max, Q

from notes.models import CONTACT, SessionNote
from notes.selectors import last_contact_rows, last_contacts
from participants.tests.factories import ParticipantFactory, days_ago

from .factories import SessionNoteFactory

_S = SessionNote.Status


def max_over_every_note(ids):
    """The computation this replaced, kept here to compare against."""
    rows = (
        SessionNote.objects.filter(participant_id__in=ids)
        .exclude(status__in=SessionNote.UNSIGNED)
        .values("participant_id")
        .annotate(last=Max("date"))
        .values_list("participant_id", "last")
    )
    return {pk: last for pk, last in rows if last is not None}


def test_the_index_condition_is_the_rule_for_unsigned_notes():
    signed_and_dated = ~Q(status__in=list(SessionNote.UNSIGNED)) & Q(date__isnull=False)
    assert signed_and_dated == CONTACT


@pytest.mark.django_db
def test_the_last_contacts_are_the_days_the_old_computation_gave(peer):
    only_drafts, nothing, mixed, returned_latest, discarded_latest = ParticipantFactory.create_batch(5)
    SessionNoteFactory(participant=only_drafts, author=peer, date=days_ago(1))
    SessionNoteFactory(participant=only_drafts, author=peer, date=None)
    for status, days in [(_S.COSIGNED, 30), (_S.FINAL, 20), (_S.SUBMITTED, 9), (_S.DRAFT, 2), (_S.DISCARDED, 1)]:
        SessionNoteFactory(participant=mixed, author=peer, status=status, date=days_ago(days))
    SessionNoteFactory(participant=returned_latest, author=peer, status=_S.COSIGNED, date=days_ago(12))
    SessionNoteFactory(participant=returned_latest, author=peer, status=_S.RETURNED, date=days_ago(4))
    SessionNoteFactory(participant=discarded_latest, author=peer, status=_S.FINAL, date=days_ago(15))
    SessionNoteFactory(participant=discarded_latest, author=peer, status=_S.DISCARDED, date=days_ago(3))
    SessionNoteFactory(author=peer, status=_S.COSIGNED, date=days_ago(0))  # someone not asked about

    ids = [only_drafts.pk, nothing.pk, mixed.pk, returned_latest.pk, discarded_latest.pk]
    assert last_contacts(ids) == max_over_every_note(ids)
    assert last_contacts(ids) == {
        mixed.pk: days_ago(9),
        returned_latest.pk: days_ago(4),
        discarded_latest.pk: days_ago(15),
    }
    assert last_contacts([]) == {}


@pytest.mark.django_db
def test_each_last_contact_is_read_from_the_top_of_the_index(peer):
    """With a history of thousands of notes and fresh statistics the planner picks the
    index by itself: no planner settings are changed."""
    people = ParticipantFactory.create_batch(20)
    template = SessionNoteFactory.build(participant=people[0], author=peer)
    fields = {f.attname: getattr(template, f.attname) for f in SessionNote._meta.concrete_fields if not f.primary_key}
    notes = []
    for person in people:
        for n in range(200):
            status = _S.DRAFT if n % 10 == 0 else _S.COSIGNED
            notes.append(SessionNote(**{**fields, "participant_id": person.pk, "status": status, "date": days_ago(n)}))
    SessionNote.objects.bulk_create(notes)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SessionNote._meta.db_table}")

    ids = [p.pk for p in people[:5]]
    plan = last_contact_rows(ids).explain()
    assert "notes_last_contact_idx" in plan, plan
    assert last_contacts(ids) == max_over_every_note(ids) == {pk: days_ago(1) for pk in ids}
