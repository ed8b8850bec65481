"""The supervisor's desk on a phone: a home count opens the participants behind it, the
queue filtered by specialist leads from one note to the next, and training is recorded
for a supervisee."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from notes.models import SessionNote
from notes.tests.factories import SessionNoteFactory
from participants.tests.factories import days_ago, enrolled_participant
from programs.models import TrainingRecord
from programs.tests.factories import AgencyFactory, ProgramFactory, StaffProfileFactory

from .helpers import assert_accessible, assert_fits_the_screen, sign_in


def waiting(author, person, days):
    return SessionNoteFactory(
        author=author,
        participant=person,
        status=SessionNote.Status.SUBMITTED,
        date=days_ago(days),
        signed_at=timezone.now() - timezone.timedelta(days=days),
    )


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_works_the_desk_on_a_phone(phone):
    agency = AgencyFactory()
    program = ProgramFactory(agency=agency, name="Peer Bridger")
    supervisor = UserFactory(email="sam@example.org", first_name="Sam", last_name="Ortiz", role=Role.SUPERVISOR)
    pat = UserFactory(email="pat@example.org", first_name="Pat", last_name="Nguyen", role=Role.PEER_SPECIALIST)
    jo = UserFactory(email="jo@example.org", first_name="Jo", last_name="Lee", role=Role.PEER_SPECIALIST)
    profiles = {}
    for peer in (pat, jo):
        profiles[peer] = StaffProfileFactory(user=peer, agency=agency, supervisor=supervisor)
        profiles[peer].programs.add(program)
    rosa = enrolled_participant(pat, program=program, first_name="Rosa", last_name="Quintero", started_days_ago=20)
    ana = enrolled_participant(pat, program=program, first_name="Ana", last_name="Beltran", started_days_ago=20)
    eli = enrolled_participant(jo, program=program, first_name="Eli", last_name="Park", started_days_ago=20)
    first, _, second = waiting(pat, rosa, 3), waiting(jo, eli, 2), waiting(pat, ana, 1)

    sign_in(phone, "sam@example.org")
    # Home: the plan reviews count opens the participants behind it (none has a plan yet;
    # their notes waiting for co-signature count as contacts, so none is overdue for one).
    expect(phone.get_by_role("link", name="0 overdue contacts")).to_be_visible()
    phone.get_by_role("link", name="3 plan reviews due").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Team participants")
    expect(phone.get_by_text("Showing only: plan review due")).to_be_visible()
    for name in ("Rosa Quintero", "Ana Beltran", "Eli Park"):
        expect(phone.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    # The queue, filtered to Pat's notes: co-sign one, and Pat's next note opens.
    phone.goto("/")
    phone.get_by_role("link", name="Open the queue").click()
    phone.get_by_label("Specialist").select_option(label="Pat Nguyen")
    phone.get_by_role("button", name="Apply").click()
    expect(phone.get_by_role("link", name="Eli Park")).to_have_count(0)
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="Rosa Quintero").click()
    phone.get_by_label("I have reviewed this note").check()
    phone.get_by_role("button", name="Co-sign").click()
    expect(phone.get_by_text("Note co-signed. It is now locked.")).to_be_visible()
    expect(phone).to_have_url(f"{phone.url.split('/notes/')[0]}/notes/{second.pk}/?specialist={pat.pk}")
    phone.get_by_label("Or return it to Pat Nguyen with a comment").fill("Add the goal it served.")
    phone.get_by_role("button", name="Return to author").click()
    expect(phone.get_by_text("Nothing left to review with these filters.")).to_be_visible()
    expect(phone.get_by_label("Specialist")).to_have_value(str(pat.pk))
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (SessionNote.Status.COSIGNED, SessionNote.Status.RETURNED)

    # Training for a supervisee, from the team page.
    phone.goto("/caseloads/team/")
    phone.get_by_role("link", name="Record training for Jo Lee").click()
    phone.get_by_label("Course").fill("Motivational interviewing")
    phone.get_by_label("Hours").fill("4")
    phone.get_by_label("Completed on").fill(timezone.localdate().isoformat())
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Training recorded.")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    assert TrainingRecord.objects.get().profile == profiles[jo]


@pytest.mark.django_db(transaction=True)
def test_a_peers_returned_count_opens_the_note_and_its_reason_on_a_phone(phone):
    agency = AgencyFactory()
    program = ProgramFactory(agency=agency, name="Peer Bridger")
    supervisor = UserFactory(email="sam@example.org", role=Role.SUPERVISOR)
    pat = UserFactory(email="pat@example.org", first_name="Pat", last_name="Nguyen", role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=pat, agency=agency, supervisor=supervisor).programs.add(program)
    rosa = enrolled_participant(pat, program=program, first_name="Rosa", last_name="Quintero", started_days_ago=20)
    returned = waiting(pat, rosa, 2)
    returned.status = SessionNote.Status.RETURNED
    returned.save()
    returned.events.create(action="returned", actor=supervisor, comment="Name the goal this served.")
    SessionNoteFactory(author=pat, participant=rosa, date=days_ago(1))  # a draft

    sign_in(phone, "pat@example.org")
    phone.get_by_role("link", name="1 returned to you").click()
    expect(phone.get_by_role("link", name="Returned", exact=True)).to_have_attribute("aria-current", "page")
    expect(phone.get_by_text("Name the goal this served.")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="Drafts", exact=True).click()
    expect(phone.get_by_text("last saved")).to_be_visible()
    phone.get_by_label("Search my notes").fill("Quintero")
    phone.get_by_role("button", name="Search").click()
    expect(phone.get_by_role("link", name="Rosa Quintero")).to_have_count(1)
    assert_fits_the_screen(phone)
    assert_accessible(phone)
