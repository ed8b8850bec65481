"""The session row is written at most once a minute, not on every request, and the idle
timeout still slides and still ends an idle session (issue 16, point 1)."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SAVED_AT, SIGNED_IN_AT

LOGIN = "/accounts/login/"


def sign_in(client, email, password):
    assert client.post(LOGIN, {"login": email, "password": password}).status_code == 302
    return client.session.session_key


def session_writes(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    )


def last_saved(client, *, seconds_ago: float) -> None:
    session = client.session
    session[SAVED_AT] = time.time() - seconds_ago
    session.save()


@pytest.mark.django_db
def test_requests_within_a_minute_do_not_write_the_session(client, peer, password):
    sign_in(client, peer.email, password)
    last_saved(client, seconds_ago=10)
    assert session_writes(client, reverse("home_peer")) == 0
    assert session_writes(client, reverse("home_peer")) == 0


@pytest.mark.django_db
def test_a_request_a_minute_after_the_last_save_slides_the_idle_expiry(client, peer, password, settings):
    key = sign_in(client, peer.email, password)
    last_saved(client, seconds_ago=61)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    assert session_writes(client, reverse("home_peer")) == 1
    expire_date = Session.objects.get(session_key=key).expire_date
    expected = timezone.now() + datetime.timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES)
    assert abs(expire_date - expected) < datetime.timedelta(seconds=30)
    # ...and the new save starts a new minute.
    assert session_writes(client, reverse("home_peer")) == 0


@pytest.mark.django_db
def test_an_idle_session_still_ends(client, peer, password):
    key = sign_in(client, peer.email, password)
    # The idle timeout passed since the last save: the row has expired.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("home_peer"))["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_the_last_half_hour_before_the_deadline_does_not_write_every_request(client, peer, password):
    key = sign_in(client, peer.email, password)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - (12 * 3600 - 10 * 60)
    session.save()
    assert session_writes(client, reverse("home_peer")) == 1  # the deadline is set once
    assert Session.objects.get(session_key=key).expire_date <= timezone.now() + datetime.timedelta(minutes=10)
    assert session_writes(client, reverse("home_peer")) == 0


@pytest.mark.django_db
def test_an_anonymous_visit_creates_no_session(client):
    client.get(LOGIN)
    assert not Session.objects.exists()
