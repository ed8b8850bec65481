from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from audit.context import AuditContext
from billing.access import may_bill
from billing.acks.reading import AcknowledgmentError
from billing.acks.services import acknowledgment_import


class Command(BaseCommand):
    help = "Import a payer's 999 or 277CA acknowledgment of one of our exported batches, like the import page."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The 999 or 277CA file.")
        parser.add_argument(
            "--user", required=True, metavar="EMAIL", help="Who is importing: billing staff or a program admin."
        )

    def handle(self, *args, path, user, **options):
        actor = User.objects.filter(email__iexact=user.strip(), is_active=True).first()
        if actor is None:
            raise CommandError(f"There is no active user {user}.")
        if not may_bill(actor):
            raise CommandError(
                f"{actor.email} may not import acknowledgments: it takes the Billing or Program admin role."
            )
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Can't read {path}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not a text file; give the 999 or 277CA as the payer sent it.") from error
        ctx = AuditContext.for_command(actor, "import_acknowledgment")
        try:
            result = acknowledgment_import(text=text, file_name=Path(path).name, ctx=ctx)
        except AcknowledgmentError as error:
            raise CommandError("Not imported, nothing changed:\n" + "\n".join(error.messages)) from error
        ack = result.acknowledgment
        if not result.created:
            when = timezone.localtime(ack.imported_at)
            self.stdout.write(f"Already imported on {when:%Y-%m-%d} (batch {ack.batch_id}); nothing changed.")
            return
        done = f"{ack.kind} {ack.control_number} imported for batch {ack.batch_id}: {ack.summary}"
        self.stdout.write(self.style.SUCCESS(done))
