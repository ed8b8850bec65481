"""Sessions end at an absolute lifetime however active they are, and every session of a
user ends when their password changes or is reset (issue 15, point 5)."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SIGNED_IN_AT
from accounts.models import SignInSession

LOGIN = "/accounts/login/"


def sign_in(client, email, password):
    response = client.post(LOGIN, {"login": email, "password": password})
    assert response.status_code == 302
    return client.session.session_key


def age_session(client, *, hours: float) -> None:
    session = client.session
    session[SIGNED_IN_AT] = time.time() - hours * 3600
    session.save()


@pytest.mark.django_db
def test_a_busy_session_ends_twelve_hours_after_sign_in(client, peer, password, settings):
    assert settings.SESSION_MAX_AGE_HOURS == 12
    sign_in(client, peer.email, password)
    # Eleven hours of steady activity (autosave, say): still signed in.
    age_session(client, hours=11)
    assert client.get(reverse("home_peer")).status_code == 200
    # The same activity one more hour on ends it, however recent the last request was.
    age_session(client, hours=12)
    response = client.get(reverse("home_peer"))
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_session_near_its_end_expires_no_later_than_its_deadline(client, peer, password):
    key = sign_in(client, peer.email, password)
    age_session(client, hours=12 - 10 / 60)  # ten minutes left, less than the idle timeout
    assert client.get(reverse("home_peer")).status_code == 200
    expire_date = Session.objects.get(session_key=key).expire_date
    assert expire_date <= timezone.now() + datetime.timedelta(minutes=10)


@pytest.mark.django_db
def test_the_lifetime_is_configurable(client, peer, password, settings):
    settings.SESSION_MAX_AGE_HOURS = 2
    sign_in(client, peer.email, password)
    age_session(client, hours=2)
    assert client.get(reverse("home_peer"))["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_a_password_reset_ends_every_session_of_its_user(client, peer, password, supervisor):
    laptop, phone, colleague = Client(), Client(), Client()
    laptop_key = sign_in(laptop, peer.email, password)
    phone_key = sign_in(phone, peer.email, password)
    colleague_key = sign_in(colleague, supervisor.email, password)

    client.post("/accounts/password/reset/", {"email": peer.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line).strip()
    response = client.get(link[link.index("/accounts/") :])
    form_url = response["Location"] if response.status_code == 302 else link[link.index("/accounts/") :]
    new_password = "a-brand-new-passphrase-2026"
    assert client.post(form_url, {"password1": new_password, "password2": new_password}).status_code == 302

    assert not Session.objects.filter(session_key__in=[laptop_key, phone_key]).exists()
    assert not SignInSession.objects.filter(user=peer).exists()
    assert laptop.get(reverse("home_peer"))["Location"].startswith(LOGIN)
    # Nobody else is signed out.
    assert Session.objects.filter(session_key=colleague_key).exists()
    assert colleague.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_a_password_change_ends_every_session_this_one_too(client, peer, password):
    other = Client()
    other_key = sign_in(other, peer.email, password)
    this_key = sign_in(client, peer.email, password)
    new_password = "a-brand-new-passphrase-2026"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": password, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert not Session.objects.filter(session_key__in=[other_key, this_key]).exists()
    assert other.get(reverse("home_peer"))["Location"].startswith(LOGIN)
    assert client.get(reverse("home_peer"))["Location"].startswith(LOGIN)
    assert sign_in(client, peer.email, new_password)


@pytest.mark.django_db
def test_signing_out_forgets_the_session(client, peer, password):
    key = sign_in(client, peer.email, password)
    assert SignInSession.objects.filter(session_id=key, user=peer).exists()
    client.post("/accounts/logout/")
    assert not SignInSession.objects.filter(session_id=key).exists()
