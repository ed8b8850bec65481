import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from audit.tests.waiting import wait_until


def _session(expires_in: datetime.timedelta) -> str:
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


@pytest.mark.django_db(transaction=True)
def test_a_worker_on_the_real_broker_clears_expired_sessions_only():
    expired = _session(datetime.timedelta(minutes=-1))
    alive = _session(datetime.timedelta(minutes=10))
    # The project's Celery app, which shared tasks bind to (accounts can't import peersupport).
    with start_worker(clear_expired_sessions.app, perform_ping_check=False, pool="solo", concurrency=1):
        clear_expired_sessions.delay()
        wait_until(lambda: not Session.objects.filter(pk=expired).exists(), timeout=20, what="the worker")
    assert not Session.objects.filter(pk=expired).exists()
    assert Session.objects.filter(pk=alive).exists()


@pytest.mark.django_db
def test_running_it_twice_is_harmless():
    _session(datetime.timedelta(minutes=-1))
    assert clear_expired_sessions() == 1
    assert clear_expired_sessions() == 0
