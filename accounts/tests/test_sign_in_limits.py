"""Failed sign-ins are limited per account and address together, and the account's owner is
told about repeated failures (issue 15, point 4)."""

import pytest
from django.core import mail

from accounts.services import failed_sign_in_note

LOGIN = "/accounts/login/"


def sign_in(client, email, password, address="127.0.0.1"):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_colleagues_behind_one_office_address_are_not_locked_out_by_each_others_typos(client, peer, password):
    # Twelve mistyped sign-ins from the office's one address (the old limit was 10 a minute).
    for n in range(12):
        assert "not correct" in sign_in(client, f"colleague{n}@example.org", "typo").content.decode()
    response = sign_in(client, peer.email, password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(peer.pk)


@pytest.mark.django_db
def test_guesses_from_one_address_do_not_lock_the_owner_out_from_another(client, peer, password, settings):
    for _ in range(settings.LOGIN_ATTEMPTS_LIMIT):
        sign_in(client, peer.email, "guess", address="203.0.113.9")
    refused = sign_in(client, peer.email, password, address="203.0.113.9")
    assert "Too many failed login attempts" in refused.content.decode()

    response = sign_in(client, peer.email, password, address="198.51.100.20")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(peer.pk)


@pytest.mark.django_db
def test_the_owner_is_emailed_once_a_window_after_repeated_failures(client, peer, settings):
    settings.SIGN_IN_ALERT_FAILURES = 3
    for n in range(settings.SIGN_IN_ALERT_FAILURES - 1):
        sign_in(client, peer.email, "guess", address=f"192.0.2.{n + 1}")
    assert mail.outbox == []

    sign_in(client, peer.email.upper(), "guess", address="192.0.2.50")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [peer.email]
    assert "3 times" in message.body
    assert "192.0.2.50" in message.body
    assert "/accounts/password/reset/" in message.body

    # More failures in the same window send nothing more.
    for n in range(5):
        sign_in(client, peer.email, "guess", address=f"192.0.2.{60 + n}")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_failures_for_unknown_or_deactivated_accounts_email_nobody(peer, settings):
    settings.SIGN_IN_ALERT_FAILURES = 2
    peer.is_active = False
    peer.save(update_fields=["is_active"])
    for _ in range(3):
        assert not failed_sign_in_note(email=peer.email, ip_address="192.0.2.1")
        assert not failed_sign_in_note(email="nobody@example.org", ip_address="192.0.2.1")
    assert mail.outbox == []
