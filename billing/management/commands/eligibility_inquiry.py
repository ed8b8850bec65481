from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.context import AuditContext
from billing.eligibility.inquiry import inquiry_create, inquiry_download
from billing.models import EligibilityInquiry
from billing.uploads import command_actor


class Command(BaseCommand):
    help = (
        "Write 270 eligibility inquiries (one file per payer) for everyone with a contact due in the coming "
        "week, like the page's button; writing the files is audited as a download."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", required=True, help="Where to write the .270 files.")
        parser.add_argument(
            "--user", required=True, metavar="EMAIL", help="Who is asking: billing staff or a program admin."
        )

    def handle(self, *args, output_dir, user, **options):
        actor = command_actor(user, "ask about eligibility")
        folder = Path(output_dir)
        if not folder.is_dir():
            raise CommandError(f"{output_dir} is not a folder.")
        ctx = AuditContext.for_command(actor, "eligibility_inquiry")
        try:
            made = inquiry_create(scope=EligibilityInquiry.Scope.COMING_WEEK, ctx=ctx)
        except ValidationError as error:
            raise CommandError("No inquiry was made: " + " ".join(error.messages)) from error
        for inquiry in made:
            path = folder / inquiry.file_name
            try:
                path.write_text(inquiry_download(inquiry=inquiry, ctx=ctx), encoding="ascii")
            except OSError as error:
                raise CommandError(f"Can't write {path}: {error.strerror}.") from error
            self.stdout.write(self.style.SUCCESS(f"Wrote {inquiry} ({inquiry.lines.count()} member(s)) to {path}."))
