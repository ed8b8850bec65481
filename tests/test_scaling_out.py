"""The settings docs/scaling-out.md names: a read replica and its router only when
REPLICA_DATABASE_URL is set, and the uploaded files' storage chosen from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from storages.backends.s3 import S3Storage

from audit import replica
from peersupport.settings.backends import (
    REPLICA,
    REPLICA_ROUTER,
    database_routers,
    databases,
    media_storage,
)

ROOT = Path(__file__).resolve().parents[1]
PRIMARY = "postgres://app:secret@db.internal:5432/peersupport"
STANDBY = "postgres://app:secret@standby.internal:5432/peersupport"
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 64,
    "ALLOWED_HOSTS": "peersupport.example.org",
    "DATABASE_URL": PRIMARY,
    "CACHE_URL": "redis://redis:6379/1",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "EMAIL_URL": "smtp+tls://u:p@smtp.example.org:587",
    "SITE_URL": "https://peersupport.example.org",
    "MFA_ENCRYPTION_KEYS": "YnVpbGQtb25seS1idWlsZC1vbmx5LWJ1aWxkLW9ubHk=",
}
SCALING_ENV = ("REPLICA_DATABASE_URL", "MEDIA_STORAGE", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL")


def production(**env) -> subprocess.CompletedProcess:
    """Production's settings as a process started with `env` sees them."""
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'databases': {k: {'HOST': v['HOST'], 'TEST': v.get('TEST', {})} "
        "for k, v in settings.DATABASES.items()}, 'routers': settings.DATABASE_ROUTERS, "
        "'media': settings.STORAGES['default']}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in SCALING_ENV}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **env, "DJANGO_SETTINGS_MODULE": "peersupport.settings.production"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_replica_url_there_is_no_replica_and_no_router():
    configured = databases(PRIMARY, "", conn_max_age=60)
    assert list(configured) == ["default"] and database_routers(configured) == []
    done = production()
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert (list(seen["databases"]), seen["routers"]) == (["default"], [])


def test_a_replica_url_adds_the_replica_and_its_router():
    configured = databases(PRIMARY, STANDBY, conn_max_age=30)
    assert configured[REPLICA]["HOST"] == "standby.internal" and configured[REPLICA]["CONN_MAX_AGE"] == 30
    assert configured[REPLICA]["TEST"] == {"MIRROR": "default"}  # tests read the test database through it
    assert configured["default"]["HOST"] == "db.internal"
    done = production(REPLICA_DATABASE_URL=STANDBY)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["databases"][REPLICA]["HOST"] == "standby.internal" and seen["routers"] == [REPLICA_ROUTER]


def test_the_settings_name_the_router_and_alias_the_app_defines():
    assert REPLICA == replica.REPLICA
    assert import_string(REPLICA_ROUTER) is replica.ReplicaRouter


def test_a_replica_url_that_is_not_postgresql_says_which_setting_is_wrong():
    with pytest.raises(ImproperlyConfigured, match="REPLICA_DATABASE_URL must be a postgres:// URL"):
        databases(PRIMARY, "standby.internal:5432", conn_max_age=60)


def test_uploaded_files_stay_on_the_filesystem_unless_told_otherwise():
    assert media_storage("filesystem", {})["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    done = production()
    assert json.loads(done.stdout)["media"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_media_storage_s3_picks_s3storage_with_the_bucket_and_endpoint_from_the_environment():
    env = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "agency-files",
        "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
    }
    done = production(**env)
    assert done.returncode == 0, done.stderr
    media = json.loads(done.stdout)["media"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    options = media["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"]) == ("agency-files", "https://minio.internal:9000")
    # The storage those options make (no request is sent until a file is read or written).
    storage = S3Storage(**options)
    assert (storage.bucket_name, storage.endpoint_url) == ("agency-files", "https://minio.internal:9000")
    # Never over an existing file, never public: served only through the audited views.
    assert storage.file_overwrite is False and storage.default_acl is None and storage.querystring_auth is True


def test_media_storage_s3_without_a_bucket_says_what_to_set():
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"):
        media_storage("s3", {"bucket_name": "", "endpoint_url": "https://minio.internal:9000"})
    done = production(MEDIA_STORAGE="s3")
    assert done.returncode != 0
    assert "ImproperlyConfigured: MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in done.stderr


def test_an_unknown_media_storage_is_refused():
    with pytest.raises(ImproperlyConfigured, match="MEDIA_STORAGE must be filesystem or s3, not 'gcs'"):
        media_storage("gcs", {})
