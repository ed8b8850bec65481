"""One service is billed once: notes for the same participant at overlapping times are held
until billing staff decide which one stands."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from audit.context import AuditContext
from audit.models import AuditEvent
from billing import billability_load, marks, services
from billing.assessment import HOLD, READY
from billing.billability import assess, billable_notes
from billing.models import DuplicateDecision
from notes.models import SessionNote
from notes.tests.factories import signed_note

from .factories import bill, days_ago, make_author


@pytest.fixture
def handover(agency, author, person):
    """On a handover day both specialists wrote a note for Rosa, for overlapping times."""
    successor = make_author(agency, first_name="Jo", last_name="Reyes")
    mine = signed_note(person, author, day=days_ago(4), start="10:00", end="10:45")
    theirs = signed_note(person, successor, day=days_ago(4), start="10:30", end="11:15")
    return mine, theirs


def by_note(assessments):
    return {a.note: a for a in assessments}


@pytest.mark.django_db
def test_two_specialists_notes_for_the_same_time_are_both_held(handover, person):
    mine, theirs = handover
    results = by_note(assess(billable_notes()))
    assert results[mine].status == results[theirs].status == HOLD
    assert results[mine].duplicates == [theirs] and results[theirs].duplicates == [mine]
    [reason] = results[mine].reasons
    assert reason.text == (
        f"Possible duplicate service: Jo Reyes's note for {person} from 10:30 AM to 11:15 AM overlaps this one. "
        "Decide which one is billed."
    )


@pytest.mark.django_db
def test_sessions_that_only_touch_are_not_duplicates(agency, author, person):
    successor = make_author(agency, first_name="Jo", last_name="Reyes")
    signed_note(person, author, day=days_ago(4), start="10:00", end="10:45")
    signed_note(person, successor, day=days_ago(4), start="10:45", end="11:15")
    assert [a.status for a in assess(billable_notes())] == [READY, READY]


@pytest.mark.django_db
def test_a_note_s_duplicates_are_the_notes_that_overlap_it_not_those_that_overlap_each_other(agency, author, person):
    """The database narrows the candidates to notes overlapping some other note; the overlap with
    the note assessed is still what decides, and its duplicates keep the notes' order (latest first)."""
    jo, sam = (
        make_author(agency, first_name="Jo", last_name="Reyes"),
        make_author(agency, first_name="Sam", last_name="Ito"),
    )
    day = days_ago(4)
    mine = signed_note(person, author, day=day, start="10:00", end="11:00")
    early = signed_note(person, jo, day=day, start="10:15", end="10:40")
    late = signed_note(person, sam, day=day, start="10:30", end="11:15")
    afternoon = [signed_note(person, who, day=day, start=start, end=end) for who, start, end in
                 ((jo, "13:00", "14:00"), (sam, "13:30", "14:30"))]  # fmt: skip
    signed_note(person, author, day=day, start="11:15", end="12:00")  # touches late's end only
    [a] = assess(billable_notes().filter(pk=mine.pk))
    assert a.duplicates == [late, early]
    results = by_note(assess(billable_notes()))
    assert results[afternoon[0]].duplicates == [afternoon[1]] and results[afternoon[1]].duplicates == [afternoon[0]]
    assert results[early].duplicates == [late, mine]
    assert results[late].duplicates == [early, mine]


@pytest.mark.django_db
def test_assessing_many_notes_finds_duplicates_among_the_days_with_two_notes_only(agency, author, person, monkeypatch):
    """Past FEW_NOTES the candidates are narrowed first to the participant-days holding two
    notes or more, of any status (issue 16: the candidates' query had hashed the whole notes
    table); a window's assessment finds the same duplicates without that step."""
    jo = make_author(agency, first_name="Jo", last_name="Reyes")
    day, alone, drafted = days_ago(4), days_ago(5), days_ago(6)
    signed_note(person, author, day=day, start="10:00", end="11:00")
    signed_note(person, jo, day=day, start="10:30", end="11:15")
    signed_note(person, jo, day=day, start="11:15", end="12:00")  # touches, does not overlap
    signed_note(person, author, day=alone)
    with_draft = signed_note(person, author, day=drafted)
    SessionNote.objects.filter(pk=signed_note(person, jo, day=drafted).pk).update(status=SessionNote.Status.DRAFT)

    def duplicates():
        return {a.note.pk: [d.pk for d in a.duplicates] for a in assess(billable_notes())}

    window = duplicates()
    monkeypatch.setattr(billability_load, "FEW_NOTES", 0)
    assert duplicates() == window and sum(map(bool, window.values())) == 2 and with_draft.pk in window
    days = {day, alone, drafted}
    assert billability_load._shared_days({person.pk}, days) == ({person.pk}, {day, drafted})
    assert billability_load._shared_days({person.pk}, {alone}) == (set(), set())


@pytest.mark.django_db
def test_a_decision_bills_the_note_that_stands_and_never_the_other(handover, payer, billing_user):
    mine, theirs = handover
    decision = services.duplicate_decide(stands=mine, not_billed=theirs, ctx=AuditContext(billing_user))
    [a] = assess(billable_notes())
    assert (a.note, a.status) == (mine, READY)
    with pytest.raises(ValidationError, match="None of the chosen notes is ready"):
        bill(payer, [theirs], by=billing_user)
    event = AuditEvent.objects.get(target_type="billing.duplicatedecision", target_id=str(decision.pk))
    assert event.actor == billing_user and event.details == {"stands": mine.pk, "not_billed": theirs.pk}


@pytest.mark.django_db
def test_a_note_already_billed_is_held_against_and_cannot_be_decided_away(handover, payer, billing_user):
    mine, theirs = handover
    services.duplicate_decide(stands=mine, not_billed=theirs, ctx=AuditContext(billing_user))
    bill(payer, [mine], by=billing_user)
    with pytest.raises(ValidationError, match="already decided"):
        services.duplicate_decide(stands=theirs, not_billed=mine, ctx=AuditContext(billing_user))
    DuplicateDecision.objects.all().delete()  # as if nobody had decided before billing `mine`
    marks.refresh([theirs.pk])  # as a service changing decisions would
    [a] = assess(billable_notes())
    assert (a.note, a.status, a.duplicates) == (theirs, HOLD, [mine])
    with pytest.raises(ValidationError, match="already on a claim. Void that claim first."):
        services.duplicate_decide(stands=theirs, not_billed=mine, ctx=AuditContext(billing_user))


@pytest.mark.django_db
def test_only_overlapping_notes_of_one_participant_can_be_decided(handover, author, payer, program, billing_user):
    mine, _ = handover
    later = signed_note(mine.participant, author, day=days_ago(4), start="12:00", end="12:30")
    with pytest.raises(ValidationError, match="not for the same participant at overlapping times"):
        services.duplicate_decide(stands=mine, not_billed=later, ctx=AuditContext(billing_user))


@pytest.mark.django_db
def test_billing_staff_decide_from_the_work_page(client, handover, billing_user):
    mine, theirs = handover
    client.force_login(billing_user)
    page = client.get(reverse("billing:work")).content.decode()
    url = reverse("billing:duplicate_decide", args=[mine.pk])
    assert f'action="{url}"' in page and "Bill this note, not Jo Reyes's" in page
    assert client.get(url).status_code == 405
    assert client.post(url, {"other": "999999", "stands": "this"}).status_code == 404
    response = client.post(url, {"other": theirs.pk, "stands": "other"}, follow=True)
    assert "Jo Reyes&#x27;s note stands; Pat Nguyen&#x27;s note will not be billed." in response.content.decode()
    decision = DuplicateDecision.objects.get()
    assert (decision.stands, decision.not_billed, decision.decided_by) == (theirs, mine, billing_user)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PEER_SPECIALIST, Role.SUPERVISOR])
def test_nobody_else_decides(client, handover, role):
    mine, theirs = handover
    client.force_login(UserFactory(role=role))
    url = reverse("billing:duplicate_decide", args=[mine.pk])
    assert client.post(url, {"other": theirs.pk, "stands": "this"}).status_code == 403
    assert not DuplicateDecision.objects.exists()
