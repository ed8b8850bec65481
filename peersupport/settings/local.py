"""Development: `make run`. SQLite and in-process tasks unless the environment says otherwise."""

from .backends import cache_from_url, database_routers, databases
from .base import *  # noqa: F403
from .base import (
    BASE_DIR,
    CACHE_URL,
    CONN_MAX_AGE,
    DATABASE_URL,
    EMAIL_URL,
    MFA_ENCRYPTION_KEYS,
    REPLICA_DATABASE_URL,
    SECRET_KEY,
    email_from_url,
    fernet_key_from_secret_key,
)

DEBUG = True
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"  # noqa: S105
# Acceptable here only: a development database holds demo data, and `make run` needs nothing set.
MFA_ENCRYPTION_KEYS = MFA_ENCRYPTION_KEYS or [fernet_key_from_secret_key(SECRET_KEY)]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

DATABASES = databases(
    DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}", REPLICA_DATABASE_URL, conn_max_age=CONN_MAX_AGE
)
DATABASE_ROUTERS = database_routers(DATABASES)
# SQLite (make run's default) keeps the key columns of an index and ignores INCLUDE columns,
# which PostgreSQL's index-only scans use (billing 0031): right for a demo, and not worth a
# warning on every command.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
CACHES = cache_from_url(CACHE_URL)

# Emails (invitations, password resets) are printed in the terminal running `make run`.
globals().update(email_from_url(EMAIL_URL or "consolemail://"))
