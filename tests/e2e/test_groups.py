"""A group on a phone: an attendee from another specialist's caseload in the same program is
found by name, added, and gets their own note; the group's topic shows in My notes."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from notes.models import SessionNote
from participants.models import Goal
from participants.tests.factories import PlanFactory, enrolled_participant
from programs.tests.factories import AgencyFactory, ProgramFactory, StaffProfileFactory

from .helpers import assert_fits_the_screen, sign_in


@pytest.fixture
def two_caseloads(db):
    agency = AgencyFactory()
    program = ProgramFactory(agency=agency, name="Peer Bridger")
    supervisor = UserFactory(email="sam@example.org", first_name="Sam", last_name="Okafor", role=Role.SUPERVISOR)
    peer = UserFactory(email="pat@example.org", first_name="Pat", last_name="Nguyen", role=Role.PEER_SPECIALIST)
    other = UserFactory(email="kim@example.org", first_name="Kim", last_name="Ross", role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=peer, agency=agency, supervisor=supervisor).programs.add(program)
    StaffProfileFactory(user=other, agency=agency, supervisor=supervisor).programs.add(program)
    rosa = enrolled_participant(peer, program=program, started_days_ago=20, first_name="Rosa", last_name="Quintero")
    lena = enrolled_participant(other, program=program, started_days_ago=20, first_name="Lena", last_name="Marsh")
    plan = PlanFactory(participant=lena)
    Goal.objects.create(plan=plan, description="Ride the bus alone", objectives="Practise", target_date=plan.started_on)
    return {"rosa": rosa, "lena": lena}


@pytest.mark.django_db(transaction=True)
def test_a_peer_adds_an_attendee_from_another_caseload_and_signs_the_group(phone, two_caseloads):
    sign_in(phone, "pat@example.org")
    phone.goto("/notes/group/new/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Group session")

    phone.get_by_label("Topic").fill("Coping with stress")
    phone.get_by_label("Date*", exact=True).fill((timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    phone.get_by_label("Start time").fill("13:00")
    phone.get_by_label("End time").fill("14:00")
    phone.get_by_label("Modality").select_option("in_person")
    phone.get_by_label("What the group did").fill("Shared ways to cope with stress.")
    phone.get_by_label("Next steps for the group").fill("Next group Thursday.")
    phone.get_by_label("Rosa Quintero").check()
    phone.get_by_label("How Rosa took part").fill("Rosa led the breathing exercise.")

    search = phone.get_by_label("Add someone from the programs you work in")
    search.fill("l")
    expect(phone.get_by_text("Type at least 2 letters of a name.")).to_be_visible()
    search.fill("mars")
    phone.get_by_role("button", name="Add Lena Marsh").click()
    expect(phone.get_by_label("Lena Marsh")).to_be_checked()
    expect(phone.get_by_label("How Lena took part")).to_be_focused()
    phone.get_by_label("How Lena took part").fill("Lena spoke about her week.")
    phone.get_by_label("Plan goal it served").nth(1).select_option(label="Ride the bus alone")
    assert_fits_the_screen(phone)
    phone.get_by_label(re.compile("I attest")).check()
    phone.get_by_role("button", name="Sign and submit all").click()

    expect(phone.get_by_text("“Coping with stress”: 2 notes signed.")).to_be_visible()
    notes = SessionNote.objects.filter(group__topic="Coping with stress")
    assert {n.participant.first_name for n in notes} == {"Rosa", "Lena"}
    assert all(n.status == SessionNote.Status.SUBMITTED for n in notes)
    expect(phone.get_by_text("Group: Coping with stress").first).to_be_visible()
    assert_fits_the_screen(phone)


@pytest.mark.django_db(transaction=True)
def test_a_copy_kept_on_the_phone_brings_back_its_searched_attendees(phone, two_caseloads):
    sign_in(phone, "pat@example.org")
    phone.goto("/notes/group/new/")
    phone.get_by_label("Topic").fill("Coping with stress")
    phone.get_by_label("Add someone from the programs you work in").fill("mars")
    phone.get_by_role("button", name="Add Lena Marsh").click()
    phone.get_by_label("How Lena took part").fill("Lena spoke about her week.")  # kept as typed

    phone.reload()
    expect(phone.get_by_label("How Lena took part")).to_have_count(0)
    phone.get_by_role("button", name="Restore it").click()
    expect(phone.get_by_label("How Lena took part")).to_have_value("Lena spoke about her week.")
    expect(phone.get_by_label("Lena Marsh")).to_be_checked()
    expect(phone.get_by_label("Topic")).to_have_value("Coping with stress")
