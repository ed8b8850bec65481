"""The participant's timeline is shown a page at a time, reading only the notes that reach
the end of the page asked for (issue 16, point 5)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notes.models import SessionNote
from participants.tests.factories import days_ago
from participants.views import TIMELINE_PAGE_SIZE

from .factories import SessionNoteFactory, SignedNoteFactory


def history(person, peer, notes: int) -> None:
    for n in range(notes):
        SignedNoteFactory(participant=person, author=peer, date=days_ago(n % 25), start_time=f"{8 + n % 10}:00")


def page(client, person, number=None):
    params = {"timeline_page": number} if number else {}
    return client.get(reverse("participants:detail", args=[person.pk]), params)


@pytest.mark.django_db
def test_a_long_timeline_has_a_second_page_and_every_event_once(signed_in_peer, peer, person):
    history(person, peer, 40)
    SessionNoteFactory(participant=person, author=peer, status=SessionNote.Status.DISCARDED)  # never shown
    first = page(signed_in_peer, person).context["timeline"]
    # 40 notes, the enrollment and the caseload assignment.
    assert first.paginator.count == 42 and len(first.object_list) == TIMELINE_PAGE_SIZE
    body = page(signed_in_peer, person).content.decode()
    assert "timeline_page=2" in body and "1–25 of 42" in body
    second = page(signed_in_peer, person, 2).context["timeline"]
    assert len(second.object_list) == 42 - TIMELINE_PAGE_SIZE
    shown = list(first.object_list) + list(second.object_list)
    assert [e.on for e in shown] == sorted((e.on for e in shown), reverse=True)
    assert len({(e.on, e.title, e.url) for e in shown}) == 42


@pytest.mark.django_db
def test_the_first_page_reads_no_more_notes_than_it_shows(signed_in_peer, peer, person):
    history(person, peer, 60)
    with CaptureQueriesContext(connection) as queries:
        page(signed_in_peer, person)
    note_reads = [q["sql"] for q in queries.captured_queries if 'FROM "participants_sessionnote"' in q["sql"]]
    assert any(f"LIMIT {TIMELINE_PAGE_SIZE}" in sql for sql in note_reads), note_reads


@pytest.mark.django_db
def test_the_timeline_reads_no_narrative(signed_in_peer, peer, person):
    """A timeline row shows the session's kind, author and status: its notes are read without
    their narrative, and nothing is read again note by note."""
    history(person, peer, 3)
    with CaptureQueriesContext(connection) as read:
        body = page(signed_in_peer, person).content.decode()
    assert body.count(f"with {peer}") == 3
    notes = [q["sql"] for q in read.captured_queries if 'FROM "participants_sessionnote"' in q["sql"]]
    read_rows = [sql for sql in notes if not sql.startswith("SELECT COUNT(")]
    assert len(read_rows) == 1, read_rows
    assert '"intervention"' not in read_rows[0] and '"next_steps"' not in read_rows[0]
