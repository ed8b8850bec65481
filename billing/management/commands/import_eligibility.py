from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.context import AuditContext
from billing.eligibility.importing import response_import
from billing.uploads import command_actor, command_file


class Command(BaseCommand):
    help = "Import a payer's eligibility response (271, 005010X279A1), like the page's import (audited)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The 271 file.")
        parser.add_argument(
            "--user", required=True, metavar="EMAIL", help="Who is importing: billing staff or a program admin."
        )

    def handle(self, *args, path, user, **options):
        actor = command_actor(user, "import eligibility responses")
        name, text = command_file(path, "271 eligibility response")
        try:
            imported = response_import(
                text=text, file_name=name, ctx=AuditContext.for_command(actor, "import_eligibility")
            )
        except ValidationError as error:
            raise CommandError("Not imported; nothing was changed. " + " ".join(error.messages)) from error
        response = imported.response
        if not imported.created:
            self.stdout.write(f"{response} was imported before; nothing new was recorded.")
            return
        self.stdout.write(self.style.SUCCESS(f"Imported {response}: {response.results.count()} answer(s) recorded."))
