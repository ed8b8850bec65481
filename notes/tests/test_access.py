"""Who may open and act on a session note, in each of its states."""

import pytest
from django.urls import reverse

from notes.models import SessionNote
from participants.tests.factories import enrolled_participant

from .factories import note_data

WHO = ["author", "other_peer", "supervisor_of", "other_supervisor", "billing", "admin"]
NARRATIVE = "Engaged; made the call herself."


@pytest.fixture
def people(peer, team, supervisor, billing_user, admin_user):
    return {
        "author": peer,
        "other_peer": team["other_peer"],
        "supervisor_of": supervisor,
        "other_supervisor": team["other_supervisor"],
        "billing": billing_user,
        "admin": admin_user,
    }


def _note(client, peer, program, status: str) -> SessionNote:
    person = enrolled_participant(peer, program=program, started_days_ago=30)
    client.force_login(peer)
    action = {"action": "draft"} if status == "draft" else {"action": "submit", "attest": "1"}
    client.post(reverse("notes:note_new", args=[person.pk]), {**note_data(), **action})
    note = SessionNote.objects.get(participant=person)
    if status == "cosigned":
        SessionNote.objects.filter(pk=note.pk).update(status=SessionNote.Status.COSIGNED)
    client.logout()
    return note


DETAIL = {
    # status -> expected status code for each of WHO
    "draft": [200, 404, 404, 404, 404, 404],
    "submitted": [200, 404, 200, 404, 200, 200],
    "cosigned": [200, 404, 200, 404, 200, 200],
}


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(DETAIL))
@pytest.mark.parametrize("who", WHO)
def test_note_detail(client, people, peer, program, state, who):
    note = _note(client, peer, program, state)
    client.force_login(people[who])
    response = client.get(reverse("notes:note_detail", args=[note.pk]))
    assert response.status_code == DETAIL[state][WHO.index(who)]
    if response.status_code == 200:
        # Billing sees the facts of the service, never the narrative (minimum necessary).
        assert (NARRATIVE in response.content.decode()) == (who != "billing")


ACTIONS = {
    # (url name, method, state) -> expected for each of WHO
    # A role without the right is stopped at the door (403) before the note is looked up;
    # someone with the role but outside the note's scope is told nothing (404).
    ("note_edit", "get", "draft"): [200, 404, 403, 403, 403, 403],
    ("note_edit", "get", "submitted"): [403, 404, 403, 403, 403, 403],
    ("note_edit", "get", "cosigned"): [403, 404, 403, 403, 403, 403],
    ("note_review", "post", "submitted"): [403, 403, 302, 404, 403, 403],
    ("note_review", "get", "submitted"): [405, 405, 405, 405, 405, 405],
    ("note_addendum", "post", "cosigned"): [302, 404, 302, 404, 403, 403],
    ("note_addendum", "post", "submitted"): [403, 404, 403, 404, 403, 403],
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", WHO)
def test_note_actions(client, people, peer, program, action, who):
    name, method, state = action
    note = _note(client, peer, program, state)
    client.force_login(people[who])
    url = reverse(f"notes:{name}", args=[note.pk])
    data = {"decision": "cosign", "attest": "1", "text": "Late entry."}
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == ACTIONS[action][WHO.index(who)], f"{who}: {name} on a {state} note"


PAGES = {
    "notes:my_notes": [200, 200, 403, 403, 403, 403],
    "notes:note_queue": [403, 403, 200, 200, 403, 403],
    "group_new": [200, 200, 403, 403, 403, 403],
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("who", WHO)
def test_note_pages(client, people, page, who):
    client.force_login(people[who])
    assert client.get(reverse(page)).status_code == PAGES[page][WHO.index(who)]


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO)
def test_only_the_assigned_peer_starts_a_note(client, people, peer, program, who):
    person = enrolled_participant(peer, program=program, started_days_ago=30)
    client.force_login(people[who])
    expected = {"author": 200, "other_peer": 404}.get(who, 403)
    assert client.get(reverse("notes:note_new", args=[person.pk])).status_code == expected
