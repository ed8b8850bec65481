import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import SupervisionSession
from programs.tests.factories import AgencyFactory, CertificationFactory, StaffProfileFactory

from .helpers import assert_accessible, assert_fits_the_screen, sign_in


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_sees_an_expiring_certificate_and_logs_supervision_on_a_phone(phone):
    agency = AgencyFactory()
    supervisor = UserFactory(email="sam@example.org", first_name="Sam", role=Role.SUPERVISOR)
    peer = UserFactory(email="pat@example.org", first_name="Pat", last_name="Nguyen", role=Role.PEER_SPECIALIST)
    profile = StaffProfileFactory(user=peer, agency=agency, supervisor=supervisor)
    CertificationFactory(profile=profile, expires_on=timezone.localdate() + datetime.timedelta(days=12))

    sign_in(phone, "sam@example.org")
    expect(phone).to_have_url(re.compile(r"/home/supervisor/$"))
    warning = phone.get_by_role("region", name="Certifications needing attention")
    expect(warning).to_contain_text("Pat Nguyen")
    assert_accessible(phone)

    phone.get_by_role("button", name="Show menu").click()
    phone.get_by_role("link", name="Workforce").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Workforce")
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="Pat Nguyen").click()

    phone.get_by_role("link", name="Log supervision").click()
    phone.get_by_label("Date").fill(timezone.localdate().isoformat())
    phone.get_by_label("Minutes").fill("45")
    phone.get_by_label("Topics").fill("Boundaries with a new participant")
    assert_accessible(phone)
    phone.get_by_role("button", name="Save").click()

    expect(phone.get_by_text("Supervision session logged.")).to_be_visible()
    expect(phone.get_by_text("Boundaries with a new participant")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    assert SupervisionSession.objects.get().minutes == 45


@pytest.mark.django_db(transaction=True)
def test_an_admin_filters_the_workforce_by_certification_status_on_a_phone(phone):
    agency = AgencyFactory()
    UserFactory(email="alma@example.org", role=Role.PROGRAM_ADMIN)
    today = timezone.localdate()
    for name, days in [("Valid", 400), ("Lapsed", -3)]:
        profile = StaffProfileFactory(user=UserFactory(last_name=name, role=Role.PEER_SPECIALIST), agency=agency)
        CertificationFactory(profile=profile, expires_on=today + datetime.timedelta(days=days))

    sign_in(phone, "alma@example.org")
    phone.goto("/workforce/")
    phone.get_by_label("Certification").select_option("expired")
    phone.get_by_role("button", name="Filter").click()
    expect(phone.get_by_text("1 specialist.", exact=False)).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("Lapsed"))).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("Valid"))).to_have_count(0)
    assert_fits_the_screen(phone)
    assert_accessible(phone)
