from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.context import AuditContext
from billing.acks.reading import AcknowledgmentError
from billing.acks.services import acknowledgment_import
from billing.uploads import command_actor, command_file


class Command(BaseCommand):
    help = "Import a payer's 999 or 277CA acknowledgment of one of our exported batches, like the import page."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The 999 or 277CA file.")
        parser.add_argument(
            "--user", required=True, metavar="EMAIL", help="Who is importing: billing staff or a program admin."
        )

    def handle(self, *args, path, user, **options):
        actor = command_actor(user, "import acknowledgments")
        name, text = command_file(path, "999 or 277CA")
        ctx = AuditContext.for_command(actor, "import_acknowledgment")
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
