"""The program outcome dashboard and its downloads. Aggregate figures only: no participant is
named, so the page itself writes no audit row; each download does (it leaves the system).
Both read from the read replica when there is one (audit.replica)."""

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.context import AuditContext
from audit.models import AuditEvent
from audit.replica import reads_from_replica
from audit.services import audit_record

from .. import exports
from ..access import dashboard_programs, may_set_costs
from ..dashboard_figures import outcome_dashboard
from ..dashboard_forms import DashboardFilterForm
from ..follow_up import program_follow_up

TEMPLATE = "outcomes/dashboard.html"
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", exports.as_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.as_xlsx),
}


def _filter_form(request: HttpRequest) -> DashboardFilterForm:
    """The filters, bound; a program the user may not see is a 404, as for any record."""
    form = DashboardFilterForm(request.GET, programs=dashboard_programs(request.user), today=timezone.localdate())
    if not form.is_valid() and form.program_not_listed and request.GET.get("program"):
        raise Http404("No such program on your dashboard.")
    return form


@role_required(Role.PROGRAM_ADMIN, Role.SUPERVISOR)
@reads_from_replica  # aggregates over history; a few seconds of replica lag show nowhere
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    context = {"form": form, "may_set_costs": may_set_costs(request.user)}
    if not form.is_valid():
        # No program to choose is not bad input: a supervisor whose profile lists none.
        status = 200 if not form.fields["program"].queryset.exists() else 400
        return TemplateResponse(request, TEMPLATE, context | {"no_programs": status == 200}, status=status)
    data = outcome_dashboard(form.filters(), timezone.localdate())
    follow_ups = program_follow_up(data.filters.program.pk)
    context |= {"data": data, "program": data.filters.program, "query": form.query_string(), "follow_ups": follow_ups}
    return TemplateResponse(request, TEMPLATE, context | {"charts": data.charts()})


@role_required(Role.PROGRAM_ADMIN, Role.SUPERVISOR)
@require_POST
def dashboard_refresh(request: HttpRequest) -> HttpResponse:
    """The page's "Refresh": its figures computed again and kept, then the page read back
    (post, redirect, get). A POST, not a link: it costs what the kept figures save, so no
    prefetch, crawler or reload computes it, only the button. Not from the replica: a
    lagging replica would keep figures older than the ones on the page."""
    form = _filter_form(request)
    if form.is_valid():
        data = outcome_dashboard(form.filters(), timezone.localdate(), fresh=True)
        program_follow_up(data.filters.program.pk, fresh=True)
    return HttpResponseRedirect(f"{reverse('outcomes:dashboard')}?{request.GET.urlencode()}")


@role_required(Role.PROGRAM_ADMIN, Role.SUPERVISOR)
@reads_from_replica  # its audit row is a write, and goes to the primary
def dashboard_download(request: HttpRequest, fmt: str) -> HttpResponse:
    form = _filter_form(request)
    if not form.is_valid():
        return TemplateResponse(request, TEMPLATE, {"form": form}, status=400)
    filters = form.filters()
    data = outcome_dashboard(filters, timezone.localdate())
    details = {
        "record": f"outcome dashboard {fmt.upper()}",
        "program": filters.program.pk,
        "filters": filters.as_dict(),
    }
    audit_record(action=AuditEvent.Action.VIEW, ctx=AuditContext.from_request(request), details=details)
    content_type, build = DOWNLOADS[fmt]
    response = HttpResponse(build(data), content_type=content_type)
    name = f"outcomes-{filters.program.pk}-{filters.time_from}-{filters.time_to}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def dashboard_csv(request: HttpRequest) -> HttpResponse:
    return dashboard_download(request, "csv")


def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    return dashboard_download(request, "xlsx")
