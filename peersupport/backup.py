"""Backups: the database (pg_dump, custom format) and the uploaded files (MEDIA_ROOT: scans,
report files) in one .tar.gz, and a restore of such an archive into a database and a media
directory. `make backup` and `make restore FILE=...` call the commands that call these.

The archive holds PHI: store it as the database is stored (encrypted, access-controlled), and
rehearse a restore (45 CFR 164.308(a)(7)(ii)(A) and (B): data backup and disaster recovery).
"""

import datetime
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DUMP = "database.dump"
MEDIA = "media"
MANIFEST = "manifest.json"


S3_STORAGE = "storages.backends.s3.S3Storage"
S3_FILES_ARE_NOT_ARCHIVED = (
    "Uploaded files are kept in an S3 bucket (MEDIA_STORAGE=s3), which this command cannot archive: keep them "
    "with the bucket's versioning (and replication to a second region), as docs/scaling-out.md says, and run "
    "`manage.py backup --database-only` for the database."
)
S3_FILES_ARE_NOT_RESTORED = (
    "Uploaded files are kept in an S3 bucket (MEDIA_STORAGE=s3), not in MEDIA_ROOT: restore them from the "
    "bucket's versions, or pass --media-root DIR to unpack this archive's files into DIR and copy them into "
    "the bucket from there (docs/scaling-out.md)."
)


def files_in_bucket() -> bool:
    """Whether uploaded files live in an S3 bucket rather than under MEDIA_ROOT."""
    return settings.STORAGES["default"]["BACKEND"] == S3_STORAGE


class BackupError(Exception):
    """A backup or restore that could not be done, in words an operator can act on."""


def _pg_env(database: dict) -> tuple[list[str], dict]:
    """libpq's connection arguments and environment (the password never on a command line)."""
    args = ["--host", database["HOST"] or "127.0.0.1", "--port", str(database["PORT"] or 5432)]
    args += ["--username", database["USER"] or "postgres"]
    env = {**os.environ, "PGPASSWORD": database["PASSWORD"] or ""}
    return args, env


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise ImproperlyConfigured(f"{command[0]} is not installed (the PostgreSQL client tools).")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


def backup_create(*, database: dict, media_root: Path | None, output: Path) -> Path:
    """Write one archive: the database's custom-format dump, MEDIA_ROOT's files (none when
    `media_root` is None: they are in a bucket), a manifest."""
    args, env = _pg_env(database)
    with tempfile.TemporaryDirectory(prefix="backup-") as work:
        dump = Path(work) / DUMP
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "--file", str(dump),
              database["NAME"]], env)  # fmt: skip
        has_media = media_root is not None and media_root.is_dir()
        files = [p for p in media_root.rglob("*") if p.is_file()] if has_media else []
        manifest = {
            "made_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": database["NAME"],
            "files": len(files),
            "media_included": media_root is not None,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as archive:
            archive.add(dump, arcname=DUMP)
            for path in files:
                archive.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
            manifest_path = Path(work) / MANIFEST
            manifest_path.write_text(json.dumps(manifest, indent=2))
            archive.add(manifest_path, arcname=MANIFEST)
    os.chmod(output, 0o600)  # PHI: readable by its owner only
    return output


def backup_restore(*, archive_path: Path, database: dict, media_root: Path) -> dict:
    """Restore an archive over `database` (its objects are dropped and made again) and into
    `media_root`. Returns the archive's manifest."""
    if not archive_path.is_file():
        raise BackupError(f"No backup file at {archive_path}.")
    args, env = _pg_env(database)
    with tempfile.TemporaryDirectory(prefix="restore-") as work:
        try:
            with tarfile.open(archive_path, "r:gz") as archive:
                names = archive.getnames()
                if DUMP not in names or MANIFEST not in names:
                    raise BackupError(f"{archive_path} is not a backup made by `make backup` (no {DUMP}).")
                # The "data" filter refuses absolute paths, links out of the directory, devices.
                archive.extractall(work, filter="data")
        except (tarfile.TarError, EOFError, OSError) as error:
            raise BackupError(f"{archive_path} is not a backup made by `make backup`: {error}") from error
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error", *args,
              "--dbname", database["NAME"], str(Path(work) / DUMP)], env)  # fmt: skip
        media = Path(work) / MEDIA
        if media.is_dir():
            shutil.copytree(media, media_root, dirs_exist_ok=True)
        return json.loads((Path(work) / MANIFEST).read_text())
