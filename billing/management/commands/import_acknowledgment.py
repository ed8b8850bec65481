from django.core.management.base import CommandError
from django.utils import timezone

from billing.acks.reading import AcknowledgmentError
from billing.acks.services import acknowledgment_import
from billing.uploads import ImportCommand


class Command(ImportCommand):
    help = "Import a payer's 999 or 277CA acknowledgment of one of our exported batches, like the import page."

    kind = "999 or 277CA"
    doing = "import acknowledgments"

    def import_file(self, *, name, text, path, ctx):
        try:
            result = acknowledgment_import(text=text, file_name=name, ctx=ctx)
        except AcknowledgmentError as error:
            raise CommandError("Not imported, nothing changed:\n" + "\n".join(error.messages)) from error
        ack = result.acknowledgment
        if not result.created:
            when = timezone.localtime(ack.imported_at)
            self.stdout.write(f"Already imported on {when:%Y-%m-%d} (batch {ack.batch_id}); nothing changed.")
            return
        done = f"{ack.kind} {ack.control_number} imported for batch {ack.batch_id}: {ack.summary}"
        self.stdout.write(self.style.SUCCESS(done))
