"""Production: gunicorn behind a TLS-terminating proxy, PostgreSQL, Redis, SMTP."""

import os

from django.core.exceptions import ImproperlyConfigured

from .backends import cache_from_url, database_routers, databases
from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    CACHE_URL,
    CELERY_BROKER_URL,
    CONN_MAX_AGE,
    DATABASE_URL,
    EMAIL_URL,
    HSTS_SECONDS,
    MAKE_A_FERNET_KEY,
    MFA_ENCRYPTION_KEYS,
    REPLICA_DATABASE_URL,
    SECRET_KEY,
    SITE_URL,
    STORAGES,
    email_from_url,
)

DEBUG = False

_missing = [
    name
    for name, value in [
        ("SECRET_KEY", SECRET_KEY),
        ("ALLOWED_HOSTS", ALLOWED_HOSTS),
        ("DATABASE_URL", DATABASE_URL),
        ("CACHE_URL", CACHE_URL),
        ("CELERY_BROKER_URL", CELERY_BROKER_URL),
        ("EMAIL_URL", EMAIL_URL),
        # Encrypts the TOTP secrets; never derived from SECRET_KEY here (see base.py).
        ("MFA_ENCRYPTION_KEYS", MFA_ENCRYPTION_KEYS),
        # Emails sent by tasks link here; the local default would send people to localhost.
        ("SITE_URL", SITE_URL if "SITE_URL" in os.environ else ""),
    ]
    if not value
]
if _missing:
    how = f" Make an MFA_ENCRYPTION_KEYS key with: {MAKE_A_FERNET_KEY}" if "MFA_ENCRYPTION_KEYS" in _missing else ""
    raise ImproperlyConfigured(
        f"Production needs these environment variables set: {', '.join(_missing)} (see .env.example).{how}"
    )
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production.")

# WhiteNoise serves the collected static files from gunicorn, right after SecurityMiddleware.
MIDDLEWARE = [*MIDDLEWARE[:1], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405

DATABASES = databases(DATABASE_URL, REPLICA_DATABASE_URL, conn_max_age=CONN_MAX_AGE)
DATABASE_ROUTERS = database_routers(DATABASES)
CACHES = cache_from_url(CACHE_URL)
globals().update(email_from_url(EMAIL_URL))

STORAGES = {
    "default": STORAGES["default"],  # MEDIA_ROOT or the S3 bucket (base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
