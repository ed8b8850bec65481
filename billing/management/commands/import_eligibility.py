from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from audit.context import AuditContext
from billing.access import may_bill
from billing.eligibility.forms import MAX_271_BYTES
from billing.eligibility.importing import response_import


class Command(BaseCommand):
    help = "Import a payer's eligibility response (271, 005010X279A1), like the page's import (audited)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The 271 file.")
        parser.add_argument(
            "--user", required=True, metavar="EMAIL", help="Who is importing: billing staff or a program admin."
        )

    def handle(self, *args, path, user, **options):
        actor = User.objects.filter(email__iexact=user.strip(), is_active=True).first()
        if actor is None:
            raise CommandError(f"There is no active user {user}.")
        if not may_bill(actor):
            raise CommandError(
                f"{actor.email} may not import eligibility responses: it takes the Billing or Program admin role."
            )
        file = Path(path)
        try:
            if file.stat().st_size > MAX_271_BYTES:
                raise CommandError(f"{path} is larger than 5 MB; it is not a 271.")
            text = file.read_text(encoding="ascii")
        except OSError as error:
            raise CommandError(f"Can't read {path}: {error.strerror}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not an X12 text file (a 271 holds plain ASCII characters).") from error
        try:
            imported = response_import(
                text=text, file_name=file.name, ctx=AuditContext.for_command(actor, "import_eligibility")
            )
        except ValidationError as error:
            raise CommandError("Not imported; nothing was changed. " + " ".join(error.messages)) from error
        response = imported.response
        if not imported.created:
            self.stdout.write(f"{response} was imported before; nothing new was recorded.")
            return
        self.stdout.write(self.style.SUCCESS(f"Imported {response}: {response.results.count()} answer(s) recorded."))
