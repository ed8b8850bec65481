"""A lost phone: a program admin resets a colleague's two-factor sign-in from their staff page.
It is gone with their sessions, recorded and emailed; they sign in and set it up again."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.totp import activate_totp_through_pages
from audit.models import AuditEvent
from programs.models import StaffProfile


@pytest.fixture
def peer_with_totp(peer, password, team):
    phone = Client()
    activate_totp_through_pages(phone, peer, password)
    assert Authenticator.objects.filter(user=peer).count() == 2  # the app and its recovery codes
    return phone


@pytest.mark.django_db
def test_an_admin_resets_it_and_the_person_is_signed_out_told_and_can_set_it_up_again(
    client, admin_user, peer, password, peer_with_totp, django_capture_on_commit_callbacks
):
    profile = StaffProfile.objects.get(user=peer)
    client.force_login(admin_user)
    page = client.get(reverse("programs:profile_detail", args=[profile.pk])).content.decode()
    url = reverse("programs:profile_two_factor_reset", args=[profile.pk])
    assert url in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "Two-factor sign-in reset" in response.content.decode()
    assert not Authenticator.objects.filter(user=peer).exists()
    assert not Session.objects.filter(session_key=peer_with_totp.session.session_key).exists()
    assert peer_with_totp.get(reverse("home_peer")).status_code == 302  # signed out on the phone
    row = AuditEvent.objects.get(details__two_factor_removed=["recovery_codes", "totp"])
    assert (row.actor, row.target_type, row.target_id) == (admin_user, "accounts.user", str(peer.pk))
    (notice,) = mail.outbox
    assert notice.to == [peer.email] and "reset the two-factor sign-in" in notice.body

    # The password alone signs them in now; the set-up page is theirs to use again.
    fresh = Client()
    assert fresh.post(reverse("account_login"), {"login": peer.email, "password": password}).status_code == 302
    assert fresh.get(reverse("home_peer")).status_code == 200


@pytest.mark.django_db
def test_no_one_resets_their_own_and_a_person_without_it_shows_no_button(client, admin_user, peer, team, password):
    own = Client()
    activate_totp_through_pages(own, admin_user, password)
    own_profile = StaffProfile.objects.create(user=admin_user, agency=StaffProfile.objects.get(user=peer).agency)
    page = own.get(reverse("programs:profile_detail", args=[own_profile.pk])).content.decode()
    assert reverse("programs:profile_two_factor_reset", args=[own_profile.pk]) not in page
    refused = own.post(reverse("programs:profile_two_factor_reset", args=[own_profile.pk]), follow=True)
    assert "Another program admin must reset" in refused.content.decode()
    assert Authenticator.objects.filter(user=admin_user).exists()

    profile = StaffProfile.objects.get(user=peer)
    page = own.get(reverse("programs:profile_detail", args=[profile.pk])).content.decode()
    assert reverse("programs:profile_two_factor_reset", args=[profile.pk]) not in page and "Not set up." in page
    refused = own.post(reverse("programs:profile_two_factor_reset", args=[profile.pk]), follow=True)
    assert "has no two-factor sign-in to reset" in refused.content.decode()


@pytest.mark.django_db
def test_only_program_admins_may(client, supervisor, peer, peer_with_totp):
    client.force_login(supervisor)
    profile = StaffProfile.objects.get(user=peer)
    assert client.post(reverse("programs:profile_two_factor_reset", args=[profile.pk])).status_code == 403
    assert Authenticator.objects.filter(user=peer).count() == 2
