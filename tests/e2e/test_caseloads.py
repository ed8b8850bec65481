import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from participants.tests.factories import enrolled_participant
from programs.tests.factories import AgencyFactory, ProgramFactory, StaffProfileFactory

from .helpers import assert_accessible, assert_fits_the_screen, sign_in, sign_out


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_reassigns_a_participant_and_the_new_specialist_sees_them(phone):
    agency = AgencyFactory()
    program = ProgramFactory(agency=agency, name="Peer Bridger")
    supervisor = UserFactory(email="sam@example.org", role=Role.SUPERVISOR)
    pat = UserFactory(email="pat@example.org", first_name="Pat", last_name="Nguyen", role=Role.PEER_SPECIALIST)
    jo = UserFactory(email="jo@example.org", first_name="Jo", last_name="Lee", role=Role.PEER_SPECIALIST)
    for peer in (pat, jo):
        StaffProfileFactory(user=peer, agency=agency, supervisor=supervisor).programs.add(program)
    enrolled_participant(pat, program=program, first_name="Rosa", last_name="Quintero", agency=agency)

    sign_in(phone, "sam@example.org")
    phone.get_by_role("main").get_by_role("link", name="Team caseloads").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Team caseloads")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="Pat Nguyen", exact=True).click()
    expect(phone.get_by_role("link", name="Rosa Quintero")).to_be_visible()
    assert_accessible(phone)  # Pat's caseload
    phone.get_by_role("link", name="Rosa Quintero").click()
    phone.get_by_role("link", name="Reassign").click()
    phone.get_by_label("New peer specialist").select_option(label="Jo Lee")
    assert_accessible(phone)  # the reassignment form
    phone.get_by_label("Reason").fill("Closer to where Rosa lives")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Rosa Quintero is now with Jo Lee.")).to_be_visible()
    expect(phone.get_by_role("region", name="Assignments")).to_contain_text("Closer to where Rosa lives")
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    sign_out(phone)
    sign_in(phone, "jo@example.org")
    phone.goto("/caseload/")
    expect(phone.get_by_role("link", name="Rosa Quintero", exact=True)).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
