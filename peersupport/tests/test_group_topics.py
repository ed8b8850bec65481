"""Wherever a group note is listed, its group's topic is shown: "Group: <topic>"."""

import pytest
from django.urls import reverse

from notes.models import SessionNote
from notes.tests.factories import group_data

TOPIC = "Group: Coping with stress"


@pytest.fixture
def group_note(client, peer, participant):
    client.force_login(peer)
    assert client.post(reverse("group_new"), group_data([participant], topic="Coping with stress")).status_code == 302
    client.logout()
    return SessionNote.objects.get(participant=participant)


PAGES = {
    "my notes": ("peer", lambda note: reverse("notes:my_notes")),
    "the co-sign queue": ("supervisor", lambda note: reverse("notes:note_queue")),
    "the participant's timeline": ("peer", lambda note: reverse("participants:detail", args=[note.participant_id])),
    "the note's page": ("supervisor", lambda note: reverse("notes:note_detail", args=[note.pk])),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(PAGES))
def test_a_group_note_shows_its_topic(client, request, group_note, page):
    who, url = PAGES[page]
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(group_note))
    assert response.status_code == 200
    assert TOPIC in response.content.decode()
