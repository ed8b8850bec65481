"""Demo reports for `seed_demo`: last month's report of each demo program, so the Reports page
has something to open. Queued like any other (with `make run`'s in-process tasks they are
generated before the demo sign-ins are printed); a second seed asks for nothing again."""

from django.utils import timezone

from audit.context import AuditContext
from programs.models import Agency

from .models import Report
from .services import month_bounds, previous_month, report_request


def seed(agency: Agency) -> None:
    start, end = month_bounds(previous_month(timezone.localdate()))
    ctx = AuditContext.for_command(None, "seed_demo")
    for program in agency.programs.filter(is_active=True).order_by("pk"):
        if not Report.objects.filter(program=program, period_start=start, period_end=end).exists():
            report_request(program=program, start=start, end=end, ctx=ctx)
