from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.exports import batch_csv
from billing.models import ClaimBatch
from billing.services import batch_export
from billing.x12 import ExportError


class Command(BaseCommand):
    help = "Export a claim batch as 837P or CSV, like the page's download button (exporting freezes the batch)."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)
        parser.add_argument("--format", choices=["837p", "csv"], default="837p")
        parser.add_argument("--output", required=True, help="Path of the file to write.")

    def handle(self, *args, batch_id, format, output, **options):
        batch = ClaimBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(f"There is no batch {batch_id}.")
        if not batch.is_frozen:
            try:
                batch = batch_export(batch=batch, actor=batch.created_by)
            except ExportError as error:
                raise CommandError(f"Batch {batch_id} can't be exported: {error}") from error
        text = batch.file_837 if format == "837p" else batch_csv(batch)
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Can't write {output}: {error.strerror}.") from error
        self.stdout.write(self.style.SUCCESS(f"Wrote batch {batch_id} as {format} to {output}."))
