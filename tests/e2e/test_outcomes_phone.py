import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from outcomes.models import Assessment
from outcomes.tests.factories import load_shipped_instruments
from participants.tests.factories import enrolled_participant
from programs.tests.factories import AgencyFactory, ProgramFactory, StaffProfileFactory

from .helpers import CHART_DRAWN, assert_accessible, assert_fits_the_screen, sign_in

# The answer tapped for each PHQ-9 item: totals 8 (mild), with item 9 at 0.
ANSWERS = ["Several days", "More than half the days", "Not at all", "Several days", "Nearly every day",
           "Not at all", "Several days", "Not at all", "Not at all"]  # fmt: skip


@pytest.fixture
def caseload(db):
    load_shipped_instruments()
    agency = AgencyFactory()
    program = ProgramFactory(agency=agency, name="Peer Bridger")
    supervisor = UserFactory(email="sam@example.org", first_name="Sam", last_name="Okafor", role=Role.SUPERVISOR)
    peer = UserFactory(email="pat@example.org", first_name="Pat", last_name="Nguyen", role=Role.PEER_SPECIALIST)
    StaffProfileFactory(user=peer, agency=agency, supervisor=supervisor).programs.add(program)
    return enrolled_participant(peer, program=program, started_days_ago=10, first_name="Rosa", last_name="Quintero")


@pytest.mark.django_db(transaction=True)
def test_a_peer_records_a_phq9_on_a_phone_with_one_tap_per_question(phone, caseload):
    sign_in(phone, "pat@example.org")
    phone.goto(f"/participants/{caseload.pk}/")
    phone.get_by_role("link", name="Record an assessment").click()
    phone.get_by_role("link", name=re.compile("Patient Health Questionnaire")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("PHQ-9")
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    for number, answer in enumerate(ANSWERS, start=1):
        group = phone.get_by_role("group", name=re.compile(f"^{number}\\. "))
        button = group.locator("label", has_text=answer)
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300, f"item {number}'s answers are too small to tap"
        button.tap()
        expect(group.get_by_role("radio", name=re.compile(answer))).to_be_checked()
    assert_accessible(phone)  # every answer chosen
    phone.get_by_role("button", name="Save PHQ-9").click()

    expect(phone.get_by_text("PHQ-9 saved: total 8, mild.")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("PHQ-9 on")
    expect(phone.get_by_text("Mild", exact=True)).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    assessment = Assessment.objects.get()
    assert (assessment.total, assessment.band, assessment.timepoint) == (8, "Mild", "intake")

    # Back on the participant's page, the score is drawn.
    phone.get_by_role("link", name="← Rosa Quintero").click()
    expect(phone.locator("#outcome-chart-0")).to_be_visible()
    phone.wait_for_function(CHART_DRAWN, arg="outcome-chart-0")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
