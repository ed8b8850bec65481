"""Settings shared by every environment.

The environment is read here and only here (12-factor). `local.py`, `test.py` and
`production.py` choose defaults and harden; they never read the environment themselves.
A bad value raises ImproperlyConfigured at start-up rather than failing later.
"""

import base64
import hashlib
from pathlib import Path

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .backends import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def _int_between(name: str, default: int, low: int, high: int) -> int:
    """Read an integer setting and refuse values outside [low, high] loudly."""
    try:
        value = env.int(name, default=default)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from exc
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name} must be between {low} and {high}, not {value}.")
    return value


# --- Core -------------------------------------------------------------------------------

SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
LANGUAGE_CODE = "en-us"
# The interface is written in English and has no translation catalog, so Django's translation
# machinery is off: with it on, every number and date a template prints looked the active
# language up (a context-local read), some 2,000 times on a list page, 10-15% of its time at
# agency scale (issue 16). Numbers and dates still follow en-us's formats (Django's en locale).
# Turn it on again with the first catalog (and LocaleMiddleware).
USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "peersupport.urls"
WSGI_APPLICATION = "peersupport.wsgi.application"
SITE_ID = 1

# --- Applications -----------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "pgtrigger",
    # Ours, in the one direction of dependency (an app imports only from those above it).
    "audit",
    "accounts",
    "programs",
    "participants",
    "notes",
    "billing",
    "outcomes",
    "reports",
    "peersupport",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "peersupport.pages.FormErrorsAre400Middleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peersupport.navigation.navigation",
                "peersupport.offline.offline_config",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# Each environment module turns these URLs (or its own default) into DATABASES. With a read replica, the
# outcome dashboard and report figures read from it (audit.replica, docs/scaling-out.md); all else uses DATABASE_URL.

DATABASE_URL = env.str("DATABASE_URL", default="")
REPLICA_DATABASE_URL = env.str("REPLICA_DATABASE_URL", default="")
CONN_MAX_AGE = _int_between("CONN_MAX_AGE", 60, 0, 3600)
PREPARED_STATEMENTS = env.bool("PREPARED_STATEMENTS", default=True)  # audit/prepared.py: off behind PgBouncer


# --- Cache ------------------------------------------------------------------------------
# Rate limits (allauth) and TOTP replay protection live in the cache, so every web process
# must share one: Redis in production, memory on a single development process. When Redis
# cannot be reached the cache answers from a database table instead (accounts.cache), so
# sign-in keeps working and its limits hold; short timeouts keep an outage from hanging it.

CACHE_URL = env.str("CACHE_URL", default="")
# Set by pytest-xdist in each process of a parallel test run (gw0, gw1, …), never by hand: the
# test settings keep each process's Redis keys (cache and broker) apart by it.
TEST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")

# --- Authentication (django-allauth, with its mfa app) ----------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Staff are invited by a program admin; the invitation proves the address.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# A changed password ends every session of its user, this one too (accounts.adapter).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Peer Support] "
# Repeated failed sign-ins: at most LOGIN_ATTEMPTS_LIMIT per account and address together per
# timeout window (accounts.adapter adds the address to allauth's per-account key), so one
# office behind one address is not locked out by a colleague's typos or a stranger's guesses.
# LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE is a looser backstop per address, against one address
# trying many accounts; it must be above what a busy office signs in with at shift start.
LOGIN_ATTEMPTS_LIMIT = _int_between("LOGIN_ATTEMPTS_LIMIT", 5, 1, 100)
LOGIN_ATTEMPTS_TIMEOUT_SECONDS = _int_between("LOGIN_ATTEMPTS_TIMEOUT_SECONDS", 300, 10, 86400)
LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE = _int_between("LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE", 60, 10, 10000)
ACCOUNT_RATE_LIMITS = {
    "login": f"{LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE}/m/ip",
    "login_failed": (
        f"{LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE}/m/ip,{LOGIN_ATTEMPTS_LIMIT}/{LOGIN_ATTEMPTS_TIMEOUT_SECONDS}s/key"
    ),
}
# The account's owner is emailed when this many sign-ins to it fail within the window, from
# any address (guessing spread over many addresses escapes the limits above); once a window.
SIGN_IN_ALERT_FAILURES = _int_between("SIGN_IN_ALERT_FAILURES", 10, 2, 1000)
SIGN_IN_ALERT_WINDOW_MINUTES = _int_between("SIGN_IN_ALERT_WINDOW_MINUTES", 60, 5, 24 * 60)
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For we trust (0 = none).
ALLAUTH_TRUSTED_PROXY_COUNT = _int_between("TRUSTED_PROXY_COUNT", 0, 0, 5)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Peer Support"
# When true, every staff user must turn on an authenticator app before using the app.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=False)
# TOTP secrets and recovery-code seeds are encrypted at rest (accounts.mfa_secrets) through
# allauth's MFA adapter hooks. Comma-separated Fernet keys: the first encrypts, all decrypt, so
# a key is rotated by putting a new one first, running `manage.py reencrypt_mfa_secrets`, and
# only then removing the old one. Required in production; local.py and test.py derive one.
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_FORMS = {
    # A secret the keys cannot read is a form error, not a 500 (accounts.forms).
    "authenticate": "accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "accounts.forms.MFAReauthenticateForm",
}
MAKE_A_FERNET_KEY = 'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'


def fernet_keys(keys: list[str]) -> list[str]:
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError as exc:  # the key itself is never put in the message
            raise ImproperlyConfigured(
                f"MFA_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe base64 bytes). "
                f"Make one with: {MAKE_A_FERNET_KEY}"
            ) from exc
    return keys


def fernet_key_from_secret_key(secret_key: str) -> str:
    """Development and tests only: a key that follows SECRET_KEY, so `make run` needs nothing
    set. Production refuses it: changing SECRET_KEY would then lock every authenticator out."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"mfa-encryption:{secret_key}".encode()).digest()).decode()


MFA_ENCRYPTION_KEYS = fernet_keys(env.list("MFA_ENCRYPTION_KEYS", default=[]))

INVITATION_MAX_AGE_DAYS = _int_between("INVITATION_MAX_AGE_DAYS", 7, 1, 90)

# --- Sessions ---------------------------------------------------------------------------
# Idle sessions expire: a request pushes the expiry forward by the idle timeout, so a
# session dies after that many minutes without a request. The push is written at most once
# a minute (accounts.middleware.SessionRefreshMiddleware), not on every request.
SESSION_IDLE_TIMEOUT_MINUTES = _int_between("SESSION_IDLE_TIMEOUT_MINUTES", 30, 1, 24 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
# ...and every session ends this many hours after sign-in however active it is (autosave
# keeps a page's session from ever going idle): accounts.middleware.SessionLifetimeMiddleware.
SESSION_MAX_AGE_HOURS = _int_between("SESSION_MAX_AGE_HOURS", 12, 1, 7 * 24)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Email ------------------------------------------------------------------------------

EMAIL_URL = env.str("EMAIL_URL", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Peer Support <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def email_from_url(url: str) -> dict:
    try:
        return env.email_url_config(url)
    except Exception as exc:
        raise ImproperlyConfigured(f"EMAIL_URL is not an email URL: {exc}") from exc


# --- Static files -----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
# Uploaded files (certificate scans, report files): MEDIA_ROOT, or with MEDIA_STORAGE=s3 an
# S3-compatible bucket shared by every web process and worker (docs/scaling-out.md). Keys may
# be left unset where the machine has a role that grants the bucket (boto3 finds it).
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
S3_OPTIONS = {
    "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default=""),
    "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=""),
    "region_name": env.str("AWS_S3_REGION_NAME", default=""),
    "access_key": env.str("AWS_ACCESS_KEY_ID", default=""),
    "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=""),
}
STORAGES = {
    "default": media_storage(MEDIA_STORAGE, S3_OPTIONS),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Forms (the renderer: Django's, with the commonest widgets written in Python) --------

CRISPY_ALLOWED_TEMPLATE_PACKS = CRISPY_TEMPLATE_PACK = "bootstrap5"
FORM_RENDERER = "peersupport.form_renderer.Renderer"

# --- Security headers -------------------------------------------------------------------
# No inline script or style anywhere: everything comes from our own static files.
# `data:` images are the TOTP QR code allauth renders.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
HSTS_SECONDS = _int_between("HSTS_SECONDS", 60 * 60 * 24 * 365, 0, 60 * 60 * 24 * 730)

# --- Celery -----------------------------------------------------------------------------
# With no broker configured, tasks run in-process (eagerly) so a newcomer needs only Python.

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only after it finishes, so a worker that dies mid-task leaves it
# for another worker; every task must therefore be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = _int_between("CELERY_TASK_SOFT_TIME_LIMIT", 240, 1, 3600)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through LOGGING (and its redaction filter), not handlers of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
    "certification-expiry-notices": {
        "task": "programs.tasks.send_certification_expiry_notices",
        "schedule": crontab(hour=6, minute=0),
    },
    # Every active program's report for the month just ended.
    "monthly-reports": {
        "task": "reports.tasks.queue_monthly_reports",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # A run whose worker was lost is marked failed rather than left "running" forever.
    # A report asked for while Redis was down is sent once Redis (and so beat) is back.
    "resend-unsent-reports": {
        "task": "reports.tasks.resend_unsent_reports",
        "schedule": crontab(minute="*"),
    },
    "fail-stale-reports": {
        "task": "reports.tasks.fail_stale_reports",
        "schedule": crontab(minute="*/10"),
    },
}

# --- Logging ----------------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
# No record values in the log: the one handler's filter removes the row values PostgreSQL
# puts in its errors (peersupport/log_redaction.py). Django's own handlers are dropped from
# the "django" logger (its records reach the root's handler): its console handler would skip
# the filter, and mail_admins would email a 500's whole request, form data included.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "peersupport.log_redaction.RedactRecordValues"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # WeasyPrint logs every stylesheet it reads at INFO; its warnings still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Uploads ----------------------------------------------------------------------------

CERTIFICATION_SCAN_MAX_MB = _int_between("CERTIFICATION_SCAN_MAX_MB", 5, 1, 50)
CERTIFICATION_SCAN_MAX_BYTES = CERTIFICATION_SCAN_MAX_MB * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024


# --- Billing ---------------------------------------------------------------------------
# How many notes awaiting billing the work page (and billing's home) assesses at once, oldest
# first: its time stays flat however much history there is. 50, the number of ready notes a
# payer's list shows for review (selectors.REVIEW_LIMIT): assessing 500 took 0.3-0.5 s a page
# at agency scale (issue 16); raise it once assessing is faster.
BILLING_WORK_WINDOW = _int_between("BILLING_WORK_WINDOW", 50, 10, 5000)


# --- Reports ---------------------------------------------------------------------------
# A report still running (or waiting for its retry) this many minutes after its worker
# started is marked failed: the worker was lost. Longer than CELERY_TASK_TIME_LIMIT.
REPORT_STALE_MINUTES = _int_between("REPORT_STALE_MINUTES", 30, 6, 24 * 60)
if REPORT_STALE_MINUTES * 60 <= CELERY_TASK_TIME_LIMIT:
    # Otherwise the sweep fails reports whose worker is still allowed to be making them.
    raise ImproperlyConfigured(
        f"REPORT_STALE_MINUTES ({REPORT_STALE_MINUTES} minutes) must be longer than the task time limit "
        f"(CELERY_TASK_TIME_LIMIT, {CELERY_TASK_TIME_LIMIT} seconds): raise it or lower "
        "CELERY_TASK_SOFT_TIME_LIMIT."
    )
# The site's address as users reach it, for links in emails sent by tasks (no request there).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
