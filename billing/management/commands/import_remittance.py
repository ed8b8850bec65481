from django.core.management.base import CommandError

from billing.remittance.importing import RemittanceFileError, remittance_import
from billing.uploads import ImportCommand


class Command(ImportCommand):
    help = (
        "Import an 835 remittance advice (005010X221A1), like the import page: an invalid file changes "
        "nothing, a file that does not balance is held for review, a file imported before posts nothing."
    )

    kind = "835 remittance advice"
    doing = "import remittances"

    def import_file(self, *, name, text, path, ctx):
        try:
            outcomes = remittance_import(text=text, file_name=name, ctx=ctx)
        except RemittanceFileError as error:
            raise CommandError(f"{path} was not imported; nothing changed:\n" + "\n".join(error.messages)) from error
        for outcome in outcomes:
            if outcome.created and not outcome.held:
                self.stdout.write(self.style.SUCCESS(outcome.message))
            else:
                self.stdout.write(outcome.message)
        held = [outcome for outcome in outcomes if outcome.held]
        if held:
            problems = [problem for outcome in held for problem in outcome.remittance.problems]
            raise CommandError(
                "Held for review, nothing of it posted; review it on its page, then post or dismiss it:\n"
                + "\n".join(problems)
            )
