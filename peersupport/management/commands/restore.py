"""`manage.py restore FILE`: put a backup's database and uploaded files back."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from peersupport.backup import S3_FILES_ARE_NOT_RESTORED, BackupError, backup_restore, files_in_bucket


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` over this database and into MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .tar.gz that `make backup` wrote.")
        parser.add_argument("--media-root", default=None, help="Where the files go (default MEDIA_ROOT).")

    def handle(self, *args, **options):
        if files_in_bucket() and options["media_root"] is None:
            # The archive's files would land in a MEDIA_ROOT that nothing reads.
            raise CommandError(S3_FILES_ARE_NOT_RESTORED)
        database = connections["default"].settings_dict
        connections.close_all()  # pg_restore drops the tables: hold no connection to them
        try:
            manifest = backup_restore(
                archive_path=Path(options["file"]),
                database=database,
                media_root=Path(options["media_root"] or settings.MEDIA_ROOT),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Restored the backup of {manifest['made_at']} ({manifest['files']} files).")
        )
