from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from audit.context import AuditContext
from billing import file_check
from billing.access import may_bill
from billing.models import ClaimBatch
from billing.services import batch_export, batch_frozen_csv
from billing.x12 import ExportError


class Command(BaseCommand):
    help = "Export a claim batch as 837P or CSV, like the page's download button (exporting freezes the batch)."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)
        parser.add_argument("--format", choices=["837p", "csv"], default="837p")
        parser.add_argument("--output", required=True, help="Path of the file to write.")
        parser.add_argument(
            "--user", required=True, metavar="EMAIL", help="Who is exporting: billing staff or a program admin."
        )

    def handle(self, *args, batch_id, format, output, user, **options):
        actor = User.objects.filter(email__iexact=user.strip(), is_active=True).first()
        if actor is None:
            raise CommandError(f"There is no active user {user}.")
        if not may_bill(actor):
            raise CommandError(f"{actor.email} may not export claims: it takes the Billing or Program admin role.")
        batch = ClaimBatch.objects.filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(f"There is no batch {batch_id}.")
        if not batch.is_frozen:
            try:
                batch = batch_export(batch=batch, ctx=AuditContext.for_command(actor, "export_claims"))
            except ExportError as error:
                found = "; ".join(f"{p.claim}: {p.message}" if p.claim else p.message for p in error.problems)
                raise CommandError(f"Batch {batch_id} can't be exported: {found}") from error
        if format == "837p" and not file_check.passed(batch):
            found = "; ".join(
                f"{p['claim']}: {p['message']}" if p["claim"] else p["message"] for p in batch.pyx12_errors
            )
            raise CommandError(f"pyx12 found problems in batch {batch_id}'s 837P, so it is not written: {found}")
        text = batch.file_837 if format == "837p" else batch_frozen_csv(batch)
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Can't write {output}: {error.strerror}.") from error
        self.stdout.write(self.style.SUCCESS(f"Wrote batch {batch_id} as {format} to {output}."))
