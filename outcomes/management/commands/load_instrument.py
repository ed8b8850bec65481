import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.roles import Role
from audit.context import AuditContext
from outcomes.services import instrument_load


class Command(BaseCommand):
    help = (
        "Load an instrument's definition file (JSON, as in outcomes/definitions/). Only load "
        "instruments your agency may use: the file must name its licence and source."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The definition file.")
        parser.add_argument("--user", required=True, metavar="EMAIL", help="The program admin loading it.")

    def handle(self, *args, path, user, **options):
        actor = User.objects.filter(email__iexact=user.strip(), is_active=True).first()
        if actor is None or not actor.has_role(Role.PROGRAM_ADMIN):
            raise CommandError(f"{user} is not an active program admin.")
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Can't read {path}: {error.strerror}.") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path} is not a JSON file: {error}.") from error
        try:
            instrument, created = instrument_load(data=data, ctx=AuditContext.for_command(actor, "load_instrument"))
        except ValidationError as error:
            raise CommandError(f"{path}: {' '.join(error.messages)}") from error
        verb = "Loaded" if created else "Already loaded:"
        self.stdout.write(
            f"{verb} {instrument.name}, version {instrument.version}, {len(instrument.spec.items)} items."
        )
