"""An X12 file a person hands us, on a page or on the command line: the payer's 835, 999, 277CA
or 271. One rule for all of them: at most 5 MB of text, read as it came. What the file says is
the importer's business (pyx12 validates it); this only refuses what can't be an X12 file."""

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from audit.context import AuditContext

from .access import may_bill

# A month of a large agency's remittances, or a 277CA for tens of thousands of claims, is far
# smaller; anything bigger is the wrong file.
MAX_MB = 5
MAX_BYTES = MAX_MB * 1024 * 1024


def too_large(kind: str) -> ValidationError:
    return ValidationError(f"The file is too large: import files of at most {MAX_MB} MB. Is it the {kind}?")


def x12_text(raw: bytes, kind: str) -> str:
    """The file's text; ValidationError when it is too large or not text (a PDF, a zip, a scan)."""
    if len(raw) > MAX_BYTES:
        raise too_large(kind)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        raise ValidationError(
            f"This is not a text file: upload the {kind} as the payer sent it (X12 is plain text), not a PDF or a zip."
        )
    return text


class X12FileForm(forms.Form):
    """Upload one X12 file; `cleaned_data["file"]` is (name, text). Subclasses name the kind."""

    kind = "X12 file"
    file = forms.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = f"{self.kind} file"
        self.fields["file"].help_text = f"The {self.kind} as the payer sent it: X12 text, at most {MAX_MB} MB."

    def clean_file(self) -> tuple[str, str]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:  # refused before it is read into memory
            raise too_large(self.kind)
        return (upload.name or "")[:200], x12_text(upload.read(), self.kind)


def command_actor(email: str, doing: str) -> User:
    """The active billing user or program admin a command acts for, or CommandError."""
    actor = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if actor is None:
        raise CommandError(f"There is no active user {email}.")
    if not may_bill(actor):
        raise CommandError(f"{actor.email} may not {doing}: it takes the Billing or Program admin role.")
    return actor


def command_file(path: str, kind: str) -> tuple[str, str]:
    """(name, text) of the file a command was given, or CommandError saying what is wrong."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_BYTES:
            raise too_large(kind)
        return file.name, x12_text(file.read_bytes(), kind)
    except OSError as error:
        raise CommandError(f"Can't read {path}: {error.strerror}.") from error
    except ValidationError as error:
        raise CommandError(f"{path}: {error.messages[0]}") from error


class ImportCommand(BaseCommand):
    """`manage.py <command> PATH --user EMAIL`: import one X12 file as its page does, for a billing
    user or program admin, audited as the command. Subclasses name the kind and define
    `import_file(*, name, text, path, ctx)`, which imports the file's text and reports."""

    kind = "X12 file"  # what the file is, for the messages
    doing = "import files"  # what the user does, for the refusal

    def add_arguments(self, parser):
        parser.add_argument("path", help=f"The {self.kind}.")
        parser.add_argument(
            "--user", required=True, metavar="EMAIL", help="Who is importing: billing staff or a program admin."
        )

    def handle(self, *args, path, user, **options):
        actor = command_actor(user, self.doing)
        name, text = command_file(path, self.kind)
        command = type(self).__module__.rsplit(".", 1)[-1]
        self.import_file(name=name, text=text, path=path, ctx=AuditContext.for_command(actor, command))
