"""`manage.py backup [--output FILE]`: the database and the uploaded files in one archive."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from peersupport.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format) and MEDIA_ROOT into one .tar.gz."

    def add_arguments(self, parser):
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        parser.add_argument("--output", default=f"backups/peersupport-{stamp}.tar.gz", help="Where to write it.")

    def handle(self, *args, **options):
        try:
            path = backup_create(
                database=connections["default"].settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
                output=Path(options["output"]),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path} (it holds PHI: keep it safe)."))
