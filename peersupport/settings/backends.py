"""What the URLs and names read from the environment (base.py) turn into: the databases, the
cache and where uploaded files are kept. Nothing here reads the environment itself."""

import environ
from django.core.exceptions import ImproperlyConfigured

# audit.replica.REPLICA and the router's path: settings name them and never import the app.
REPLICA = "replica"
REPLICA_ROUTER = "audit.replica.ReplicaRouter"
POSTGRESQL_ENGINE = "audit.postgresql"


def database_from_url(url: str, *, conn_max_age: int, name: str = "DATABASE_URL") -> dict:
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for a malformed URL
        raise ImproperlyConfigured(f"{name} is not a database URL: {exc}") from exc
    config["ATOMIC_REQUESTS"] = False
    config["CONN_MAX_AGE"] = conn_max_age
    if "postgresql" in config.get("ENGINE", ""):
        # Django's backend, recording a prepared query's EXECUTE as the SQL it runs (audit/postgresql).
        config["ENGINE"] = POSTGRESQL_ENGINE
        # PostgreSQL's JIT off for the app's sessions: its queries are a page's or a report's,
        # and JIT compiled those estimated above jit_above_cost for longer than they ran (0.94 s
        # on billability's notes, 0.3 to 0.4 s against 0.16 s on the monthly report's waiting
        # count), while switching it off per block cost every page that assesses notes four
        # queries. A libpq startup option: one for the whole connection, no query.
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return config


def databases(url: str, replica_url: str, *, conn_max_age: int) -> dict:
    """The primary, and the read replica when there is one (docs/scaling-out.md)."""
    found = {"default": database_from_url(url, conn_max_age=conn_max_age)}
    if replica_url:
        replica = database_from_url(replica_url, conn_max_age=conn_max_age, name="REPLICA_DATABASE_URL")
        if "postgresql" not in replica.get("ENGINE", ""):
            raise ImproperlyConfigured(
                "REPLICA_DATABASE_URL must be a postgres:// URL: a hot standby of the PostgreSQL primary."
            )
        # Tests make no database for it: it reads the test database, as a replica reads its primary.
        replica["TEST"] = {"MIRROR": "default"}
        found[REPLICA] = replica
    return found


def database_routers(configured: dict) -> list[str]:
    """The router only with a replica: without one, every query goes to "default" untouched."""
    return [REPLICA_ROUTER] if REPLICA in configured else []


def cache_from_url(url: str) -> dict:
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if not url.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("CACHE_URL must be a redis:// URL.")
    return {
        "default": {
            "BACKEND": "accounts.cache.ResilientRedisCache",
            "LOCATION": url,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


FILESYSTEM_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3_STORAGE = "storages.backends.s3.S3Storage"


def media_storage(kind: str, s3: dict) -> dict:
    """STORAGES["default"]: MEDIA_ROOT on this machine, or an S3-compatible bucket that every
    web process and worker shares. `s3` holds django-storages' S3Storage options."""
    if kind in ("", "filesystem"):
        return FILESYSTEM_STORAGE
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be filesystem or s3, not {kind!r}.")
    if not s3.get("bucket_name"):
        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME, the name of the bucket that keeps the uploaded files. "
            "Make the bucket first (private, with versioning on: docs/scaling-out.md), then set its name."
        )
    options = {key: value for key, value in s3.items() if value}
    # FileSystemStorage never writes over a file: a name in use gets a suffix. S3Storage does by
    # default, and a report's new file would then replace the old one that is deleted once
    # the new run commits (reports.services), and a certificate scan on file could be lost.
    options["file_overwrite"] = False
    # Objects stay private (the bucket's policy); files are served only through the
    # access-checked, audited views, never by a link to the bucket.
    options["default_acl"] = None
    options["querystring_auth"] = True
    return {"BACKEND": S3_STORAGE, "OPTIONS": options}
