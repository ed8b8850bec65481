"""Who may see and do what with reports. Reports hold figures, not narratives, but they are
still the agency's own: program admins see every program's, supervisors those of the
programs their staff profile lists, and nobody else any. A report of a program the user may
not see is a 404 (as if it did not exist); peers and billing staff get 403 from the views'
role check before any report is looked up.

Program admins generate and regenerate monthly reports; program admins and supervisors may
run the same report for any date range of the programs they see.
"""

from django.db.models import QuerySet
from django.http import Http404

from accounts.roles import Role
from outcomes.access import dashboard_programs
from programs.models import Program

from .models import Report

# The roles that see reports at all; the views' role_required uses it.
REPORT_ROLES = (Role.PROGRAM_ADMIN, Role.SUPERVISOR)


def report_programs(user) -> QuerySet[Program]:
    """The programs whose figures a user sees: the outcome dashboard's rule, the same people."""
    return dashboard_programs(user)


def reports_for_user(user) -> QuerySet[Report]:
    """The reports a user sees, newest period first, with their programs in the same query."""
    return (
        Report.objects.filter(program__in=report_programs(user))
        .select_related("program")
        .order_by("-period_start", "-period_end", "program__name", "pk")
    )


def get_report_for_user(user, pk: int) -> Report:
    report = reports_for_user(user).filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    return report


def may_generate(user) -> bool:
    """Generating or regenerating a program-month."""
    return user.has_role(Role.PROGRAM_ADMIN)


def may_run_range(user) -> bool:
    return user.has_role(*REPORT_ROLES)
