"""A group's attendees may come from any program the facilitator works in, not only their
caseload: found by name, added as rows, accepted on posting; anyone else is refused."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from billing.models import ServiceCode
from billing.tests.factories import ensure_reference_codes
from notes.forms import GROUP_ATTENDEE_REFUSED
from notes.models import SessionNote
from notes.tests.factories import group_data
from participants.models import Goal
from participants.tests.factories import PlanFactory, enrolled_participant
from programs.tests.factories import ProgramFactory

SEARCH = reverse("group_attendee_search")
ROWS = reverse("group_attendee_rows")
GROUP = reverse("group_new")


@pytest.fixture
def shared(peer, team, program):
    """`peer` works in `program`; Lena is on the other peer's caseload there, with a plan goal;
    Marla Lenz is on the other peer's caseload in a program `peer` does not work in."""
    peer.staff_profile.programs.add(program)
    lena = enrolled_participant(team["other_peer"], program=program, first_name="Lena", last_name="Marsh")
    plan = PlanFactory(participant=lena)
    goal = Goal.objects.create(
        plan=plan, description="Ride the bus alone", objectives="Practise", target_date=plan.started_on
    )
    elsewhere = ProgramFactory(agency=program.agency, name="Youth Bridge")
    marla = enrolled_participant(team["other_peer"], program=elsewhere, first_name="Marla", last_name="Lenz")
    own = enrolled_participant(peer, program=program, first_name="Omar", last_name="Diaz")
    return {"lena": lena, "goal": goal, "marla": marla, "own": own}


def _with_rows(data: dict, *people) -> dict:
    return {**data, "row": [p.pk for p in people]}


@pytest.mark.django_db
def test_the_search_finds_people_in_my_programs_beyond_my_caseload(client, peer, shared):
    client.force_login(peer)
    body = client.get(SEARCH, {"q": "len"}).content.decode()
    assert "Lena Marsh" in body
    assert "Peer Bridger" in body  # the program they share
    assert "Lenz" not in body  # her program is not one of mine
    assert 'hx-get="' + ROWS + f"?id={shared['lena'].pk}" in body
    # Already on the form: not offered again.
    assert "Marsh" not in client.get(SEARCH, {"q": "len", "row": [shared["lena"].pk]}).content.decode()
    assert "at least 2 letters" in client.get(SEARCH, {"q": "l"}).content.decode()
    assert "No one else in your programs matches" in client.get(SEARCH, {"q": "zzz"}).content.decode()


@pytest.mark.django_db
def test_a_row_is_added_with_the_attendees_active_goals(client, peer, shared):
    client.force_login(peer)
    response = client.get(ROWS, {"id": shared["lena"].pk})
    body = response.content.decode()
    assert response.status_code == 200
    lena = shared["lena"].pk
    assert f'name="attend-{lena}" id="attend-{lena}" value="1" checked' in body
    assert f'name="row" value="{lena}"' in body and f'name="note-{lena}"' in body
    assert "Ride the bus alone" in body
    assert 'hx-swap-oob="true"' in body  # the search's answers are cleared
    assert client.get(ROWS, {"id": shared["marla"].pk}).status_code == 404
    assert client.get(ROWS, {"id": "x"}).status_code == 404


@pytest.mark.django_db
def test_a_searched_attendee_gets_a_group_note_and_the_author_sees_only_that(client, peer, shared):
    lena, own = shared["lena"], shared["own"]
    client.force_login(peer)
    data = _with_rows(group_data([own, lena], topic="Coping with stress"), lena)
    data[f"goal-{lena.pk}"] = shared["goal"].pk
    response = client.post(GROUP, data)
    assert response.status_code == 302
    note = SessionNote.objects.get(participant=lena)
    assert note.author == peer and note.status == SessionNote.Status.SUBMITTED
    assert list(note.goals_addressed.all()) == [shared["goal"]]
    assert SessionNote.objects.filter(group=note.group).count() == 2
    # The author opens their note, not the person's record, and is not led to it.
    page = client.get(reverse("notes:note_detail", args=[note.pk])).content.decode()
    assert "Lena shared a strategy." in page
    assert reverse("participants:detail", args=[lena.pk]) not in page
    assert client.get(reverse("participants:detail", args=[lena.pk])).status_code == 404


@pytest.mark.django_db
def test_someone_outside_my_programs_is_refused_and_not_named(client, peer, shared):
    marla, own = shared["marla"], shared["own"]
    client.force_login(peer)
    response = client.post(GROUP, _with_rows(group_data([own, marla]), marla))
    body = response.content.decode()
    assert response.status_code == 400
    assert GROUP_ATTENDEE_REFUSED.split(",")[0] in body
    assert "Lenz" not in body and f"attend-{marla.pk}" not in body
    assert not SessionNote.objects.exists()
    # A made-up id is refused the same way.
    response = client.post(GROUP, group_data([own]) | {"attend-999999": "1", "note-999999": "x"})
    assert response.status_code == 400 and not SessionNote.objects.exists()


@pytest.mark.django_db
def test_a_refused_form_comes_back_with_its_searched_rows(client, peer, shared):
    lena, own = shared["lena"], shared["own"]
    client.force_login(peer)
    data = _with_rows(group_data([own, lena]), lena)
    data[f"note-{lena.pk}"] = ""  # sent from the phone's outbox without her note
    response = client.post(GROUP, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Write a short note for" in body
    assert f'name="attend-{lena.pk}" id="attend-{lena.pk}" value="1" checked' in body
    assert "Ride the bus alone" in body
    # An unticked searched row stays on the form too.
    data = _with_rows(group_data([own], action="draft", topic=""), lena)
    assert f'name="row" value="{lena.pk}"' in client.post(GROUP, data).content.decode()


@pytest.mark.django_db
def test_the_size_cap_counts_searched_attendees(client, peer, team, program, shared):
    ensure_reference_codes()
    ServiceCode.objects.filter(kind="group").update(max_group_size=12)
    mine = [shared["own"], *(enrolled_participant(peer, program=program) for _ in range(5))]
    theirs = [shared["lena"], *(enrolled_participant(team["other_peer"], program=program) for _ in range(6))]
    client.force_login(peer)
    response = client.post(GROUP, _with_rows(group_data(mine + theirs), *theirs))
    assert response.status_code == 400
    assert "at most 12 attendees; you chose 13" in response.content.decode()
    assert not SessionNote.objects.exists()
    response = client.post(GROUP, _with_rows(group_data(mine + theirs[:-1]), *theirs))
    assert response.status_code == 302 and SessionNote.objects.count() == 12


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.BILLING, Role.PROGRAM_ADMIN])
def test_only_a_peer_specialist_searches_for_attendees(client, role_users, shared, role):
    client.force_login(role_users[role])
    assert client.get(SEARCH, {"q": "len"}).status_code == 403
    assert client.get(ROWS, {"id": shared["lena"].pk}).status_code == 403


@pytest.mark.django_db
def test_the_search_and_rows_answer_get_only(client, peer, shared):
    client.force_login(peer)
    assert client.post(SEARCH, {"q": "len"}).status_code == 405
    assert client.post(ROWS, {"id": shared["lena"].pk}).status_code == 405


@pytest.mark.django_db
def test_a_peer_outside_the_program_finds_no_one_there(client, team, shared):
    other_program_peer = team["other_peer"]  # Lena's own specialist, in no program by their profile
    client.force_login(other_program_peer)
    body = client.get(SEARCH, {"q": "omar"}).content.decode()
    assert "Diaz" not in body  # Omar is in Peer Bridger, which this peer does not work in
    assert client.get(ROWS, {"id": shared["own"].pk}).status_code == 404
    assert "Marsh" in client.get(SEARCH, {"q": "lena"}).content.decode()  # on their caseload


@pytest.mark.django_db
def test_the_search_takes_the_same_queries_for_few_and_many(
    client, peer, team, program, shared, django_assert_max_num_queries
):
    client.force_login(peer)
    client.get(SEARCH, {"q": "len"})  # the session and the user, loaded once
    with django_assert_max_num_queries(12) as few:
        assert client.get(SEARCH, {"q": "mar"}).status_code == 200
    for n in range(40):
        enrolled_participant(team["other_peer"], program=program, first_name=f"Mara{n}", last_name="Marsh")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(SEARCH, {"q": "mar"}).content.decode()
    assert body.count("Add<span") == 10  # bounded


# Lena's group note, written by `peer` who leads the group but does not serve her:
# who opens the note, who reads its narrative, who is led to (and may open) her record.
MATRIX = {
    # who: (note page, narrative shown, link to her record, her record page)
    "author": (200, True, False, 404),
    "her_specialist": (200, True, True, 200),
    "authors_supervisor": (200, True, False, 404),
    "her_specialists_supervisor": (200, True, True, 200),
    "billing": (200, False, True, 200),
    "admin": (200, True, True, 200),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(MATRIX))
def test_who_sees_a_group_note_written_for_another_caseload(client, peer, team, supervisor, role_users, shared, who):
    lena = shared["lena"]
    client.force_login(peer)
    client.post(GROUP, _with_rows(group_data([lena]), lena))
    note = SessionNote.objects.get(participant=lena)
    people = {
        "author": peer,
        "her_specialist": team["other_peer"],
        "authors_supervisor": supervisor,
        "her_specialists_supervisor": team["other_supervisor"],
        "billing": role_users[Role.BILLING],
        "admin": role_users[Role.PROGRAM_ADMIN],
    }
    client.force_login(people[who])
    page, narrative, link, record = MATRIX[who]
    response = client.get(reverse("notes:note_detail", args=[note.pk]))
    assert response.status_code == page
    body = response.content.decode()
    assert ("Lena shared a strategy." in body) == narrative
    assert (reverse("participants:detail", args=[lena.pk]) in body) == link
    assert client.get(reverse("participants:detail", args=[lena.pk])).status_code == record


@pytest.mark.django_db
def test_a_group_draft_for_someone_from_a_shared_program_autosaves_and_discards(client, peer, shared):
    client.force_login(peer)
    data = _with_rows(group_data([shared["lena"]], action="draft"), shared["lena"])
    assert client.post(reverse("group_new"), data).status_code == 302
    note = SessionNote.objects.get(participant=shared["lena"])
    autosave = reverse("notes:note_autosave", args=[shared["lena"].pk])
    response = client.post(autosave, {"note_id": note.pk, "version": note.version, "intervention": "Rode together."})
    assert response.status_code == 200 and "Saved on the server" in response.content.decode()
    note.refresh_from_db()
    assert note.intervention == "Rode together."
    # With no note of theirs to point at, her record is still not the peer's to write in.
    assert client.post(autosave, {"intervention": "A new note"}).status_code == 404
    response = client.post(reverse("notes:note_discard", args=[note.pk]))
    assert response["Location"] == reverse("notes:my_notes") + "?tab=drafts"
