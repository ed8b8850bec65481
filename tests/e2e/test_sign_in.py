import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import PASSWORD, UserFactory

from .helpers import assert_accessible, assert_fits_the_screen, open_menu


@pytest.mark.django_db(transaction=True)
def test_a_peer_signs_in_on_a_phone_and_sees_their_home_page(phone):
    UserFactory(email="peer@example.org", first_name="Pat", role=Role.PEER_SPECIALIST)

    phone.goto("/")
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    phone.get_by_label("Email").fill("peer@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()

    expect(phone).to_have_url(re.compile(r"/home/peer/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Pat")
    assert_fits_the_screen(phone)
    assert_accessible(phone)

    # The phone menu opens and offers sign-out.
    open_menu(phone)
    phone.get_by_role("button", name=re.compile("Sign out")).click()
    expect(phone).to_have_url(re.compile(r"/accounts/login/"))
