"""Finding a participant on a phone: the caseload first, then search by name or phone."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from notes.tests.factories import signed_note
from participants.tests.factories import CoverageFactory, days_ago, enrolled_participant
from programs.tests.factories import AgencyFactory, ProgramFactory, StaffProfileFactory

from .helpers import assert_fits_the_screen, sign_in


@pytest.mark.django_db(transaction=True)
def test_a_specialist_finds_a_participant_by_phone_or_last_name_first_on_a_phone(phone):
    agency = AgencyFactory()
    program = ProgramFactory(agency=agency, name="Peer Bridger")
    pat = UserFactory(email="pat@example.org", first_name="Pat", last_name="Nguyen", role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=pat, agency=agency).programs.add(program)
    rosa = enrolled_participant(
        pat, program=program, first_name="Rosa", last_name="Quintero", phone="(512) 555-0134", agency=agency,
        started_days_ago=20,
    )  # fmt: skip
    CoverageFactory(participant=rosa, member_id="612345678")
    signed_note(rosa, pat, day=days_ago(4))
    enrolled_participant(pat, program=program, first_name="Quinn", last_name="Rosario", agency=agency)
    other = UserFactory(role=Role.PEER_SPECIALIST)
    enrolled_participant(other, program=program, first_name="Rosa", last_name="Elsewhere", agency=agency)

    sign_in(phone, "pat@example.org")
    phone.goto("/participants/")
    # The caseload, before any search: program, specialist and last contact on each.
    expect(phone.get_by_text("2 participants you may see: your caseload.")).to_be_visible()
    rosa_row = phone.get_by_role("row").filter(has=phone.get_by_role("link", name="Rosa Quintero"))
    expect(rosa_row).to_contain_text("Peer Bridger")
    expect(rosa_row).to_contain_text("Pat Nguyen")
    expect(rosa_row).to_contain_text(days_ago(4).strftime("%b"))
    assert_fits_the_screen(phone)

    search = phone.get_by_role("searchbox", name="Name, phone, date of birth or Medicaid ID")
    for typed in ("512.555.0134", "Quintero, Rosa", "rosa quintero", "2345"):
        search.fill(typed)
        phone.get_by_role("button", name="Search").click()
        expect(phone.get_by_role("link", name="Rosa Quintero")).to_be_visible()
        expect(phone.get_by_text("1 participant match")).to_be_visible()
        expect(phone.get_by_role("link", name="Rosa Elsewhere")).to_have_count(0)
        search = phone.get_by_role("searchbox", name="Name, phone, date of birth or Medicaid ID")
    assert_fits_the_screen(phone)
    phone.get_by_role("link", name="Rosa Quintero").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Rosa Quintero")
