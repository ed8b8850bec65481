import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from accounts.tests.totp import totp_code, wait_out_period_edge

LOGIN = "/accounts/login/"


@pytest.mark.django_db
def test_a_user_turns_on_an_authenticator_app(client, peer, password):
    client.post(LOGIN, {"login": peer.email, "password": password})
    # allauth asks for the password again before changing how the account signs in.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": password})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret

    response = client.post(
        reverse("mfa_activate_totp"), {"code": "000000" if totp_code(secret) != "000000" else "111111"}
    )
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=peer).exists()

    wait_out_period_edge()
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=peer, type=Authenticator.Type.TOTP).exists()


@pytest.mark.django_db
def test_sign_in_asks_for_and_accepts_a_totp_code(client, peer, password):
    secret = generate_totp_secret()
    TOTP.activate(peer, secret)

    response = client.post(LOGIN, {"login": peer.email, "password": password})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough

    response = client.post(reverse("mfa_authenticate"), {"code": "12345"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    wait_out_period_edge()
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(peer.pk)


@pytest.mark.django_db
def test_when_mfa_is_required_users_without_it_must_set_it_up_first(client, peer, password, settings):
    settings.MFA_REQUIRED = True
    client.post(LOGIN, {"login": peer.email, "password": password})
    response = client.get(reverse("home_peer"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The set-up page (behind allauth's password re-entry) stays reachable.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))

    TOTP.activate(peer, generate_totp_secret())
    assert client.get(reverse("home_peer")).status_code == 200


@pytest.mark.django_db
def test_when_mfa_is_not_required_users_may_go_without(client, peer, password, settings):
    settings.MFA_REQUIRED = False
    client.post(LOGIN, {"login": peer.email, "password": password})
    assert client.get(reverse("home_peer")).status_code == 200
