"""FAULT: Redis stopped, as both cache and broker. A signed-in person's everyday pages still
answer: sessions live in the database, and nothing on these pages needs the cache. (Signing in
itself, whose rate limits use the cache, is issue 15's point 3.) The test points the cache at a
redis-server of its own that is not running; the shared Redis is never stopped."""

import pytest
from django.urls import reverse

from audit.tests.private_redis import celery_broker, private_redis
from peersupport.celery import app


@pytest.mark.parametrize(
    "name", ["home", "participants:search", "notes:my_notes", "reports:report_list", "my_caseload"]
)
def test_everyday_pages_answer_with_redis_down(client, admin_user, peer, participant, settings, name):
    user = admin_user if name == "reports:report_list" else peer
    client.force_login(user)
    with private_redis() as redis, celery_broker(app, redis.url):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url}}
        response = client.get(reverse(name), follow=True)
    assert response.status_code == 200


def test_the_health_check_says_redis_is_down(client, settings):
    with private_redis() as redis, celery_broker(app, redis.url):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url}}
        settings.CELERY_BROKER_URL = redis.url
        response = client.get("/health/")
    assert response.status_code == 503
