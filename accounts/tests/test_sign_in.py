import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SAVED_AT
from audit.models import AuditEvent

LOGIN = "/accounts/login/"


def sign_in(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


@pytest.mark.django_db
def test_it_signs_a_user_in_and_records_it(client, peer, password):
    response = sign_in(client, peer.email, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("home_peer")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == peer
    assert event.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_email_is_matched_without_regard_to_case(client, peer, password):
    assert sign_in(client, peer.email.upper(), password).status_code == 302


@pytest.mark.django_db
def test_it_refuses_a_wrong_password_and_records_the_failure(client, peer):
    response = sign_in(client, peer.email, "not-the-password")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_label == peer.email
    assert event.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_it_rate_limits_repeated_failed_sign_ins(client, peer, password, settings):
    for _ in range(settings.LOGIN_ATTEMPTS_LIMIT):
        assert "not correct" in sign_in(client, peer.email, "wrong-password").content.decode()
    # Even the right password is refused until the window passes.
    response = sign_in(client, peer.email, password)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_signs_out_on_post_only_and_records_it(client, peer, password):
    sign_in(client, peer.email, password)
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, actor=peer).exists()
    assert client.get(reverse("home_peer"))["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_there_is_no_public_sign_up(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "stranger@example.org", "password1": "a-long-passphrase-1", "password2": "a-long-passphrase-1"},
    )
    assert "Sign Up Closed" in response.content.decode()
    from accounts.models import User

    assert not User.objects.filter(email="stranger@example.org").exists()


@pytest.mark.django_db
def test_an_idle_session_expires_after_the_timeout(client, peer, password, settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 == 30 * 60
    sign_in(client, peer.email, password)
    session = Session.objects.get(session_key=client.session.session_key)
    expected = timezone.now() + datetime.timedelta(minutes=30)
    assert abs(session.expire_date - expected) < datetime.timedelta(seconds=30)

    # Activity a minute after the last save pushes the expiry forward (within a minute it
    # is not written: test_session_refresh.py)...
    stored = client.session
    stored[SAVED_AT] = time.time() - 61
    stored.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    assert client.get(reverse("home_peer")).status_code == 200
    session.refresh_from_db()
    assert session.expire_date > timezone.now() + datetime.timedelta(minutes=29)

    # ...and 30 idle minutes end it.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("home_peer"))["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_password_reset_lets_a_user_choose_a_new_password(client, peer, password):
    response = client.post("/accounts/password/reset/", {"email": peer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line).strip()
    path = link[link.index("/accounts/") :]
    response = client.get(path)
    # allauth moves the key into the session and redirects to a key-less address.
    form_url = response["Location"] if response.status_code == 302 else path
    new_password = "a-brand-new-passphrase-2026"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    client.logout()
    assert sign_in(client, peer.email, password).status_code == 200  # old one no longer works
    assert sign_in(client, peer.email, new_password).status_code == 302


@pytest.mark.django_db
def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert "/accounts/password/reset/done/" in response["Location"]
