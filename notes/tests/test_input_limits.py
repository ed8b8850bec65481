"""Free text and dates in notes: limits with a message, NUL refused, nothing partial saved."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.inputs import COMMENT_MAX, NARRATIVE_MAX
from notes.models import Addendum, SessionNote

from .factories import SessionNoteFactory, note_data, signed_note

HUGE = "x" * 100_000


@pytest.fixture
def client_500(peer):
    # A 500 is a status to assert on here, not an exception to stop the test.
    client = Client(raise_request_exception=False)
    client.force_login(peer)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"intervention": HUGE}, f"at most {NARRATIVE_MAX} characters"),
        ({"response": "x" * (NARRATIVE_MAX + 1)}, f"at most {NARRATIVE_MAX} characters"),
        ({"date": "0001-01-01"}, "before 1900"),
        ({"date": "9999-12-31"}, "10 years ahead"),
        ({"next_steps": "call\x00back"}, "Null characters are not allowed"),
    ],
)
def test_a_note_with_a_huge_text_or_an_implausible_date_is_not_saved(client_500, person, change, message):
    response = client_500.post(reverse("notes:note_new", args=[person.pk]), {**note_data(**change), "action": "draft"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SessionNote.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [("late\x00entry", "Null characters are not allowed"), (HUGE, f"at most {NARRATIVE_MAX:,} characters")],
)
def test_an_addendum_with_nul_or_too_long_is_refused_with_a_message(client_500, peer, person, text, message):
    note = signed_note(person, peer)
    response = client_500.post(reverse("notes:note_addendum", args=[note.pk]), {"text": text}, follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Addendum.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("comment", "message"),
    [("fix\x00this", "Null characters are not allowed"), (HUGE, f"Keep the comment to {COMMENT_MAX:,} characters")],
)
def test_a_review_comment_with_nul_or_too_long_returns_nothing(client_500, supervisor, peer, person, comment, message):
    note = SessionNoteFactory(participant=person, author=peer, status=SessionNote.Status.SUBMITTED)
    client_500.force_login(supervisor)
    url = reverse("notes:note_review", args=[note.pk])
    response = client_500.post(url, {"decision": "return", "comment": comment}, follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    note.refresh_from_db()
    assert note.status == SessionNote.Status.SUBMITTED and not note.events.exists()


@pytest.mark.django_db
def test_a_narrative_is_held_to_its_limit_outside_a_form_too(peer, person):
    """Services call full_clean(): a task or a command can't store what the form refuses."""
    from django.core.exceptions import ValidationError

    note = SessionNoteFactory.build(participant=person, author=peer, intervention=HUGE, response="a\x00b")
    with pytest.raises(ValidationError) as caught:
        note.full_clean()
    assert {"intervention", "response"} <= set(caught.value.message_dict)
