"""`manage.py backup [--output FILE] [--database-only]`: the database and the uploaded files
in one archive. With the files in an S3 bucket (MEDIA_STORAGE=s3) it archives the database
only, and only when told so: the bucket is kept by its own versioning (docs/scaling-out.md)."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from peersupport.backup import S3_FILES_ARE_NOT_ARCHIVED, BackupError, backup_create, files_in_bucket


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format) and MEDIA_ROOT into one .tar.gz."

    def add_arguments(self, parser):
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        parser.add_argument("--output", default=f"backups/peersupport-{stamp}.tar.gz", help="Where to write it.")
        parser.add_argument(
            "--database-only", action="store_true", help="Leave the uploaded files out (they are in an S3 bucket)."
        )

    def handle(self, *args, **options):
        if files_in_bucket() and not options["database_only"]:
            raise CommandError(S3_FILES_ARE_NOT_ARCHIVED)
        try:
            path = backup_create(
                database=connections["default"].settings_dict,
                media_root=None if options["database_only"] else Path(settings.MEDIA_ROOT),
                output=Path(options["output"]),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path} (it holds PHI: keep it safe)."))
