"""Asking for a report: a program-month (program admins), any date range (program admins and
supervisors), or a report again (program admins). POST only; each queues the one report of
its program and period through services.report_request, then shows the list where that
report's row follows its progress."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.context import AuditContext

from ..access import REPORT_ROLES, get_report_for_user, may_generate, report_programs, reports_for_user
from ..forms import FilterForm
from ..models import Report
from ..services import report_request
from .pages import PER_PAGE, list_page, request_forms


def place_in_list(user, report: Report) -> str:
    """The list page, filtered to the report's program, at the page that holds its row."""
    start, end = report.period_start, report.period_end
    # The list's order within one program: newest start first, then the longer period first
    # (one report per program and period, so there is no further tie).
    newer = Q(period_start__gt=start) | Q(period_start=start, period_end__gt=end)
    before = reports_for_user(user).filter(newer, program=report.program_id)
    page = before.count() // PER_PAGE + 1
    return f"{reverse('reports:report_list')}?program={report.program_id}&page={page}#report-{report.pk}"


def _queue(request: HttpRequest, form_name: str) -> HttpResponse:
    form = request_forms(request.user, request.POST)[form_name]
    if not form.is_valid():
        if form.program_not_listed:
            raise Http404("No such program among your reports.")
        filter_form = FilterForm({}, programs=report_programs(request.user))
        return list_page(request, filter_form, forms={form_name: form}, status=400)
    start, end = form.period()
    program = form.cleaned_data["program"]
    existing = Report.objects.filter(program=program, period_start=start, period_end=end).first()
    if existing and existing.status != Report.Status.FAILED and not may_generate(request.user):
        # Only program admins regenerate a report that exists (a month's scheduled report, for
        # one); anyone else is shown the one there is.
        messages.info(request, f"The {existing} already exists; a program admin can regenerate it.")
        return redirect(place_in_list(request.user, existing))
    report = report_request(program=program, start=start, end=end, ctx=AuditContext.from_request(request))
    messages.success(request, f"The {report} is queued; its line below follows it until it is ready.")
    return redirect(place_in_list(request.user, report))


@require_POST
@role_required(Role.PROGRAM_ADMIN)
def report_generate(request: HttpRequest) -> HttpResponse:
    return _queue(request, "month_form")


@require_POST
@role_required(*REPORT_ROLES)
def report_run(request: HttpRequest) -> HttpResponse:
    return _queue(request, "range_form")


@require_POST
@role_required(Role.PROGRAM_ADMIN)
def report_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    old = get_report_for_user(request.user, pk)
    ctx = AuditContext.from_request(request)
    report = report_request(program=old.program, start=old.period_start, end=old.period_end, ctx=ctx)
    messages.success(request, f"The {report} is queued again; the files stay downloadable until new ones are ready.")
    return redirect(place_in_list(request.user, report))
