"""Tests: real PostgreSQL and real Redis, as `make test` checks before it starts."""

from .backends import cache_from_url, database_routers, databases
from .base import *  # noqa: F403
from .base import (
    CACHE_URL,
    CELERY_BROKER_URL,
    CONN_MAX_AGE,
    DATABASE_URL,
    MFA_ENCRYPTION_KEYS,
    REPLICA_DATABASE_URL,
    TEST_WORKER,
    fernet_key_from_secret_key,
)

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
MFA_ENCRYPTION_KEYS = MFA_ENCRYPTION_KEYS or [fernet_key_from_secret_key(SECRET_KEY)]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

_DATABASE_URL = DATABASE_URL or "postgres://postgres@127.0.0.1:5432/peersupport"
# Always a replica, as an agency that has one runs: a second connection to the test database
# (TEST MIRROR), so the tests see which reads go through it (audit.tests.test_replica).
# Reads in a transaction stay on "default" (audit.replica), so tests in one see no change.
DATABASES = databases(_DATABASE_URL, REPLICA_DATABASE_URL or _DATABASE_URL, conn_max_age=CONN_MAX_AGE)
DATABASE_ROUTERS = database_routers(DATABASES)
# Database 0 is the broker's; the cache gets its own so clearing it never drops queued work.
CACHES = cache_from_url(CACHE_URL or "redis://127.0.0.1:6379/1")
CELERY_BROKER_URL = CELERY_BROKER_URL or "redis://127.0.0.1:6379/0"
# `make test` runs the suite in parallel processes (pytest-xdist), each with its own test
# database (pytest-django adds the process's name to it) but the same two Redis databases. So
# each one's cache keys start with its name, and conftest's per-test cache clear removes only
# those (not FLUSHDB); and each one's broker keys too, so a real worker started by one
# process's test never takes a task queued by another's, run against another database.
if TEST_WORKER:
    CACHES["default"]["KEY_PREFIX"] = TEST_WORKER
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": f"{TEST_WORKER}:"}
CELERY_TASK_ALWAYS_EAGER = False

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
