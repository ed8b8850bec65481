import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from outcomes.models import Timepoint, UnitCosts
from outcomes.schedule import window_days
from programs.tests.factories import AgencyFactory, ProgramFactory

from .helpers import assert_accessible, assert_fits_the_screen, sign_in


@pytest.mark.django_db(transaction=True)
def test_an_admin_sets_a_programs_windows_and_unit_costs_on_a_phone(phone):
    program = ProgramFactory(agency=AgencyFactory(), name="Peer Bridger")
    UserFactory(email="alma@example.org", role=Role.PROGRAM_ADMIN)

    sign_in(phone, "alma@example.org")
    phone.goto("/outcomes/")
    phone.get_by_role("link", name="Outcome settings for Peer Bridger").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Outcome settings: Peer Bridger")
    expect(phone.get_by_text("152 days (about 5 months) after enrollment.")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    six_months = phone.get_by_role("group", name="6 months")
    six_months.get_by_label("Closes on day").fill("100")
    costs = {"ER visit": "1400", "Inpatient day": "1150", "Outpatient visit": "160", "Crisis episode": "850"}
    for label, value in (costs | {"Jail day": "110", "Peer specialist hour": "27.50"}).items():
        phone.get_by_label(f"{label} ($)").fill(value)
    phone.get_by_label("Where these figures come from").fill("State cost report FY2025")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("can't close (day 100) before it opens (day 152)")).to_be_visible()
    phone.console_errors.clear()  # the 400 answer (nothing saved) is logged as a failed resource
    assert not UnitCosts.objects.exists()
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    six_months.get_by_label("Closes on day").fill("250")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Saved the outcome settings of Peer Bridger.")).to_be_visible()
    expect(six_months.get_by_text("250 days (about 8 months) after enrollment.")).to_be_visible()
    assert window_days([program.pk])[program.pk][Timepoint.MONTH_6] == (152, 250)
    assert UnitCosts.objects.get(program=program).source == "State cost report FY2025"

    phone.get_by_role("link", name="Back to the outcomes of Peer Bridger").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Program outcomes")
    expect(phone.get_by_label("Program")).to_have_value(str(program.pk))
    assert_fits_the_screen(phone)
    assert_accessible(phone)
