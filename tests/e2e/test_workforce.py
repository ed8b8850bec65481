import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from programs.models import StaffProfile, SupervisionSession
from programs.tests.factories import AgencyFactory, CertificationFactory, ProgramFactory, StaffProfileFactory

from .helpers import assert_accessible, assert_fits_the_screen, open_menu, sign_in


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

    open_menu(phone)
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
    expect(phone.get_by_text("1 member of staff.", exact=False)).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("Lapsed"))).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("Valid"))).to_have_count(0)
    assert_fits_the_screen(phone)
    assert_accessible(phone)


@pytest.mark.django_db(transaction=True)
def test_an_admin_onboards_a_specialist_who_accepts_on_another_phone(phone, browser, live_server, mailoutbox):
    for role in Role:  # transactional tests flush the groups the migration made
        Group.objects.get_or_create(name=role)
    agency = AgencyFactory()
    ProgramFactory(agency=agency, name="Peer Bridger")
    supervisor = UserFactory(email="sam@example.org", first_name="Sam", last_name="Ortiz", role=Role.SUPERVISOR)
    StaffProfileFactory(user=supervisor, agency=agency)
    UserFactory(email="alma@example.org", role=Role.PROGRAM_ADMIN)

    sign_in(phone, "alma@example.org")
    phone.goto("/workforce/")
    phone.get_by_role("link", name="Invite a staff member").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Invite a staff member")
    phone.get_by_label("Email").fill("nia.brooks@example.org")
    phone.get_by_label("First name").fill("Nia")
    phone.get_by_label("Last name").fill("Brooks")
    phone.get_by_label("Role").select_option("Peer specialist")
    phone.get_by_label("Peer Bridger").check()
    phone.get_by_label("Supervisor").select_option(label="Sam Ortiz")
    assert_fits_the_screen(phone)
    phone.get_by_role("button", name="Send invitation").click()

    expect(phone.get_by_text("Invitation sent to nia.brooks@example.org")).to_be_visible()
    expect(phone.get_by_role("link", name="Nia Brooks")).to_be_visible()
    expect(phone.get_by_role("cell", name=re.compile("^Status Invited"))).to_be_visible()
    assert_fits_the_screen(phone)
    assert_accessible(phone)
    profile = StaffProfile.objects.get(user__email="nia.brooks@example.org")
    assert not profile.is_active

    # The invitee opens the emailed link on their own phone.
    link = re.search(r"https?://\S+/invitations/\S+/", mailoutbox[0].body).group(0)
    theirs = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        invitee = theirs.new_page()
        invitee.goto(link)
        invitee.get_by_label("Choose a password").fill("river-stones-and-lanterns")
        invitee.get_by_label("Type the password again").fill("river-stones-and-lanterns")
        invitee.get_by_role("button", name="Create my account").click()
        expect(invitee.get_by_text("Your account is ready.")).to_be_visible()
    finally:
        theirs.close()

    phone.goto("/workforce/?state=active&q=brooks")
    expect(phone.get_by_role("link", name="Nia Brooks")).to_be_visible()
    expect(phone.get_by_role("cell", name="Status Active")).to_be_visible()
    profile.refresh_from_db()
    assert profile.is_active and [p.name for p in profile.programs.all()] == ["Peer Bridger"]


@pytest.mark.django_db(transaction=True)
def test_an_admin_sorts_the_workforce_by_a_column_on_a_desktop(desktop):
    agency = AgencyFactory()
    UserFactory(email="alma@example.org", role=Role.PROGRAM_ADMIN)
    today = timezone.localdate()
    for name, days in [("Later", 400), ("Sooner", 20)]:
        profile = StaffProfileFactory(user=UserFactory(last_name=name, role=Role.PEER_SPECIALIST), agency=agency)
        CertificationFactory(profile=profile, expires_on=today + datetime.timedelta(days=days))
    StaffProfileFactory(user=UserFactory(last_name="Billing", role=Role.BILLING), agency=agency)

    sign_in(desktop, "alma@example.org")
    desktop.goto("/workforce/")
    desktop.get_by_role("columnheader", name="Certification").get_by_role("link").click()
    expect(desktop.get_by_role("columnheader", name="Certification")).to_have_attribute("aria-sort", "ascending")
    names = desktop.locator("tbody tr td:first-child a")
    expect(names).to_have_count(3)
    assert [n.split()[-1] for n in names.all_inner_texts()] == ["Sooner", "Later", "Billing"]
    desktop.get_by_role("columnheader", name="Certification").get_by_role("link").click()
    expect(desktop.get_by_role("columnheader", name="Certification")).to_have_attribute("aria-sort", "descending")
    assert [n.split()[-1] for n in names.all_inner_texts()] == ["Later", "Sooner", "Billing"]
    assert_fits_the_screen(desktop)
    assert_accessible(desktop)
