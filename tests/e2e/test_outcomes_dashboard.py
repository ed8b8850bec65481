import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from outcomes.tests.dashboard_cohort import hand_worked_cohort, set_unit_costs
from outcomes.tests.factories import load_shipped_instruments
from programs.tests.factories import AgencyFactory, ProgramFactory

from .helpers import CHART_DRAWN, assert_accessible, assert_fits_the_screen, sign_in


@pytest.mark.django_db(transaction=True)
def test_a_program_admin_opens_the_dashboard_and_a_chart_is_drawn(desktop):
    load_shipped_instruments()
    agency = AgencyFactory()
    admin = UserFactory(email="alma@example.org", role=Role.PROGRAM_ADMIN)
    peer = UserFactory(email="pat@example.org", role=Role.PEER_SPECIALIST)
    program = ProgramFactory(agency=agency, name="Peer Bridger")
    hand_worked_cohort(program, peer, ProgramFactory(agency=agency, name="Warmline"))
    set_unit_costs(program, admin)

    sign_in(desktop, "alma@example.org")
    desktop.goto("/outcomes/")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Program outcomes")
    desktop.wait_for_function(CHART_DRAWN, arg="chart-status")
    desktop.wait_for_function(CHART_DRAWN, arg="chart-scores")
    expect(desktop.get_by_role("img", name="Bar chart, Housed and employed (%)", exact=False)).to_be_visible()

    table = desktop.locator("#outcomes-table")
    housed = table.get_by_role("row", name="Housed (own or rent)", exact=False)
    expect(housed).to_contain_text("33%")
    expect(housed).to_contain_text("67%")
    expect(housed).to_contain_text("p = 0.625")
    expect(table.get_by_role("row", name="PHQ-9", exact=False)).to_contain_text("p = 0.094")
    expect(desktop.locator("#outcomes-cohort")).to_contain_text("6 with check-ins at both timepoints")
    expect(desktop.get_by_text("regression to the mean", exact=False)).to_be_visible()
    expect(desktop.get_by_role("heading", name="Cost offset")).to_be_visible()
    assert_accessible(desktop)

    desktop.get_by_label("To timepoint").select_option("3m")
    desktop.get_by_label("From timepoint").select_option("6m")
    desktop.get_by_role("button", name="Show").click()
    expect(desktop.get_by_text("Choose a timepoint after 6 months.")).to_be_visible()
    assert desktop.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    desktop.console_errors.clear()
    assert_fits_the_screen(desktop)
    assert_accessible(desktop)
