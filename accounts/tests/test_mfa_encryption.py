"""TOTP secrets and recovery-code seeds are encrypted at rest (issue 15), keys rotate, and a
secret the keys cannot read is a clear refusal at sign-in, not a 500."""

import html
import io
import logging

import pytest
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from accounts.forms import UNREADABLE_AUTHENTICATOR
from accounts.mfa_secrets import PREFIX, UnreadableSecret
from accounts.tests.totp import activate_totp_through_pages, totp_code, wait_out_period_edge

LOGIN = "/accounts/login/"
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def raw_data(user) -> dict[str, str]:
    """The stored JSON as the database holds it, by authenticator type (no ORM, no adapter)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, data::text FROM mfa_authenticator WHERE user_id = %s", [user.pk])
        return dict(cursor.fetchall())


def sign_in_with_code(client, user, password, code: str):
    client.logout()
    response = client.post(LOGIN, {"login": user.email, "password": password})
    assert response["Location"] == reverse("mfa_authenticate")
    return client.post(reverse("mfa_authenticate"), {"code": code})


def signed_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


@pytest.mark.django_db
def test_the_database_holds_only_encrypted_secrets_and_sign_in_still_works(client, peer, password):
    secret = activate_totp_through_pages(client, peer, password)
    assert "mfa.totp.secret" not in client.session  # allauth drops the set-up copy

    stored = raw_data(peer)
    assert set(stored) == {"totp", "recovery_codes"}
    assert secret.lower() not in stored["totp"].lower()
    assert f'"secret": "{PREFIX}' in stored["totp"]
    seed = get_adapter().decrypt(Authenticator.objects.get(user=peer, type="recovery_codes").data["seed"])
    assert seed not in stored["recovery_codes"]
    assert f'"seed": "{PREFIX}' in stored["recovery_codes"]

    wait_out_period_edge()
    response = sign_in_with_code(client, peer, password, totp_code(secret))
    assert response.status_code == 302
    assert signed_in(client, peer)


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(client, peer, password):
    activate_totp_through_pages(client, peer, password)
    codes = client.get(reverse("mfa_view_recovery_codes")).context["unused_codes"]
    assert len(codes) == 10

    response = sign_in_with_code(client, peer, password, codes[0])
    assert response.status_code == 302
    assert signed_in(client, peer)

    response = sign_in_with_code(client, peer, password, codes[0])
    assert response.status_code == 200
    assert not signed_in(client, peer)


@pytest.mark.django_db
def test_a_new_key_put_first_still_reads_secrets_written_with_the_old_one(client, peer, password, settings):
    settings.MFA_ENCRYPTION_KEYS = [KEY_A]
    secret = generate_totp_secret()
    TOTP.activate(peer, secret)

    settings.MFA_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    wait_out_period_edge()
    assert sign_in_with_code(client, peer, password, totp_code(secret)).status_code == 302
    assert signed_in(client, peer)
    # New secrets are written with the first key alone.
    assert Fernet(KEY_B).decrypt(get_adapter().encrypt("NEW").removeprefix(PREFIX).encode()) == b"NEW"


@pytest.mark.django_db
def test_a_removed_key_refuses_sign_in_with_a_clear_message_and_a_log_without_phi(
    client, peer, password, settings, caplog
):
    settings.MFA_ENCRYPTION_KEYS = [KEY_A]
    secret = generate_totp_secret()
    TOTP.activate(peer, secret)

    settings.MFA_ENCRYPTION_KEYS = [KEY_B]
    wait_out_period_edge()
    with caplog.at_level(logging.ERROR, logger="accounts.forms"):
        response = sign_in_with_code(client, peer, password, totp_code(secret))

    assert response.status_code == 200
    assert not signed_in(client, peer)
    assert response.context["form"].errors["code"] == [UNREADABLE_AUTHENTICATOR]
    assert UNREADABLE_AUTHENTICATOR in html.unescape(response.content.decode())
    [record] = [r for r in caplog.records if r.name == "accounts.forms"]
    logged = record.getMessage()
    assert f"user id {peer.pk}" in logged
    assert peer.email not in logged
    assert secret not in logged
    assert KEY_A not in logged and KEY_B not in logged


@pytest.mark.django_db
def test_a_secret_stored_in_plain_text_is_refused_not_trusted(client, peer, password):
    secret = generate_totp_secret()
    Authenticator.objects.create(user=peer, type=Authenticator.Type.TOTP, data={"secret": secret})
    with pytest.raises(UnreadableSecret) as refused:
        get_adapter().decrypt(secret)
    assert secret not in str(refused.value)

    wait_out_period_edge()
    response = sign_in_with_code(client, peer, password, totp_code(secret))
    assert response.status_code == 200
    assert not signed_in(client, peer)
    assert response.context["form"].errors["code"] == [UNREADABLE_AUTHENTICATOR]


@pytest.mark.django_db
def test_reencrypting_lets_the_old_key_go(client, peer, password, settings):
    settings.MFA_ENCRYPTION_KEYS = [KEY_A]
    secret = generate_totp_secret()
    TOTP.activate(peer, secret)

    settings.MFA_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out = io.StringIO()
    call_command("reencrypt_mfa_secrets", stdout=out)
    assert "1 authenticators re-encrypted" in out.getvalue()

    settings.MFA_ENCRYPTION_KEYS = [KEY_B]
    wait_out_period_edge()
    assert sign_in_with_code(client, peer, password, totp_code(secret)).status_code == 302
    assert signed_in(client, peer)


@pytest.mark.django_db
def test_reencrypting_names_the_row_its_keys_cannot_read(peer, settings):
    settings.MFA_ENCRYPTION_KEYS = [KEY_A]
    authenticator = TOTP.activate(peer, generate_totp_secret()).instance
    settings.MFA_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(CommandError, match=f"Authenticator {authenticator.pk} "):
        call_command("reencrypt_mfa_secrets")


@pytest.mark.django_db
def test_reauthenticating_with_an_unreadable_secret_gives_the_same_message(client, peer, settings):
    settings.MFA_ENCRYPTION_KEYS = [KEY_A]
    secret = generate_totp_secret()
    TOTP.activate(peer, secret)
    client.force_login(peer)

    settings.MFA_ENCRYPTION_KEYS = [KEY_B]
    wait_out_period_edge()
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [UNREADABLE_AUTHENTICATOR]


@pytest.mark.django_db
def test_a_code_longer_than_any_code_is_refused_at_the_field(client, peer, password):
    TOTP.activate(peer, generate_totp_secret())
    response = sign_in_with_code(client, peer, password, "1" * 33)
    assert response.status_code == 200
    assert not signed_in(client, peer)
    assert "at most 32 characters" in response.context["form"].errors["code"][0]
