"""The workforce page: programs' figures per specialist with their caseload size."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import role_required
from accounts.roles import Role
from programs.forms import WorkforceFilterForm
from programs.models import CertificationStatus, Program
from programs.selectors import current_agency, supervisors_for_filter

from .. import selectors


@role_required(Role.PROGRAM_ADMIN, Role.SUPERVISOR)
def workforce(request: HttpRequest) -> HttpResponse:
    agency = current_agency()
    if agency is None:
        raise Http404("No agency has been set up yet.")
    form = WorkforceFilterForm(
        request.GET or None,
        programs=Program.objects.filter(agency=agency, is_active=True),
        supervisors=supervisors_for_filter(request.user),
        statuses=CertificationStatus.choices,
    )
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.workforce_rows(
        request.user,
        program=filters.get("program"),
        supervisor=filters.get("supervisor"),
        status=filters.get("status", ""),
    )
    context = {"form": form, "rows": rows, "required_hours": agency.training_hours_required_per_year}
    return render(request, "peersupport/workforce.html", context)
