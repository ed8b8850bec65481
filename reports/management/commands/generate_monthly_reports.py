import datetime

from django.core.management.base import BaseCommand, CommandError

from audit.context import AuditContext
from programs.models import Program
from reports.services import monthly_reports_queue


def parse_month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()  # noqa: DTZ007 (a month, no time)
    except ValueError as error:
        raise CommandError(f"--month must be a year and month like 2026-10, not {text!r}.") from error


class Command(BaseCommand):
    help = (
        "Queue the monthly report of every active program (or of one) for a month, as the schedule "
        "does at 02:00 on the 1st. A Celery worker makes them; program admins are emailed when ready."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, metavar="YYYY-MM", help="The month to report on.")
        parser.add_argument("--program", type=int, metavar="ID", help="Only this program (default: every active one).")

    def handle(self, *args, month, program=None, **options):
        first_day = parse_month(month)
        chosen = None
        if program is not None:
            chosen = Program.objects.filter(pk=program).first()
            if chosen is None:
                raise CommandError(f"There is no program with ID {program}.")
        ctx = AuditContext.for_command(None, "generate_monthly_reports")
        reports = monthly_reports_queue(month=first_day, program=chosen, ctx=ctx)
        for report in reports:
            self.stdout.write(f"{report.program.name}, {report.period_label}: {report.get_status_display().lower()}")
        self.stdout.write(self.style.SUCCESS(f"Queued {len(reports)} report{'s' if len(reports) != 1 else ''}."))
