from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from billing.eligibility.importing import response_import
from billing.uploads import ImportCommand


class Command(ImportCommand):
    help = "Import a payer's eligibility response (271, 005010X279A1), like the page's import (audited)."

    kind = "271 eligibility response"
    doing = "import eligibility responses"

    def import_file(self, *, name, text, path, ctx):
        try:
            imported = response_import(text=text, file_name=name, ctx=ctx)
        except ValidationError as error:
            raise CommandError("Not imported; nothing was changed. " + " ".join(error.messages)) from error
        response = imported.response
        if not imported.created:
            self.stdout.write(f"{response} was imported before; nothing new was recorded.")
            return
        self.stdout.write(self.style.SUCCESS(f"Imported {response}: {response.results.count()} answer(s) recorded."))
