import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from peersupport import large_seed
from peersupport.bench import load, pages, table, throughput, write_results
from programs.models import Program

# Each part, in the order the table shows them; `--only` picks some.
PARTS = {"pages": pages.run, "throughput": throughput.run, "load": load.run}


class Command(BaseCommand):
    help = (
        "Measure every page of every role, billability, the 837P, the monthly report and a load run against "
        "the large demo (seeded here first when the database has none), print one table and write "
        "bench/results.json. Exits 1 when a row misses its budget. PostgreSQL only; `make bench` runs it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="+", choices=list(PARTS), help="Run only these parts.")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "bench" / "results.json"))
        parser.add_argument("--roles", nargs="+", choices=list(pages.ROLES), help="The page part: only these roles.")
        parser.add_argument(
            "--requests", type=int, default=pages.REQUESTS, help="Timed requests per page (at least 2; default 30)."
        )

    def handle(self, *args, only, output, roles, requests, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The bench needs PostgreSQL: set DATABASE_URL (make bench does).")
        if not Program.objects.filter(name__startswith=large_seed.MARKER).exists():
            self.stdout.write("No large demo in this database: seeding one (about 3 minutes).")
            call_command("seed_demo", scale="large", stdout=self.stdout)
        # The steady state autovacuum keeps, not the minutes after a migration rewrote a table:
        # an UPDATE of every claim line left the denial index without its visibility map, and
        # billing's home took 150 ms instead of 33 until autovacuum came round.
        # VACUUM cannot run inside a transaction: a caller holding one (a test) gets ANALYZE.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        rows, started = [], time.monotonic()
        for name in only or PARTS:
            self.stdout.write(f"Measuring {name}…")
            if name == "pages":
                rows += pages.run(self.stdout, requests=max(requests, 2), roles=tuple(roles or pages.ROLES))
            else:
                rows += PARTS[name](self.stdout)
        about = {"database": connection.settings_dict["NAME"], "seconds": round(time.monotonic() - started)}
        write_results(rows, Path(output), about=about)
        self.stdout.write(table(rows))
        missed = [r.name for r in rows if not r.passed]
        self.stdout.write(f"\n{len(rows)} rows, {len(missed)} over budget; written to {output}.")
        if missed:
            raise SystemExit(1)
