import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from billing import demo as billing_demo
from notes import demo as notes_demo
from outcomes import demo as outcomes_demo
from participants import demo as participants_demo
from peersupport import large_seed
from programs import demo as programs_demo
from reports import demo as reports_demo


class Command(BaseCommand):
    help = (
        "Load the demo agency, programs and sign-ins. Safe to run again: it changes nothing the second time. "
        "--scale large then adds, to the same agency, 8 programs, 25 supervisors, 250 specialists, 12,000 "
        "participants and 600,000 session notes over 24 months, with 12 months of exported batches and posted "
        "remittances (PostgreSQL only; about two minutes). The large data is written with COPY, not through "
        "the services, so it has no audit rows of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "large"], default="small")
        parser.add_argument("--seed", type=int, default=16, help="The large data's random seed (default 16).")

    def handle(self, *args, scale, seed, **options):
        # COPY, sequence reservations and the sizes need PostgreSQL; SQLite would take an hour.
        if scale == "large" and connection.vendor != "postgresql":
            raise CommandError(
                "--scale large needs PostgreSQL (it writes with COPY). Set DATABASE_URL to a PostgreSQL "
                "database, run `manage.py migrate`, then run this again."
            )
        with transaction.atomic():
            agency = programs_demo.seed()
            participants_demo.seed(agency)
            notes_demo.seed(agency)
            billing_demo.seed(agency)
            outcomes_demo.seed(agency)
            reports_demo.seed(agency)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready for {agency}."))
        if scale == "large":
            self._large(agency, seed)
        self.stdout.write(f"\nDemo sign-ins (password: {programs_demo.DEMO_PASSWORD}):")
        for email, role in programs_demo.sign_ins():
            self.stdout.write(f"  {email:<26} {role}")

    def _large(self, agency, seed: int) -> None:
        began = time.monotonic()
        made = large_seed.generate(agency, seed=seed)
        if made is None:
            self.stdout.write("The large demo data is already there; nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS(f"Large demo data added in {time.monotonic() - began:.0f} s:"))
        for name, count in made.counts.items():
            self.stdout.write(f"  {name:<24} {count:>9,}")
        self.stdout.write("Seconds: " + ", ".join(f"{area} {s:.0f}" for area, s in made.seconds.items()))
