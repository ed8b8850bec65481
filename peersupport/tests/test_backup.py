"""Backups rehearsed: `manage.py backup` (what `make backup` runs) on a seeded database with
uploaded files, then `manage.py restore` (`make restore FILE=...`) into a fresh, empty database
and an empty media directory; every table's rows and every file come back identical.

Both commands run as processes of their own, as an operator runs them. transaction=True: the
seed is committed, so pg_dump (another connection) sees it."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from psycopg2 import sql

from accounts.roles import Role
from programs.models import Certification
from reports import services
from reports.models import Report

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def _connect(name: str):
    s = connection.settings_dict
    conn = psycopg2.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, dbname=name, user=s["USER"], password=s["PASSWORD"]
    )
    conn.autocommit = True
    return conn


def _url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _manage(*args: str, database: str, media_root: Path) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "peersupport.settings.test",
        "DATABASE_URL": _url(database),
        "MEDIA_ROOT": str(media_root),
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(MANAGE), *args], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _fingerprint(name: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of all its rows, in one database."""
    conn = _connect(name)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        prints = {}
        for table in tables:
            query = "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t"
            cursor.execute(sql.SQL(query).format(sql.Identifier(table)))
            prints[table] = cursor.fetchone()
        return prints
    finally:
        conn.close()


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.mark.django_db(transaction=True)
def test_a_seeded_database_and_its_files_restore_into_a_fresh_one(tmp_path, settings):
    # A transactional test before this one emptied the tables, the role groups a migration made too.
    for role in Role:
        Group.objects.get_or_create(name=role)
    media, restored_media = tmp_path / "media", tmp_path / "restored-media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    call_command("seed_demo", verbosity=0)
    certification = Certification.objects.order_by("pk").first()
    certification.scan_content_type = "application/pdf"  # what programs/scans.py sniffs on upload
    certification.scan.save("scan.pdf", ContentFile(b"%PDF-1.4 a scanned certificate"), save=True)
    report = Report.objects.order_by("pk").first()
    assert services.report_generate(report.pk, str(report.run_token))  # its PDF, Excel and CSV files
    original = _fingerprint(connection.settings_dict["NAME"])
    files = _files(media)
    assert original["participants_participant"][0] > 0 and original["audit_auditevent"][0] > 0
    assert len(files) >= 4

    archive = tmp_path / "backup.tar.gz"
    _manage("backup", "--output", str(archive), database=connection.settings_dict["NAME"], media_root=media)
    fresh = f"{connection.settings_dict['NAME']}_restored"
    admin = _connect("postgres")
    try:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        admin.cursor().execute(f'CREATE DATABASE "{fresh}"')
        out = _manage("restore", str(archive), database=fresh, media_root=restored_media)
        assert f"({len(files)} files)" in out
        assert _fingerprint(fresh) == original
        assert _files(restored_media) == files
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        admin.close()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    from django.core.management.base import CommandError

    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a backup|No backup"):
        call_command("restore", str(junk))


S3 = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "agency-files"}}


def test_with_files_in_a_bucket_backup_refuses_and_says_what_keeps_them(settings, tmp_path):
    from django.core.management.base import CommandError

    settings.STORAGES = {**settings.STORAGES, "default": S3}
    with pytest.raises(CommandError, match=r"S3 bucket .* versioning .* backup --database-only"):
        call_command("backup", "--output", str(tmp_path / "b.tar.gz"))
    assert not (tmp_path / "b.tar.gz").exists()
    with pytest.raises(CommandError, match=r"restore them from the bucket's versions, or pass --media-root"):
        call_command("restore", str(tmp_path / "b.tar.gz"))


@pytest.mark.django_db  # pg_dump reads the test database
def test_database_only_leaves_the_files_out_and_says_so(settings, tmp_path):
    import json
    import tarfile

    settings.STORAGES = {**settings.STORAGES, "default": S3}
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "stray.pdf").write_bytes(b"%PDF-1.4 not in the bucket")
    archive = tmp_path / "db.tar.gz"
    call_command("backup", "--database-only", "--output", str(archive))
    with tarfile.open(archive) as opened:
        assert sorted(opened.getnames()) == ["database.dump", "manifest.json"]
        manifest = json.load(opened.extractfile("manifest.json"))
    assert (manifest["files"], manifest["media_included"]) == (0, False)
