"""Sign-in survives Redis being unreachable (issue 15, point 3): the cache answers from the
database table instead, so people can sign in and reset passwords, and limits still hold."""

import pytest
from django.core import mail

from accounts import cache as resilient_cache
from accounts.models import FallbackCacheEntry

LOGIN = "/accounts/login/"
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings):
    resilient_cache.reset_breaker()
    # The cache as the settings configure it, pointed at a port where nothing listens.
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": CLOSED_PORT}}
    yield
    # The breaker is per process: leave the next test talking to the real Redis.
    resilient_cache.reset_breaker()


def sign_in(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


@pytest.mark.django_db
def test_people_sign_in_while_redis_is_unreachable(client, peer, password, redis_down):
    response = sign_in(client, peer.email, password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(peer.pk)


@pytest.mark.django_db
def test_failed_sign_in_limits_are_kept_in_the_database_while_redis_is_down(
    client, peer, password, settings, redis_down
):
    for _ in range(settings.LOGIN_ATTEMPTS_LIMIT):
        assert "not correct" in sign_in(client, peer.email, "wrong-password").content.decode()
    assert FallbackCacheEntry.objects.filter(cache_key__contains="login_failed").exists()
    response = sign_in(client, peer.email, password)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_works_while_redis_is_unreachable(client, peer, redis_down):
    response = client.post("/accounts/password/reset/", {"email": peer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_cache_uses_redis_again_once_it_is_back(peer):
    from django.core.cache import cache

    resilient_cache.reset_breaker()
    cache.set("signin-probe", "from redis", 30)
    assert cache.get("signin-probe") == "from redis"
    assert not FallbackCacheEntry.objects.filter(cache_key__contains="signin-probe").exists()
