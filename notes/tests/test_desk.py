"""My notes (tabs, search, reasons, times) and the co-sign queue (filters, paging, the next
note after a review)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from notes.models import NoteEvent, SessionNote
from participants.tests.factories import days_ago, enrolled_participant
from programs.tests.factories import ProgramFactory, StaffProfileFactory

from .factories import GroupSessionFactory, SessionNoteFactory

S = SessionNote.Status


def note(author, person, status=S.DRAFT, **fields):
    if status != S.DRAFT:
        fields.setdefault("signed_at", timezone.now())
    return SessionNoteFactory(author=author, participant=person, status=status, **fields)


@pytest.fixture
def desk(peer, person):
    """One note of `peer` in each state."""
    return {status: note(peer, person, status) for status in S.values}


def listed(response) -> set[int]:
    return {n.pk for n in response.context["page"].object_list}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tab", "statuses"),
    [
        ("drafts", [S.DRAFT]),
        ("returned", [S.RETURNED]),
        ("waiting", [S.SUBMITTED]),
        ("signed", [S.COSIGNED, S.FINAL]),
        ("this_week", []),  # co-signed, but without a co-signature time this week
        ("all", [s for s in S.values if s != S.DISCARDED]),  # a discarded draft is off the desk
        ("open", [S.DRAFT, S.RETURNED, S.SUBMITTED]),
        ("nonsense", [S.DRAFT, S.RETURNED, S.SUBMITTED]),  # an unknown tab falls back to the open notes
    ],
)
def test_each_tab_of_my_notes_lists_exactly_its_states(client, peer, team, desk, tab, statuses):
    note(team["other_peer"], enrolled_participant(team["other_peer"]), S.DRAFT)  # never someone else's
    client.force_login(peer)
    response = client.get(reverse("notes:my_notes"), {"tab": tab})
    assert response.status_code == 200
    assert listed(response) == {desk[s].pk for s in statuses}


@pytest.mark.django_db
def test_each_count_on_the_peers_home_opens_the_notes_it_counted(client, peer, desk, person):
    note(peer, person, S.DRAFT)
    SessionNote.objects.filter(pk=desk[S.COSIGNED].pk).update(cosigned_at=timezone.now())
    note(peer, person, S.COSIGNED, cosigned_at=timezone.now() - timezone.timedelta(days=8))  # not this week
    client.force_login(peer)
    home = client.get(reverse("home_peer"))
    body = home.content.decode()
    for tab in ("drafts", "returned", "waiting", "this_week"):
        url = f"{reverse('notes:my_notes')}?tab={tab}"
        assert f'href="{url}"' in body, tab
        assert len(listed(client.get(url))) == home.context["notes"][tab]
    assert home.context["notes"]["drafts"] == 2 and home.context["notes"]["this_week"] == 1


@pytest.mark.django_db
def test_my_notes_searches_name_group_topic_and_text(client, peer, person, program):
    other = enrolled_participant(peer, program=program, started_days_ago=30, first_name="Ana", last_name="Beltran")
    by_name = note(peer, other)
    by_text = note(peer, person, intervention="Practised the bus route to the food bank.")
    group = GroupSessionFactory(facilitator=peer, topic="Coping with holidays")
    by_topic = note(peer, person, group=group, intervention="x")
    client.force_login(peer)
    url = reverse("notes:my_notes")
    assert listed(client.get(url, {"q": "beltran"})) == {by_name.pk}
    assert listed(client.get(url, {"q": "food bank"})) == {by_text.pk}
    response = client.get(url, {"q": "holidays"})
    assert listed(response) == {by_topic.pk}
    assert "Group: Coping with holidays" in response.content.decode()
    assert "No note matches" in client.get(url, {"q": "zzz-nothing"}).content.decode()
    assert client.get(url, {"q": "x" * 500}).status_code == 200  # too long: ignored, not a 500


@pytest.mark.django_db
def test_a_returned_note_shows_the_reason_and_a_draft_its_times(client, peer, supervisor, person):
    returned = note(peer, person, S.RETURNED)
    NoteEvent.objects.create(note=returned, action=NoteEvent.Action.RETURNED, actor=supervisor, comment="Old reason")
    NoteEvent.objects.create(note=returned, action=NoteEvent.Action.RETURNED, actor=supervisor, comment="Add her words")
    draft = note(peer, person)
    client.force_login(peer)
    body = client.get(reverse("notes:my_notes"), {"tab": "open"}).content.decode()
    assert "Add her words" in body and "Old reason" not in body
    assert f"Started {timezone.localtime(draft.created_at):%b} " in body and "last saved" in body


@pytest.mark.django_db
def test_my_notes_is_for_specialists(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("notes:my_notes")).status_code == 403


@pytest.mark.django_db
def test_my_notes_is_paged_and_its_query_count_does_not_grow(client, peer, person, supervisor):
    def fill(count):
        for _ in range(count):
            returned = note(peer, person, S.RETURNED)
            NoteEvent.objects.create(note=returned, action=NoteEvent.Action.RETURNED, actor=supervisor, comment="Why")

    fill(3)
    client.force_login(peer)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("notes:my_notes"), {"tab": "all"})
    fill(60)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("notes:my_notes"), {"tab": "all", "page": 2})
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(response.context["page"].object_list) == 25 and response.context["page"].paginator.count == 63
    assert "tab=all&amp;page=3" in response.content.decode()


# --- The co-sign queue --------------------------------------------------------------------


@pytest.fixture
def second_peer(agency, supervisor):
    user = UserFactory(email="quinn.peer@example.org", role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=user, agency=agency, supervisor=supervisor)
    return user


@pytest.fixture
def queue(peer, second_peer, person, program, agency):
    """Three waiting notes, oldest first: the peer's in `program`, the second peer's in
    another program, the peer's in `program`."""
    other_program = ProgramFactory(agency=agency, name="Youth")
    peer.staff_profile.programs.add(program)
    second_peer.staff_profile.programs.add(other_program)
    theirs = enrolled_participant(second_peer, program=other_program, started_days_ago=30)
    now = timezone.now()
    return [
        note(peer, person, S.SUBMITTED, signed_at=now - timezone.timedelta(days=3), date=days_ago(3)),
        note(second_peer, theirs, S.SUBMITTED, signed_at=now - timezone.timedelta(days=2), date=days_ago(2)),
        note(peer, person, S.SUBMITTED, signed_at=now - timezone.timedelta(days=1), date=days_ago(1)),
    ], other_program


def queue_ids(response) -> list[int]:
    return [n.pk for n, _days in response.context["rows"]]


@pytest.mark.django_db
def test_the_queue_filters_by_specialist_and_program(client, supervisor, peer, second_peer, queue, program):
    notes, other_program = queue
    client.force_login(supervisor)
    url = reverse("notes:note_queue")
    assert queue_ids(client.get(url)) == [n.pk for n in notes]
    assert queue_ids(client.get(url, {"specialist": second_peer.pk})) == [notes[1].pk]
    assert queue_ids(client.get(url, {"program": program.pk})) == [notes[0].pk, notes[2].pk]
    assert queue_ids(client.get(url, {"program": other_program.pk, "specialist": peer.pk})) == []
    body = client.get(url, {"specialist": peer.pk}).content.decode()
    assert f'href="{reverse("notes:note_detail", args=[notes[0].pk])}?specialist={peer.pk}"' in body


@pytest.mark.django_db
def test_the_queue_offers_only_the_supervisors_own_team(client, supervisor, team, queue):
    client.force_login(supervisor)
    response = client.get(reverse("notes:note_queue"), {"specialist": team["other_peer"].pk})
    assert response.status_code == 200 and response.context["rows"] == []
    assert "Choose one of the specialists you supervise." in response.content.decode()
    choices = {c.pk for c in response.context["form"].fields["specialist"].queryset}
    assert team["other_peer"].pk not in choices
    client.force_login(team["other_supervisor"])
    assert client.get(reverse("notes:note_queue")).context["rows"] == []


@pytest.mark.django_db
def test_the_queue_is_paged_and_its_query_count_does_not_grow(client, supervisor, peer, person, program):
    peer.staff_profile.programs.add(program)

    def fill(count):
        for _ in range(count):
            note(peer, person, S.SUBMITTED)

    fill(2)
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("notes:note_queue"), {"program": program.pk})
    fill(60)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("notes:note_queue"), {"program": program.pk, "page": 2})
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(response.context["rows"]) == 25 and response.context["page"].paginator.count == 62
    assert f"program={program.pk}&amp;page=3" in response.content.decode()


@pytest.mark.django_db
def test_after_a_review_the_next_note_of_the_filtered_queue_opens(client, supervisor, peer, queue):
    notes, _ = queue
    client.force_login(supervisor)
    detail = client.get(reverse("notes:note_detail", args=[notes[0].pk]), {"specialist": peer.pk})
    review_url = f"{reverse('notes:note_review', args=[notes[0].pk])}?specialist={peer.pk}"
    assert f'action="{review_url}"' in detail.content.decode()
    response = client.post(review_url, {"decision": "cosign", "attest": "1"})
    # The second peer's note is older than notes[2], but it is filtered out.
    assert response["Location"] == f"{reverse('notes:note_detail', args=[notes[2].pk])}?specialist={peer.pk}"
    review_url = f"{reverse('notes:note_review', args=[notes[2].pk])}?specialist={peer.pk}"
    response = client.post(review_url, {"decision": "return", "comment": "Add the goal."})
    assert response["Location"] == f"{reverse('notes:note_queue')}?specialist={peer.pk}"
    assert "Nothing left to review" in client.get(response["Location"]).content.decode()
    notes[2].refresh_from_db()
    assert notes[2].status == S.RETURNED


@pytest.mark.django_db
def test_a_refused_review_keeps_the_queues_filters_for_the_next_one(client, supervisor, peer, queue):
    notes, _ = queue
    client.force_login(supervisor)
    review_url = f"{reverse('notes:note_review', args=[notes[0].pk])}?specialist={peer.pk}"
    for refused in ({"decision": "cosign"}, {"decision": "return", "comment": "x" * 3000}):
        response = client.post(review_url, refused)  # no attestation; a reason too long
        assert response["Location"] == f"{reverse('notes:note_detail', args=[notes[0].pk])}?specialist={peer.pk}"
    response = client.post(review_url, {"decision": "cosign", "attest": "1"})
    assert response["Location"] == f"{reverse('notes:note_detail', args=[notes[2].pk])}?specialist={peer.pk}"


@pytest.mark.django_db
def test_after_the_last_review_the_queue_says_nothing_is_left(client, supervisor, peer, person):
    waiting = note(peer, person, S.SUBMITTED)
    client.force_login(supervisor)
    response = client.post(reverse("notes:note_review", args=[waiting.pk]), {"decision": "cosign", "attest": "1"})
    assert response["Location"] == reverse("notes:note_queue")
    assert "Nothing left to review" in client.get(reverse("notes:note_queue")).content.decode()
    assert client.get(reverse("notes:note_review", args=[waiting.pk])).status_code == 405


@pytest.mark.django_db
def test_the_queue_is_for_supervisors(client, peer):
    client.force_login(peer)
    assert client.get(reverse("notes:note_queue")).status_code == 403
