import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent
from notes import services
from notes.forms import GroupAttendeesForm
from notes.models import Addendum, GroupSession, NoteEvent, SessionNote
from participants.models import Goal
from participants.tests.factories import PlanFactory, days_ago, enrolled_participant

from .factories import group_data, note_data

TODAY = timezone.localdate()


def submit(client, participant, **overrides):
    data = {**note_data(**overrides), "action": "submit", "attest": "1"}
    return client.post(reverse("notes:note_new", args=[participant.pk]), data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "09:59"}, "The end time must be after the start time."),
        ({"end_time": "10:00"}, "The end time must be after the start time."),
        ({"start_time": "08:00", "end_time": "16:01"}, "A session lasts between 1 minute and 8 hours."),
        ({"date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "A session can&#x27;t be dated in the future."),
        ({"date": days_ago(31).isoformat()}, "before the participant&#x27;s enrollment began"),
        ({"intervention": ""}, "Add what was done before submitting."),
        ({"service_types": []}, "Add at least one service type before submitting."),
    ],
)
def test_each_rule_is_explained_and_nothing_is_signed(signed_in_peer, person, overrides, message):
    response = submit(signed_in_peer, person, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SessionNote.objects.exclude(status=SessionNote.Status.DRAFT).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), [("10:00", "10:01"), ("08:00", "16:00")])
def test_durations_at_the_limits_are_accepted(signed_in_peer, person, start, end):
    assert submit(signed_in_peer, person, start_time=start, end_time=end).status_code == 302


@pytest.mark.django_db
def test_a_date_before_the_participant_joined_the_caseload_is_refused(signed_in_peer, peer, person):
    person.assignments.update(started_on=days_ago(5))
    response = submit(signed_in_peer, person, date=days_ago(10).isoformat())
    assert "was not on your caseload on this date" in response.content.decode()


@pytest.mark.django_db
def test_two_notes_of_one_specialist_cannot_overlap(signed_in_peer, peer, program, person):
    other = enrolled_participant(peer, program=program, started_days_ago=30, first_name="Ana", last_name="Lopez")
    assert submit(signed_in_peer, person).status_code == 302
    response = submit(signed_in_peer, other, start_time="10:30", end_time="11:00")
    assert response.status_code == 400
    assert "overlaps your note for Rosa Quintero" in response.content.decode()
    assert submit(signed_in_peer, other, start_time="10:45", end_time="11:15").status_code == 302  # touching is fine


@pytest.mark.django_db
def test_a_group_makes_one_note_per_attendee_sharing_one_slot(signed_in_peer, peer, program, person):
    other = enrolled_participant(peer, program=program, started_days_ago=30)
    response = signed_in_peer.post(reverse("group_new"), group_data([person, other]))
    assert response.status_code == 302
    notes = SessionNote.objects.filter(group__topic="Coping with holidays")
    assert notes.count() == 2 and {n.status for n in notes} == {SessionNote.Status.SUBMITTED}
    assert {n.response for n in notes} == {
        f"{person.first_name} shared a strategy.",
        f"{other.first_name} shared a strategy.",
    }

    # An individual note inside the group's hour overlaps it.
    response = submit(signed_in_peer, person, start_time="13:30", end_time="13:50")
    assert response.status_code == 400 and "overlaps your note" in response.content.decode()


@pytest.mark.django_db
def test_a_group_overlapping_an_individual_note_is_refused_whole(signed_in_peer, peer, program, person):
    other = enrolled_participant(peer, program=program, started_days_ago=30)
    submit(signed_in_peer, person, start_time="13:15", end_time="13:45")
    response = signed_in_peer.post(reverse("group_new"), group_data([person, other]))
    assert response.status_code == 400 and "overlaps your note" in response.content.decode()
    assert not SessionNote.objects.filter(group__isnull=False).exists()


@pytest.mark.django_db
def test_each_attendees_note_names_the_plan_goal_it_served(signed_in_peer, peer, program, person):
    other = enrolled_participant(peer, program=program, started_days_ago=30)
    goal = Goal.objects.create(plan=PlanFactory(participant=person), description="Work", objectives="CV",
                               target_date=TODAY)  # fmt: skip
    theirs = Goal.objects.create(plan=PlanFactory(participant=other), description="Home", objectives="Apply",
                                 target_date=TODAY)  # fmt: skip
    page = signed_in_peer.get(reverse("group_new")).content.decode()
    assert f'<option value="{goal.pk}">Work</option>' in page
    response = signed_in_peer.post(
        reverse("group_new"), group_data([person, other], **{f"goal-{person.pk}": theirs.pk})
    )
    assert response.status_code == 400 and f"Choose one of {person}&#x27;s plan goals." in response.content.decode()
    response = signed_in_peer.post(reverse("group_new"), group_data([person, other], **{f"goal-{person.pk}": goal.pk}))
    assert response.status_code == 302
    assert list(SessionNote.objects.get(participant=person).goals_addressed.all()) == [goal]
    assert not SessionNote.objects.get(participant=other).goals_addressed.exists()


@pytest.mark.django_db
def test_a_group_refuses_the_same_attendee_twice(peer, program, person):
    other = enrolled_participant(peer, program=program, started_days_ago=30)
    group = GroupSession(topic="Coping", date=days_ago(1), start_time=datetime.time(13), end_time=datetime.time(14),
                         modality="in_person", place_of_service="53")  # fmt: skip
    with pytest.raises(ValidationError, match=f"{person} is listed twice. List each attendee once."):
        services.group_session_create(
            group=group, service_types=["support_group"], intervention="Talked.", next_steps="Next week.",
            attendees=[(person, "Shared.", []), (other, "Listened.", []), (person, "Again.", [])], max_size=12,
            submit=True, ctx=AuditContext(peer),
        )  # fmt: skip
    assert not SessionNote.objects.exists() and not GroupSession.objects.exists()


@pytest.mark.django_db
def test_a_group_has_at_most_twelve_attendees(signed_in_peer, peer, program):
    people = [enrolled_participant(peer, program=program, started_days_ago=30) for _ in range(13)]
    response = signed_in_peer.post(reverse("group_new"), group_data(people))
    assert response.status_code == 400 and "at most 12 attendees" in response.content.decode()
    assert not SessionNote.objects.exists()


@pytest.mark.django_db
def test_the_whole_cycle(client, peer, supervisor, person):
    client.force_login(peer)
    # Draft
    response = client.post(
        reverse("notes:note_new", args=[person.pk]), {**note_data(response="First words"), "action": "draft"}
    )
    note = SessionNote.objects.get()
    assert response.status_code == 302 and note.status == SessionNote.Status.DRAFT
    # Submit
    edit_url = reverse("notes:note_edit", args=[note.pk])
    client.post(edit_url, {**note_data(response="First words"), "version": 1, "action": "submit", "attest": "1"})
    note.refresh_from_db()
    assert note.status == SessionNote.Status.SUBMITTED and note.signature == peer.get_full_name() and note.signed_at
    # Return
    client.force_login(supervisor)
    review_url = reverse("notes:note_review", args=[note.pk])
    assert client.post(review_url, {"decision": "return", "comment": ""}).status_code == 302
    note.refresh_from_db()
    assert note.status == SessionNote.Status.SUBMITTED  # a return needs a comment
    client.post(review_url, {"decision": "return", "comment": "Add her own words."})
    note.refresh_from_db()
    assert note.status == SessionNote.Status.RETURNED
    # The author sees it, edits and resubmits
    client.force_login(peer)
    assert "1 returned to you" in client.get(reverse("home_peer")).content.decode()
    assert "Add her own words." in client.get(edit_url).content.decode()
    note.refresh_from_db()
    data = {**note_data(response="She said: 'I did it.'"), "version": note.version, "action": "submit", "attest": "1"}
    client.post(edit_url, data)
    note.refresh_from_db()
    assert note.status == SessionNote.Status.SUBMITTED
    # Co-sign
    client.force_login(supervisor)
    assert client.post(review_url, {"decision": "cosign"}).status_code == 302  # no attestation ticked
    note.refresh_from_db()
    assert note.status == SessionNote.Status.SUBMITTED
    client.post(review_url, {"decision": "cosign", "attest": "1"})
    note.refresh_from_db()
    assert (note.status, note.cosigned_by) == (SessionNote.Status.COSIGNED, supervisor)
    # Locked: no edit, even by the author; corrections are addenda
    client.force_login(peer)
    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, {**note_data(response="changed"), "action": "draft"}).status_code == 403
    client.post(reverse("notes:note_addendum", args=[note.pk]), {"text": "Late entry: she also called her sister."})
    note.refresh_from_db()
    assert note.response == "She said: 'I did it.'"
    assert Addendum.objects.get(note=note).author == peer
    body = client.get(reverse("notes:note_detail", args=[note.pk])).content.decode()
    assert "Late entry: she also called her sister." in body
    # The whole history, with the text as first submitted
    events = list(note.events.values_list("action", flat=True))
    assert events == ["submitted", "returned", "submitted", "cosigned"]
    assert note.events.first().snapshot["response"] == "First words"
    # Created, edited and submitted, returned, edited and resubmitted, co-signed, addendum: every
    # change of state, and every change to the draft, is audited.
    changes = AuditEvent.objects.filter(target_type="notes.sessionnote", target_id=str(note.pk))
    assert changes.exclude(action=AuditEvent.Action.VIEW).count() == 8


@pytest.mark.django_db
def test_a_specialist_without_cosignature_signs_final(signed_in_peer, peer, person):
    peer.staff_profile.requires_cosignature = False
    peer.staff_profile.save()
    submit(signed_in_peer, person)
    note = SessionNote.objects.get()
    assert note.status == SessionNote.Status.FINAL and note.is_locked
    assert note.events.get().action == NoteEvent.Action.FINALIZED


@pytest.mark.django_db
def test_submitting_needs_the_attestation(signed_in_peer, person):
    response = signed_in_peer.post(reverse("notes:note_new", args=[person.pk]), {**note_data(), "action": "submit"})
    assert response.status_code == 400 and "Tick the attestation" in response.content.decode()
    assert SessionNote.objects.get().status == SessionNote.Status.DRAFT


@pytest.mark.django_db
def test_autosave_creates_one_draft_and_keeps_updating_it(signed_in_peer, person):
    url = reverse("notes:note_autosave", args=[person.pk])
    first = signed_in_peer.post(url, {"intervention": "Half a sent"})
    note = SessionNote.objects.get()
    assert first.status_code == 200
    assert f'value="{note.pk}"' in first.content.decode() and "hx-swap-oob" in first.content.decode()
    assert first["HX-Replace-Url"] == reverse("notes:note_edit", args=[note.pk])
    second = signed_in_peer.post(url, {"note_id": note.pk, "version": 1, "intervention": "Half a sentence, then more"})
    assert 'name="version" id="note-version" value="2"' in second.content.decode()
    note.refresh_from_db()
    assert SessionNote.objects.count() == 1 and note.intervention == "Half a sentence, then more"
    bad = signed_in_peer.post(url, {"note_id": note.pk, "start_time": "25:99"})
    assert "Not saved to the server" in bad.content.decode()
    assert signed_in_peer.get(url).status_code == 405


@pytest.mark.django_db
def test_autosave_cannot_touch_someone_elses_or_a_signed_note(client, peer, team, person):
    client.force_login(peer)
    submit(client, person)
    note = SessionNote.objects.get()
    response = client.post(reverse("notes:note_autosave", args=[person.pk]), {"note_id": note.pk, "response": "x"})
    assert response.status_code == 403
    client.force_login(team["other_peer"])
    response = client.post(reverse("notes:note_autosave", args=[person.pk]), {"note_id": note.pk})
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.response == "Engaged; made the call herself."


@pytest.mark.django_db
def test_a_note_cannot_be_cosigned_by_its_author_or_a_non_supervisor(client, peer, supervisor, team, person):
    client.force_login(peer)
    submit(client, person)
    note = SessionNote.objects.get()
    review_url = reverse("notes:note_review", args=[note.pk])
    assert client.post(review_url, {"decision": "cosign", "attest": "1"}).status_code == 403  # the author (a peer)
    client.force_login(team["other_supervisor"])
    assert client.post(review_url, {"decision": "cosign", "attest": "1"}).status_code == 404  # not theirs to see
    note.refresh_from_db()
    assert note.status == SessionNote.Status.SUBMITTED


@pytest.mark.django_db
def test_a_supervisor_cannot_cosign_their_own_note(client, supervisor, team, program):
    supervisor.groups.add(*UserFactory(role=Role.PEER_SPECIALIST).groups.all())
    supervisor.staff_profile.supervisor = supervisor  # even if the data says they supervise themselves
    supervisor.staff_profile.save(update_fields=["supervisor"])
    person = enrolled_participant(supervisor, program=program, started_days_ago=30)
    client.force_login(supervisor)
    submit(client, person)
    note = SessionNote.objects.get()
    assert (
        client.post(reverse("notes:note_review", args=[note.pk]), {"decision": "cosign", "attest": "1"}).status_code
        == 403
    )
    note.refresh_from_db()
    assert note.status == SessionNote.Status.SUBMITTED


@pytest.mark.django_db
def test_the_queue_is_oldest_first_and_its_query_count_does_not_grow(
    client, supervisor, peer, program, person, django_assert_num_queries
):
    def fill(count, day_offset):
        for n in range(count):
            p = enrolled_participant(peer, program=program, started_days_ago=60)
            client.force_login(peer)
            submit(client, p, date=days_ago(day_offset + n).isoformat())

    fill(2, 1)
    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("notes:note_queue")).status_code == 200
    # Read the count now: the requests fill() makes reset Django's query log.
    queries_for_two = len(small.captured_queries)
    fill(20, 3)
    client.force_login(supervisor)
    with django_assert_num_queries(queries_for_two):
        response = client.get(reverse("notes:note_queue"))
    rows = response.context["rows"]
    assert len(rows) == 22
    signed = [note.signed_at for note, _days in rows]
    assert signed == sorted(signed)


@pytest.mark.parametrize(
    ("modality", "place", "warning"),
    [
        ("in_person", "99", ""),
        ("in_person", "10", "An in-person session can't be reported at a telehealth place of service (10)."),
        ("video", "10", ""),
        ("video", "02", ""),
        ("video", "12", "A video session is reported at place of service 02 or 10 (telehealth), not 12."),
        ("audio_only", "99", "An audio-only session is reported at place of service 02 or 10 (telehealth), not 99."),
        ("phone", "10", ""),
    ],
)
@pytest.mark.django_db
def test_the_editor_warns_when_modality_and_place_disagree(signed_in_peer, person, modality, place, warning):
    data = {**note_data(modality=modality, place_of_service=place), "note_id": ""}
    status = signed_in_peer.post(reverse("notes:note_autosave", args=[person.pk]), data).content.decode()
    note = SessionNote.objects.get()
    assert note.place_warning == warning
    page = signed_in_peer.get(reverse("notes:note_edit", args=[note.pk])).content.decode()
    if warning:
        assert "Check the place of service" in status and "Check the place of service" in page
    else:
        assert "Check the place of service" not in status + page


@pytest.mark.django_db
def test_an_unsent_group_form_builds_no_fields_per_row(peer, program, person):
    """Its rows are written by hand from rows() (issue 16: three fields for each of 50 rows
    were a fifth of the page); a sent form checks every row it brought."""
    other = enrolled_participant(peer, program=program, started_days_ago=30)
    unsent = GroupAttendeesForm(caseload=[person, other])
    assert set(unsent.fields) == {"action", "attest", "client_key"}
    assert [row[0] for row in unsent.rows()] == [person, other]
    sent = GroupAttendeesForm({f"attend-{other.pk}": "1", f"goal-{other.pk}": "7"}, caseload=[person, other])
    assert not sent.is_valid()
    assert f"goal-{other.pk}" in sent.errors and f"attend-{person.pk}" in sent.fields
